import { sql, type Kysely, type Selectable } from 'kysely';
import type {
  OidcLoginRepository,
  RateLimitCounter,
  SignInLinkRepository,
  WebSession,
  WebSessionRepository,
} from '../app/ports.js';
import type { DatabaseSchema, WebSessionsTable } from './schema.js';

const FORGET_WINDOWS_AFTER_MS = 24 * 60 * 60_000;

export function rateLimitCounter(db: Kysely<DatabaseSchema>): RateLimitCounter {
  return {
    async hit(key, windowMs, nowMs) {
      if (windowMs > FORGET_WINDOWS_AFTER_MS)
        throw new Error(`rate-limit windows longer than a day are not kept (${windowMs} ms)`);
      // Every key asked for leaves a row: forget the windows that ended long ago.
      await db
        .deleteFrom('rate_limits')
        .where('window_start_ms', '<', nowMs - FORGET_WINDOWS_AFTER_MS)
        .execute();
      // One statement, so concurrent requests from several processes count exactly.
      const ended = sql<boolean>`rate_limits.window_start_ms + ${windowMs} <= ${nowMs}`;
      const row = await db
        .insertInto('rate_limits')
        .values({ key, count: 1, window_start_ms: nowMs })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({
            count: sql<number>`case when ${ended} then 1 else rate_limits.count + 1 end`,
            window_start_ms: sql<number>`case when ${ended} then ${nowMs} else rate_limits.window_start_ms end`,
          }),
        )
        .returning(['count', 'window_start_ms'])
        .executeTakeFirstOrThrow();
      return { count: Number(row.count), windowStartMs: Number(row.window_start_ms) };
    },
  };
}

export function webSessionRepository(db: Kysely<DatabaseSchema>): WebSessionRepository {
  return {
    async insert(session) {
      await db
        .insertInto('web_sessions')
        .values({
          digest: session.digest,
          person: session.person,
          via: session.via,
          created_at: session.createdAt,
          last_seen_at: session.createdAt,
          expires_at: session.expiresAt,
          revoked_at: null,
        })
        .execute();
    },
    async findByDigest(digest) {
      const row = await db
        .selectFrom('web_sessions')
        .selectAll()
        .where('digest', '=', digest)
        .executeTakeFirst();
      return row && sessionFromRow(row);
    },
    async touch(digest, at, expiresAt) {
      await db
        .updateTable('web_sessions')
        .set({ last_seen_at: at, expires_at: expiresAt })
        .where('digest', '=', digest)
        .where('revoked_at', 'is', null)
        .execute();
    },
    async revoke(digest, at) {
      const result = await db
        .updateTable('web_sessions')
        .set({ revoked_at: at })
        .where('digest', '=', digest)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    async revokeAllFor(person, at) {
      const result = await db
        .updateTable('web_sessions')
        .set({ revoked_at: at })
        .where('person', '=', person)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}

function sessionFromRow(row: Selectable<WebSessionsTable>): WebSession {
  return {
    person: row.person,
    via: row.via,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}

export function signInLinkRepository(db: Kysely<DatabaseSchema>): SignInLinkRepository {
  return {
    async insert(link) {
      await db
        .insertInto('sign_in_links')
        .values({
          digest: link.digest,
          person: link.person,
          created_at: link.createdAt,
          expires_at: link.expiresAt,
          used_at: null,
        })
        .execute();
    },
    async use(digest, at) {
      // One conditional UPDATE: of two racing redemptions exactly one matches the unused row.
      const row = await db
        .updateTable('sign_in_links')
        .set({ used_at: at })
        .where('digest', '=', digest)
        .where('used_at', 'is', null)
        .where('expires_at', '>', at)
        .returning(['person'])
        .executeTakeFirst();
      return row?.person;
    },
  };
}

export function oidcLoginRepository(db: Kysely<DatabaseSchema>): OidcLoginRepository {
  return {
    async insert(login) {
      await db
        .insertInto('oidc_logins')
        .values({
          digest: login.digest,
          state: login.state,
          code_verifier: login.codeVerifier,
          nonce: login.nonce,
          return_to: login.returnTo,
          created_at: login.createdAt,
          expires_at: login.expiresAt,
        })
        .execute();
    },
    async take(digest, at) {
      const row = await db
        .deleteFrom('oidc_logins')
        .where('digest', '=', digest)
        .returningAll()
        .executeTakeFirst();
      // Old logins that were never finished are swept on the way.
      await db.deleteFrom('oidc_logins').where('expires_at', '<=', at).execute();
      if (!row || row.expires_at <= at) return undefined;
      return {
        state: row.state,
        codeVerifier: row.code_verifier,
        nonce: row.nonce,
        returnTo: row.return_to,
      };
    },
  };
}
