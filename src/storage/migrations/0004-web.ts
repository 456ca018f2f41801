import type { Kysely, Migration } from 'kysely';

/** Frozen. Web sign-in: e-mailed sign-in links, OpenID Connect logins in flight, and server-side sessions. */
export function web(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      // Secrets (session ids, link tokens, OIDC login ids) are stored as SHA-256 digests only.
      await db.schema
        .createTable('web_sessions')
        .addColumn('digest', 'text', (c) => c.primaryKey())
        .addColumn('person', 'text', (c) => c.notNull())
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createIndex('web_sessions_person')
        .on('web_sessions')
        .columns(['person'])
        .execute();

      await db.schema
        .createTable('sign_in_links')
        .addColumn('digest', 'text', (c) => c.primaryKey())
        .addColumn('person', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();

      // Between the redirect to the identity provider and its callback: PKCE verifier, state and nonce.
      await db.schema
        .createTable('oidc_logins')
        .addColumn('digest', 'text', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('code_verifier', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('return_to', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
