import { describe, expect, it } from 'vitest';
import type { Service } from './policy.js';
import { releasesTo } from './pull-requests.js';

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

  it('counts production, by name or by GitHub’s mark, where the policy names no environments', () => {
    const services = [service('payments')];
    expect(releasesTo(services, deployment('production')).releases).toBe(true);
    expect(releasesTo(services, deployment('Production')).releases).toBe(true);
    expect(releasesTo(services, deployment('live', true)).releases).toBe(true);
    for (const name of ['staging', 'preview-812', 'github-pages', 'prod'])
      expect(releasesTo(services, deployment(name)), name).toEqual({
        releases: false,
        environments: 'production',
      });
  });

  it('counts only the environments the services list, without case', () => {
    const services = [service('payments', ['prod-eu', 'prod-us']), service('website')];
    expect(releasesTo(services, deployment('PROD-EU')).releases).toBe(true);
    expect(releasesTo(services, deployment('prod-us')).releases).toBe(true);
    // Named environments replace the default, GitHub's mark included.
    expect(releasesTo(services, deployment('production', true))).toEqual({
      releases: false,
      environments: ['prod-eu', 'prod-us'],
    });
  });

  it('takes every service’s environments together', () => {
    const services = [service('payments', ['prod']), service('website', ['pages', 'prod'])];
    expect(releasesTo(services, deployment('pages')).releases).toBe(true);
    expect(releasesTo(services, deployment('staging')).environments).toEqual(['prod', 'pages']);
  });
});
