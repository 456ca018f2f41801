/** API tokens and calendar keys. */

/** What a token opens: the API as a bearer token, or only its person's calendar feed. */
export type TokenScope = 'api' | 'calendar';

export interface ApiToken {
  readonly id: number;
  readonly person: string;
  readonly label: string;
  readonly scope: TokenScope;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

export interface TokenRepository {
  insert(token: {
    digest: string;
    person: string;
    label: string;
    scope: TokenScope;
    createdAt: string;
  }): Promise<ApiToken>;
  findByDigest(digest: string): Promise<ApiToken | undefined>;
  touch(id: number, at: string): Promise<void>;
  list(person?: string): Promise<ApiToken[]>;
  revoke(id: number, at: string): Promise<boolean>;
}
