import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { measureDecisionFloor, measureFloor } from '../bench/floor.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../src/storage/database-url.js';
import { openDatabase } from '../src/storage/database.js';
import { startTestApp, type TestApp } from './_util/app.js';
import { databaseKinds, postgres } from './_util/databases.js';

/** The change whose rows a floor copies, created and submitted through the API; its id. */
async function createAndSubmit(t: TestApp, title: string): Promise<number> {
  const created = await t.call('priya', 'POST', '/changes', {
    title,
    type: 'normal',
    services: ['payments'],
    answers: {
      tested: true,
      testResults: 'https://ci.example.com/run/9',
      consequenceOfNotReleasing: 'Card payments keep failing on retry',
      rollbackPlan: 'Revert the config change',
      risk: 'low',
    },
  });
  expect(created.status).toBe(201);
  const submitted = await t.call('priya', 'POST', `/changes/${created.body.id}/submit`);
  expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
  return Number(String(created.body.id).replace('CHG-', ''));
}

/**
 * The benchmark's floor must write what Changeboard writes for a created and
 * submitted change, or the ceiling it reports means nothing.
 */
describe.each(databaseKinds)('the benchmark floor on $name', (kind) => {
  let t: TestApp;

  beforeEach(async () => {
    t = await startTestApp(kind, { auditOnClose: false });
  });

  afterEach(async () => {
    await t.close();
  });

  it('writes copies of a created and submitted change: the change, its services, events and outbox rows', async () => {
    const id = await createAndSubmit(t, 'Floor reference');

    const result = await measureFloor(
      parseDatabaseUrl(t.databaseUrl) as DatabaseTarget,
      'Floor reference',
      0.2,
    );
    expect(result.changes).toBeGreaterThan(0);

    const { db } = openDatabase(parseDatabaseUrl(t.databaseUrl) as DatabaseTarget);
    try {
      const count = async (table: 'changes' | 'change_services' | 'events' | 'outbox') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select(sql<number>`count(*)`.as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const perChange = {
        events: (await db.selectFrom('events').where('change_id', '=', id).selectAll().execute())
          .length,
        outbox: (await db.selectFrom('outbox').where('change_id', '=', id).selectAll().execute())
          .length,
      };
      expect(perChange.events).toBe(2);
      expect(perChange.outbox).toBeGreaterThan(1);
      expect(await count('changes')).toBe(1 + result.changes);
      expect(await count('change_services')).toBe(1 + result.changes);
      expect(await count('events')).toBe(2 * (1 + result.changes));
      expect(await count('outbox')).toBe(perChange.outbox * (1 + result.changes));
      // The newest copy holds what the reference holds, but for its ids.
      const copy = Number(
        (
          await db
            .selectFrom('changes')
            .select(sql<number>`max(id)`.as('id'))
            .executeTakeFirstOrThrow()
        ).id,
      );
      const rowsOf = async (changeId: number) => ({
        change: await db
          .selectFrom('changes')
          .selectAll()
          .where('id', '=', changeId)
          .executeTakeFirstOrThrow(),
        services: await db
          .selectFrom('change_services')
          .select('service')
          .where('change_id', '=', changeId)
          .execute(),
        events: await db
          .selectFrom('events')
          .select(['type', 'actor', 'at', 'data', 'policy_hash'])
          .where('change_id', '=', changeId)
          .orderBy('id')
          .execute(),
        outbox: await db
          .selectFrom('outbox')
          .select(['kind', 'target', 'payload', 'status', 'next_attempt_at', 'last_error'])
          .where('change_id', '=', changeId)
          .orderBy('kind')
          .orderBy('target')
          .orderBy('event_id')
          .execute(),
      });
      const reference = await rowsOf(id);
      const copied = await rowsOf(copy);
      expect(copy).not.toBe(id);
      expect({ ...copied, change: { ...copied.change, id } }).toEqual(reference);
    } finally {
      await db.destroy();
    }
  });
});

describe.skipIf(!postgres)('the benchmark floor under a decision on postgres', () => {
  it('writes a submitted change’s update, event and outbox rows once per write, on changes of its own', async () => {
    const t = await startTestApp(postgres!, { auditOnClose: false });
    try {
      await createAndSubmit(t, 'Decision floor reference');
      const result = await measureDecisionFloor(
        parseDatabaseUrl(t.databaseUrl) as DatabaseTarget,
        'Decision floor reference',
        0.2,
      );
      expect(result.writes).toBeGreaterThan(0);
      expect(result.p99).toBeGreaterThanOrEqual(result.p50);

      const { db } = openDatabase(parseDatabaseUrl(t.databaseUrl) as DatabaseTarget);
      try {
        const ofFloor = (type: string) =>
          db
            .selectFrom('events')
            .select(sql<number>`count(*)`.as('n'))
            .where('change_id', '>', result.afterChangeId)
            .where('type', '=', type)
            .executeTakeFirstOrThrow();
        // Its own 500 changes, created before the clock started; then one submitted event per write.
        expect(Number((await ofFloor('created')).n)).toBe(500);
        expect(Number((await ofFloor('submitted')).n)).toBe(result.writes);
        const states = await db
          .selectFrom('changes')
          .select('state')
          .distinct()
          .where('id', '>', result.afterChangeId)
          .execute();
        expect(states.map((row) => row.state).sort()).toEqual(
          result.writes >= 500 ? ['pending'] : ['draft', 'pending'],
        );
      } finally {
        await db.destroy();
      }
    } finally {
      await t.close();
    }
  });
});
