import type { Kysely, Migration } from 'kysely';

/**
 * Frozen. What a token opens: `api` (everything its person may do, as a bearer
 * token) or `calendar` (only that person's calendar feed, as `?feed=` in a URL a
 * calendar app can subscribe to). Existing tokens stay API tokens.
 */
export function tokenScopes(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('api_tokens')
        .addColumn('scope', 'text', (c) => c.notNull().defaultTo('api'))
        .execute();
    },
  };
}
