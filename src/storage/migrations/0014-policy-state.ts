import type { Kysely, Migration } from 'kysely';

/**
 * Frozen. Which policy is in force: one row, the hash of the policy every
 * process runs (its text is in `policies`), when and by whom it was applied.
 * Applying a policy swaps it with a compare-and-set on the hash, so two
 * applies racing cannot both win; processes that missed the news catch up by
 * reading it. `file_hash`: the servers' own policy file when it was last
 * adopted, so a restart with an unchanged file keeps a policy applied since.
 */
export function policyState(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('policy_state')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('applied_at', 'text', (c) => c.notNull())
        .addColumn('applied_by', 'text', (c) => c.notNull())
        .addColumn('file_hash', 'text')
        .execute();
    },
  };
}
