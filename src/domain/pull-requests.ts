import type { ChangeState } from './change.js';
import type { Person, Policy, Service } from './policy.js';

/** The service whose `repositories` list this GitHub repository (`owner/name`; GitHub ignores case). */
export function serviceForRepository(policy: Policy, repository: string): Service | undefined {
  const wanted = repository.toLowerCase();
  for (const service of policy.services.values()) {
    if (service.repositories.some((r) => r.toLowerCase() === wanted)) return service;
  }
  return undefined;
}

/** Where a deployment releases a service whose policy names no `environments`. */
export const DEFAULT_RELEASE_ENVIRONMENT = 'production';

/**
 * Whether a deployment releases a change to these services, or is one of the
 * deployments before release (staging, previews) that leave it where it is. It
 * releases a service that lists `environments` when it goes to one of them
 * (names compared without case), and one that lists none when it goes to
 * production — by name, or because GitHub marks it as a production environment.
 */
export function releasesTo(
  services: readonly Service[],
  deployment: { environment: string; productionEnvironment: boolean },
): boolean {
  const environment = deployment.environment.toLowerCase();
  return services.some((service) =>
    service.environments.length === 0
      ? deployment.productionEnvironment || environment === DEFAULT_RELEASE_ENVIRONMENT
      : service.environments.some((e) => e.toLowerCase() === environment),
  );
}

/** Where each service is released, as `releasesTo` decides it: for a message. */
export function describeReleaseEnvironments(services: readonly Service[]): string {
  return services
    .map(
      (service) =>
        `${service.id} is released by deployments to ${
          service.environments.length === 0
            ? `${DEFAULT_RELEASE_ENVIRONMENT} (by name, or marked so on GitHub)`
            : service.environments.join(', ')
        }`,
    )
    .join('; ');
}

/** The person whose `github` login this is (GitHub logins are case-insensitive). */
export function personForGithubLogin(policy: Policy, login: string): Person | undefined {
  const wanted = login.toLowerCase();
  for (const person of policy.people.values()) {
    if (person.github?.toLowerCase() === wanted) return person;
  }
  return undefined;
}

/**
 * The type a draft from a pull request starts with; the requester may change it
 * before submitting. `normal` when the policy has it; otherwise the first type that
 * needs an approval, so a requester who only presses submit never gets a change
 * pre-approved by accident.
 */
export function draftTypeFor(policy: Policy): string {
  if (policy.changeTypes.has('normal')) return 'normal';
  const types = [...policy.changeTypes.values()];
  return (types.find((t) => t.approvals.length > 0) ?? types[0])?.id ?? 'normal';
}

/**
 * Whether a change in this state covers its commits: approved, or further along
 * its implementation. A failed change no longer does (it was rolled back).
 */
export function coversCommits(state: ChangeState): boolean {
  switch (state) {
    case 'approved':
    case 'in_progress':
    case 'completed':
    case 'verified':
      return true;
    case 'draft':
    case 'pending':
    case 'rejected':
    case 'withdrawn':
    case 'failed':
      return false;
  }
}

/** Whether waiting can still change the answer: not for a change that is approved, rejected, withdrawn or failed. */
export function mayStillBeApproved(state: ChangeState): boolean {
  return state === 'draft' || state === 'pending';
}

/** `abc1234` for the timeline: long enough to be unique in practice, short enough to read. */
export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
