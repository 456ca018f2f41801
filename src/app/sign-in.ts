import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import type { Person, Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { digestSecret, generateSecret } from '../shared/tokens.js';
import type { CredentialCache } from './credential-cache.js';
import type { DirectWrites, OidcLogin, Store, WebSession } from './ports.js';

export const SIGN_IN_LINK_TTL_MS = 15 * 60_000;
/** A session ends after a week without use, and after 30 days in any case. */
export const SESSION_IDLE_MS = 7 * 24 * 3_600_000;
export const SESSION_MAX_MS = 30 * 24 * 3_600_000;
const TOUCH_INTERVAL_MS = 5 * 60_000;

export interface SignInDeps {
  readonly policy: Policy;
  readonly clock: Clock;
  readonly store: Store;
  readonly sessionCache: CredentialCache<WebSession>;
}

/**
 * The person of the policy with this e-mail address (case-insensitive), if any
 * who may sign in: an external approver never does (they decide by link).
 */
export function findPersonByEmail(policy: Policy, email: string): Person | undefined {
  const wanted = email.trim().toLowerCase();
  if (!wanted) return undefined;
  return [...policy.people.values()].find((p) => !p.external && p.email.toLowerCase() === wanted);
}

/** External approvers (suppliers) decide from the link e-mailed to them; the board is not theirs. */
export function assertMaySignIn(person: Person): void {
  if (person.external)
    throw new AppError(
      'forbidden',
      `${person.name} is an external approver: they decide from the link e-mailed to them and cannot sign in`,
    );
}

/** The page a sign-in link opens; the secret travels in the fragment, so it never reaches server logs or Referer headers. */
export function signInUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/sign-in/link#token=${encodeURIComponent(token)}`;
}

/** Creates a single-use sign-in link for a person; only its digest is stored. */
export async function createSignInLink(
  deps: SignInDeps,
  personId: string,
  options: { ttlMs?: number } = {},
): Promise<string> {
  if (!deps.policy.people.has(personId)) throw new AppError('not_found', `no person "${personId}"`);
  return mintSignInLink(deps.store.direct, personId, deps.clock.now(), options.ttlMs);
}

/**
 * A new sign-in link's secret; the database keeps only its digest. The e-mail
 * deliverer calls this as it sends, so the secret exists nowhere at rest:
 * a database dump signs nobody in, not even someone with an unsent link.
 */
export async function mintSignInLink(
  repos: Pick<DirectWrites, 'signInLinks'>,
  personId: string,
  now: Date,
  ttlMs = SIGN_IN_LINK_TTL_MS,
): Promise<string> {
  const token = generateSecret('cbl');
  await repos.signInLinks.insert({
    digest: digestSecret(token),
    person: personId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  });
  return token;
}

/**
 * Sends a sign-in link to the person with this address, through the outbox.
 * The message carries no secret: the link is made when the e-mail is sent
 * (notifications/channels/email.ts). An unknown address gets the same answer
 * and nothing is sent, so the form cannot be used to find out who has an account.
 */
export async function requestSignInLink(deps: SignInDeps, email: string): Promise<void> {
  const person = findPersonByEmail(deps.policy, email);
  if (!person) return;
  const now = deps.clock.now().toISOString();
  await deps.store.transaction((tx) =>
    tx.outbox.enqueue(
      [
        {
          id: randomUUID(),
          kind: 'email',
          target: person.id,
          changeId: null,
          eventId: null,
          payload: { template: 'sign-in-link', requestedAt: now },
          notBefore: now,
        },
      ],
      now,
    ),
  );
}

/**
 * Keeps an OpenID Connect login in flight for the browser that started it; the
 * returned secret goes into that browser's cookie, the database keeps its digest.
 */
export async function keepOidcLogin(
  deps: SignInDeps,
  login: { state: string; nonce: string; codeVerifier: string },
  options: { returnTo: string; ttlMs: number },
): Promise<string> {
  const secret = randomBytes(32).toString('base64url');
  const now = deps.clock.now();
  await deps.store.direct.oidcLogins.insert({
    digest: digestSecret(secret),
    state: login.state,
    nonce: login.nonce,
    codeVerifier: login.codeVerifier,
    returnTo: options.returnTo,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + options.ttlMs).toISOString(),
  });
  return secret;
}

