import type { Kysely } from 'kysely';
import { CHANGE_STATES, type ChangeState } from '../src/domain/change.js';
import type { DatabaseSchema } from '../src/storage/schema.js';

export const ANSWERS = {
  tested: true,
  testResults: 'https://ci.example.com/run/9',
  consequenceOfNotReleasing: 'Card payments keep failing on retry',
  rollbackPlan: 'Revert the config change',
  risk: 'low',
};

/**
 * Stores `count` changes straight into the tables, in multi-row inserts: the
 * board benchmark needs a realistic 100,000 changes, not the time it takes to
 * create them one request at a time. A fifth of them are pending; services and
 * requesters alternate, as on a busy board.
 */
export async function seedChanges(
  db: Kysely<DatabaseSchema>,
  count: number,
  options: { state?: ChangeState; requester?: string; startAt?: Date; description?: string } = {},
): Promise<number[]> {
  const ids: number[] = [];
  // Recent, as on a live board: a backlog of overdue changes would measure the reminder catch-up instead.
  const at = (options.startAt ?? new Date()).toISOString();
  const batch = 500;
  for (let offset = 0; offset < count; offset += batch) {
    const rows = Array.from({ length: Math.min(batch, count - offset) }, (_, i) => {
      const n = offset + i;
      const state =
        options.state ?? (n % 5 === 0 ? 'pending' : CHANGE_STATES[n % CHANGE_STATES.length]!);
      const service = n % 3 === 0 ? 'website' : 'payments';
      return {
        title: `Seeded change ${n}: adjust ${service} settings`,
        description: options.description ?? 'Seeded for the benchmark.',
        type: 'normal',
        services: JSON.stringify([service]),
        answers: JSON.stringify(ANSWERS),
        planned_start: null,
        planned_end: null,
        links: '[]',
        requester: options.requester ?? (n % 2 === 0 ? 'priya' : 'ana'),
        state,
        version: state === 'draft' ? 1 : 2,
        round: state === 'draft' ? 0 : 1,
        requirements:
          state === 'draft'
            ? '[]'
            : JSON.stringify([
                {
                  group: service === 'payments' ? 'payments-owners' : 'web-owners',
                  count: 1,
                  service,
                },
              ]),
        meetings: '[]',
        created_at: at,
        updated_at: at,
        submitted_at: state === 'draft' ? null : at,
        requested_at: state === 'draft' ? null : at,
      };
    });
    const inserted = await db.transaction().execute(async (tx) => {
      const result = await tx.insertInto('changes').values(rows).returning('id').execute();
      await tx
        .insertInto('change_services')
        .values(
          result.map((row, i) => ({
            change_id: row.id,
            service: (JSON.parse(rows[i]!.services) as string[])[0]!,
          })),
        )
        .execute();
      return result.map((row) => row.id);
    });
    ids.push(...inserted);
  }
  return ids;
}
