import { AppError } from '../domain/errors.js';
import type { Person, Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { digestSecret, generateSecret } from '../shared/tokens.js';
import type { CredentialCache } from './credential-cache.js';
import type { ApiToken, Store, TokenScope } from './ports.js';

/** Tokens are read, and written outside transactions (ports/store.ts DirectWrites). */
type TokenStore = Pick<Store, 'read' | 'direct'>;

/** Creates a token (an API token unless `scope` says otherwise). The secret is returned once and only its digest is stored. */
export async function createApiToken(
  deps: { policy: Policy; clock: Clock; store: TokenStore },
  personId: string,
  label = 'api',
  scope: TokenScope = 'api',
): Promise<{ token: string; record: ApiToken }> {
  const person = deps.policy.people.get(personId);
  if (!person) {
    throw new AppError(
      'not_found',
      `no person "${personId}" in the policy; people: ${[...deps.policy.people.keys()].join(', ')}`,
    );
  }
  if (person.external)
    throw new AppError(
      'forbidden',
      `${person.name} is an external approver: they decide from the link e-mailed to them, never with a token`,
    );
  const token = generateSecret(scope === 'calendar' ? 'cbcal' : 'cb');
  const record = await deps.store.direct.tokens.insert({
    digest: digestSecret(token),
    person: personId,
    label,
    scope,
    createdAt: deps.clock.now().toISOString(),
  });
  return { token, record };
}

const TOUCH_INTERVAL_MS = 10 * 60_000;

type AuthenticateDeps = {
  policy: Policy;
  clock: Clock;
  store: TokenStore;
  tokenCache: CredentialCache<ApiToken>;
};

/** The person a bearer token belongs to, or a 401 saying why not. */
export function authenticateToken(deps: AuthenticateDeps, token: string): Promise<Person> {
  return authenticate(deps, token, 'api');
}

/** The person a calendar feed (`calendar.ics?feed=…`) belongs to, or a 401 saying why not. */
export function authenticateCalendarFeed(deps: AuthenticateDeps, feed: string): Promise<Person> {
  return authenticate(deps, feed, 'calendar');
}

const REFUSED: Record<TokenScope, string> = {
  api: 'the API token is unknown or revoked',
  calendar: 'the calendar feed link is unknown or was replaced; get a new one on the calendar page',
};
const WRONG_SCOPE: Record<TokenScope, string> = {
  api: 'this token opens only a calendar feed (calendar.ics?feed=…); use an API token here',
  calendar:
    'this is an API token, which belongs in an Authorization header, not in a link; get a calendar link on the calendar page',
};

async function authenticate(
  deps: AuthenticateDeps,
  secret: string,
  scope: TokenScope,
): Promise<Person> {
  const digest = digestSecret(secret);
  const record = await deps.tokenCache.get(digest, () =>
    deps.store.read.tokens.findByDigest(digest),
  );
  if (!record || record.revokedAt) throw new AppError('unauthenticated', REFUSED[scope]);
  if (record.scope !== scope) throw new AppError('unauthenticated', WRONG_SCOPE[scope]);
  const person = deps.policy.people.get(record.person);
  if (!person || person.external)
    throw new AppError(
      'unauthenticated',
      person
        ? `${person.name} is an external approver: tokens do not sign them in`
        : `the token belongs to "${record.person}", who is no longer in the policy`,
    );
  const now = deps.clock.now();
  // Recording every use would turn each read into a write; a coarse "last used" is what an admin needs.
  if (
    !record.lastUsedAt ||
    now.getTime() - new Date(record.lastUsedAt).getTime() > TOUCH_INTERVAL_MS
  ) {
    await deps.store.direct.tokens.touch(record.id, now.toISOString());
    deps.tokenCache.update(digest, record, { ...record, lastUsedAt: now.toISOString() });
  }
  return person;
}

/**
 * A new calendar feed link for `person`, which turns their previous ones off:
 * a link that leaked is replaced by asking for a new one.
 */
export async function replaceCalendarFeed(
  deps: AuthenticateDeps & { publicUrl: string },
  person: string,
): Promise<{ url: string; record: ApiToken }> {
  const previous = (await deps.store.read.tokens.list(person)).filter(
    (token) => token.scope === 'calendar' && !token.revokedAt,
  );
  for (const token of previous) await revokeApiToken(deps, token.id);
  const { token, record } = await createApiToken(deps, person, 'calendar feed', 'calendar');
  return { url: `${deps.publicUrl}/api/v1/calendar.ics?feed=${token}`, record };
}

/** Revokes a token; this process stops accepting it at once (others within CREDENTIAL_TTL_MS). */
export async function revokeApiToken(
  deps: { clock: Clock; store: TokenStore; tokenCache: CredentialCache<ApiToken> },
  id: number,
): Promise<boolean> {
  const revoked = await deps.store.direct.tokens.revoke(id, deps.clock.now().toISOString());
  deps.tokenCache.forgetWhere((token) => token.id === id);
  return revoked;
}
