import { describe, expect, it } from 'vitest';
import type { Service } from './policy.js';
import { describeReleaseEnvironments, releasesTo } from './pull-requests.js';

const service = (id: string, environments: string[] = []): Service => ({
  id,
  name: id,
  repositories: [],
  environments,
  notify: [],
});

describe('releasesTo', () => {
  const deployment = (environment: string, productionEnvironment = false) => ({
    environment,
    productionEnvironment,
  });

  it('counts production, by name or by GitHub’s mark, for a service that names no environments', () => {
    const services = [service('payments')];
    expect(releasesTo(services, deployment('production'))).toBe(true);
    expect(releasesTo(services, deployment('Production'))).toBe(true);
    expect(releasesTo(services, deployment('live', true))).toBe(true);
    for (const name of ['staging', 'preview-812', 'github-pages', 'prod'])
      expect(releasesTo(services, deployment(name)), name).toBe(false);
  });

  it('counts only the environments a service lists, without case', () => {
    const services = [service('payments', ['prod-eu', 'prod-us'])];
    expect(releasesTo(services, deployment('PROD-EU'))).toBe(true);
    expect(releasesTo(services, deployment('prod-us'))).toBe(true);
    // Named environments replace the default, GitHub's mark included.
    expect(releasesTo(services, deployment('production', true))).toBe(false);
  });

  it('counts a deployment that releases any of the change’s services, each by its own rule', () => {
    const services = [service('payments', ['prod-eu']), service('website')];
    expect(releasesTo(services, deployment('prod-eu'))).toBe(true);
    expect(releasesTo(services, deployment('production'))).toBe(true);
    expect(releasesTo(services, deployment('staging'))).toBe(false);
    expect(describeReleaseEnvironments(services)).toBe(
      'payments is released by deployments to prod-eu; website is released by deployments to production (by name, or marked so on GitHub)',
    );
  });
});
