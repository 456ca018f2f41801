import type { Kysely, Migration } from 'kysely';

/**
 * Frozen. The insights' rollup: what each change contributes to "Is async
 * working?", worked out from its events once (domain/insights/rollup.ts) and
 * aggregated in SQL, so a year of changes is summed without loading them.
 * A row is as of the change's `version` under the policy `policy_hash` (group
 * membership, emergency types and the answers that class a change come from
 * it); a row behind either is worked out again before it is read. The
 * change's type, state and review are copied in, so a period is read from
 * this table alone (and `change_services` when filtered by service). Times are
 * epoch milliseconds, minutes are rounded to one decimal as the API shows them,
 * flags are 0 or 1 in both databases.
 */
export function insightTimings(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('change_timings')
        .addColumn('change_id', 'integer', (c) => c.primaryKey())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('policy_hash', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('submitted_ms', 'bigint')
        .addColumn('decided_ms', 'bigint')
        .addColumn('created_ms', 'bigint', (c) => c.notNull())
        .addColumn('completed_ms', 'bigint')
        .addColumn('failed_ms', 'bigint')
        .addColumn('verified_ms', 'bigint')
        .addColumn('outcome', 'text')
        .addColumn('final_outcome', 'text')
        .addColumn('ever_rejected', 'integer', (c) => c.notNull())
        .addColumn('pre_approved', 'integer', (c) => c.notNull())
        .addColumn('emergency', 'integer', (c) => c.notNull())
        .addColumn('decision_minutes', 'double precision')
        .addColumn('lead_minutes', 'double precision')
        .addColumn('emergency_minutes', 'double precision')
        .addColumn('sittings', 'integer', (c) => c.notNull())
        .addColumn('review_due_ms', 'bigint')
        .addColumn('reviewed', 'integer', (c) => c.notNull())
        .addColumn('class_key', 'text')
        .execute();
      await db.schema
        .createIndex('change_timings_created')
        .on('change_timings')
        .column('created_ms')
        .execute();
      await db.schema
        .createTable('change_group_timings')
        .addColumn('change_id', 'integer', (c) => c.notNull())
        .addColumn('group_id', 'text', (c) => c.notNull())
        .addColumn('decision_minutes', 'double precision')
        .addColumn('first_response_minutes', 'double precision')
        .addPrimaryKeyConstraint('change_group_timings_pk', ['change_id', 'group_id'])
        .execute();
      await db.schema
        .createTable('change_sittings')
        .addColumn('change_id', 'integer', (c) => c.notNull())
        .addColumn('sitting', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('change_sittings_pk', ['change_id', 'sitting'])
        .execute();
    },
  };
}
