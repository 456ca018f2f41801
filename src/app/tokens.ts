import { AppError } from '../domain/errors.js';
import type { Person, Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { digestSecret, generateSecret } from '../shared/tokens.js';
import type { CredentialCache } from './credential-cache.js';
import type { ApiToken, Repositories } from './ports.js';

/** Creates an API token. The secret is returned once and only its digest is stored. */
export async function createApiToken(
  deps: { policy: Policy; clock: Clock; repos: Repositories },
  personId: string,
  label = 'api',
): Promise<{ token: string; record: ApiToken }> {
  if (!deps.policy.people.has(personId)) {
    throw new AppError(
      'not_found',
      `no person "${personId}" in the policy; people: ${[...deps.policy.people.keys()].join(', ')}`,
    );
  }
  const token = generateSecret('cb');
  const record = await deps.repos.tokens.insert({
    digest: digestSecret(token),
    person: personId,
    label,
    createdAt: deps.clock.now().toISOString(),
  });
  return { token, record };
}

const TOUCH_INTERVAL_MS = 10 * 60_000;

/** The person a bearer token belongs to, or a 401 saying why not. */
export async function authenticateToken(
  deps: {
    policy: Policy;
    clock: Clock;
    repos: Repositories;
    tokenCache: CredentialCache<ApiToken>;
  },
  token: string,
): Promise<Person> {
  const digest = digestSecret(token);
  const record = await deps.tokenCache.get(digest, () => deps.repos.tokens.findByDigest(digest));
  if (!record || record.revokedAt)
    throw new AppError('unauthenticated', 'the API token is unknown or revoked');
  const person = deps.policy.people.get(record.person);
  if (!person)
    throw new AppError(
      'unauthenticated',
      `the token belongs to "${record.person}", who is no longer in the policy`,
    );
  const now = deps.clock.now();
  // Recording every use would turn each read into a write; a coarse "last used" is what an admin needs.
  if (
    !record.lastUsedAt ||
    now.getTime() - new Date(record.lastUsedAt).getTime() > TOUCH_INTERVAL_MS
  ) {
    await deps.repos.tokens.touch(record.id, now.toISOString());
    deps.tokenCache.update(digest, record, { ...record, lastUsedAt: now.toISOString() });
  }
  return person;
}

/** Revokes a token; this process stops accepting it at once (others within CREDENTIAL_TTL_MS). */
export async function revokeApiToken(
  deps: { clock: Clock; repos: Repositories; tokenCache: CredentialCache<ApiToken> },
  id: number,
): Promise<boolean> {
  const revoked = await deps.repos.tokens.revoke(id, deps.clock.now().toISOString());
  deps.tokenCache.forgetWhere((token) => token.id === id);
  return revoked;
}