/** The login the browser's cookie names, once, if it has not expired. */
export function takeOidcLogin(deps: SignInDeps, secret: string): Promise<OidcLogin | undefined> {
  return deps.store.direct.oidcLogins.take(digestSecret(secret), deps.clock.now().toISOString());
}

export interface NewSession {
  /** The cookie's value: shown once, stored only as a digest. */
  readonly token: string;
  readonly person: Person;
  readonly expiresAt: string;
}

/** Redeems a sign-in link (once, before it expires) for a new session. */
export async function redeemSignInLink(deps: SignInDeps, token: string): Promise<NewSession> {
  const at = deps.clock.now().toISOString();
  const personId = await deps.store.direct.signInLinks.use(digestSecret(token), at);
  const person = personId === undefined ? undefined : deps.policy.people.get(personId);
  if (!person)
    throw new AppError(
      'unauthenticated',
      'this sign-in link is unknown, was already used or has expired; ask for a new one',
    );
  return startSession(deps, person, 'email');
}

export async function startSession(
  deps: SignInDeps,
  person: Person,
  via: string,
): Promise<NewSession> {
  assertMaySignIn(person);
  const token = generateSecret('cbs');
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS).toISOString();
  await deps.store.direct.sessions.insert({
    digest: digestSecret(token),
    person: person.id,
    via,
    createdAt: now.toISOString(),
    expiresAt,
  });
  return { token, person, expiresAt };
}

/** The person behind a session cookie, or a 401 saying why not. Extends an idle session's life as it is used. */
export async function authenticateSession(
  deps: SignInDeps,
  token: string,
): Promise<{ person: Person; session: WebSession }> {
  const digest = digestSecret(token);
  const session = await deps.sessionCache.get(digest, () =>
    deps.store.read.sessions.findByDigest(digest),
  );
  const now = deps.clock.now();
  if (!session || session.revokedAt || session.expiresAt <= now.toISOString())
    throw new AppError('unauthenticated', 'your session has ended; sign in again');
  const person = deps.policy.people.get(session.person);
  if (!person || person.external)
    throw new AppError(
      'unauthenticated',
      person
        ? `${person.name} is an external approver and cannot sign in`
        : `the session belongs to "${session.person}", who is no longer in the policy`,
    );
  if (now.getTime() - new Date(session.lastSeenAt).getTime() > TOUCH_INTERVAL_MS) {
    const expiresAt = new Date(
      Math.min(
        now.getTime() + SESSION_IDLE_MS,
        new Date(session.createdAt).getTime() + SESSION_MAX_MS,
      ),
    ).toISOString();
    await deps.store.direct.sessions.touch(digest, now.toISOString(), expiresAt);
    deps.sessionCache.update(digest, session, {
      ...session,
      lastSeenAt: now.toISOString(),
      expiresAt,
    });
  }
  return { person, session };
}

/** Ends one session, or every session of its person. */
export async function endSession(
  deps: SignInDeps,
  token: string,
  options: { everywhere?: boolean } = {},
): Promise<void> {
  const at = deps.clock.now().toISOString();
  const digest = digestSecret(token);
  const session = await deps.store.read.sessions.findByDigest(digest);
  if (!session) return;
  if (options.everywhere) {
    await deps.store.direct.sessions.revokeAllFor(session.person, at);
    deps.sessionCache.forgetWhere((other) => other.person === session.person);
  } else {
    await deps.store.direct.sessions.revoke(digest, at);
    deps.sessionCache.forget(digest);
  }
}

/**
 * The CSRF token of a session: derived from the session's secret, so only a
 * page that was given it (GET /api/v1/session) can send it, and it needs no storage.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHash('sha256').update(`csrf\0${sessionToken}`).digest('base64url');
}

export function isCsrfTokenValid(sessionToken: string, candidate: string | undefined): boolean {
  if (!candidate) return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(candidate);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
