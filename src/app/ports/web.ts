/** Sign-in: web sessions, sign-in links, OpenID Connect logins and rate limits. */

export interface WebSession {
  readonly person: string;
  /** How the person signed in: `email` (a sign-in link) or `oidc`. */
  readonly via: string;
  readonly createdAt: string;
  readonly lastSeenAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
}

/** Web sessions, looked up by the digest of the cookie's secret. */
export interface WebSessionRepository {
  insert(session: {
    digest: string;
    person: string;
    via: string;
    createdAt: string;
    expiresAt: string;
  }): Promise<void>;
  findByDigest(digest: string): Promise<WebSession | undefined>;
  touch(digest: string, at: string, expiresAt: string): Promise<void>;
  revoke(digest: string, at: string): Promise<boolean>;
  revokeAllFor(person: string, at: string): Promise<number>;
}

/** Fixed windows of requests per key, counted in the database so that every process shares them. */
export interface RateLimitCounter {
  /**
   * Counts one request for `key` and returns the count in its window; a window
   * that has ended (started `windowMs` or more before `nowMs`) starts again at 1.
   */
  hit(
    key: string,
    windowMs: number,
    nowMs: number,
  ): Promise<{ count: number; windowStartMs: number }>;
}

export interface SignInLinkRepository {
  insert(link: {
    digest: string;
    person: string;
    createdAt: string;
    expiresAt: string;
  }): Promise<void>;
  /** Marks an unused, unexpired link used and returns its person; undefined for every later or late use. */
  use(digest: string, at: string): Promise<string | undefined>;
}

export interface OidcLogin {
  readonly state: string;
  readonly codeVerifier: string;
  readonly nonce: string;
  readonly returnTo: string;
}

export interface OidcLoginRepository {
  insert(
    login: OidcLogin & { digest: string; createdAt: string; expiresAt: string },
  ): Promise<void>;
  /** Removes and returns a login in flight, once; undefined when unknown or expired. */
  take(digest: string, at: string): Promise<OidcLogin | undefined>;
}
