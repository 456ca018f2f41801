import { Migrator, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../src/storage/database-url.js';
import {
  createStore,
  migrateToLatest,
  openDatabase,
  type Database,
} from '../src/storage/database.js';
import { migrations } from '../src/storage/migrations/index.js';
import { seedChanges } from '../bench/seed.js';
import { databaseKinds, type DatabaseKind } from './_util/databases.js';

/** A fresh database migrated up to `name` (included), handed to `use`, then dropped. */
async function migratedTo(
  kind: DatabaseKind,
  name: string,
  use: (database: Database) => Promise<void>,
): Promise<void> {
  const testDatabase = await kind.create();
  const target = parseDatabaseUrl(testDatabase.url);
  if (typeof target === 'string') throw new Error(target);
  const database = openDatabase(target);
  try {
    const schema =
      database.dialect === 'postgres'
        ? (await sql<{ s: string }>`select current_schema() as s`.execute(database.db)).rows[0]?.s
        : undefined;
    const migrator = new Migrator({
      db: database.db,
      provider: { getMigrations: () => Promise.resolve(migrations(database.dialect)) },
      migrationTableSchema: schema,
    });
    expect((await migrator.migrateTo(name)).error).toBeUndefined();
    await use(database);
  } finally {
    await database.db.destroy();
    await testDatabase.drop();
  }
}

/** The migration just before `name`. */
function previousOf(name: string): string {
  const names = Object.keys(migrations('sqlite')).sort();
  return names[names.indexOf(name) - 1]!;
}

describe.each(databaseKinds)('migration 0003-github on $name', (kind) => {
  it('keeps the requester of existing changes and lets new ones have none', async () => {
    await migratedTo(kind, '0002-outbox', async (database) => {
      await sql`insert into changes (title, description, type, services, answers, links, requester, state, version, round, requirements, meetings, created_at, updated_at)
        values ('Old', '', 'normal', '["payments"]', '{}', '[]', 'priya', 'draft', 1, 0, '[]', '[]', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`.execute(
        database.db,
      );

      await migrateToLatest(database);
      const store = createStore(database);
      const old = (await store.read.changes.list({ limit: 10 }))[0];
      expect(old).toMatchObject({ title: 'Old', requester: 'priya' });
      expect(old?.pullRequest).toBeUndefined();
      expect(await store.read.changes.list({ requesters: ['priya'], limit: 10 })).toHaveLength(1);

      const unassigned = await store.transaction((tx) =>
        tx.changes.insert({ ...old!, title: 'New', requester: null }),
      );
      // 0005 indexed the text of changes stored before it.
      expect(
        (await store.read.changes.list({ text: 'OLD', limit: 10 })).map((c) => c.title),
      ).toEqual(['Old']);
      const found = await store.read.changes.find(unassigned.id);
      expect(found).toMatchObject({ title: 'New', requester: null });
      expect(
        (await store.read.changes.list({ unassigned: true, limit: 10 })).map((c) => c.title),
      ).toEqual(['New']);
    });
  });
});

describe.each(databaseKinds)('migration 0018-text-search-blocks on $name', (kind) => {
  it('finds the changes stored before it, and those after, newest first', async () => {
    await migratedTo(kind, previousOf('0018-text-search-blocks'), async (database) => {
      // Over several blocks of 64 ids: a common word in every other change, a rare one twice.
      const old = await seedChanges(database.db, 400);
      const retry = old.filter((_, n) => n % 2 === 0);
      await database.db
        .updateTable('changes')
        .set({ description: 'Raise the retry limit' })
        .where('id', 'in', retry)
        .execute();
      await database.db
        .updateTable('changes')
        .set({ title: sql<string>`title || ' Okapi'` })
        .where('id', 'in', [old[3]!, old[300]!])
        .execute();

      await migrateToLatest(database);
      const store = createStore(database);
      const pages = async (text: string) => {
        const found: number[] = [];
        let beforeId: number | undefined;
        for (;;) {
          const page = await store.read.changes.listKeys({ text, limit: 51, beforeId });
          found.push(...page.slice(0, 50).map((key) => key.id));
          if (page.length <= 50) return found;
          beforeId = page[49]!.id;
        }
      };
      const newestFirst = (ids: number[]) => [...ids].sort((a, b) => b - a);
      expect(await pages('RETRY')).toEqual(newestFirst(retry));
      expect(await pages('okapi')).toEqual(newestFirst([old[3]!, old[300]!]));

      const template = (await store.read.changes.find(old[0]!))!;
      const created = await store.transaction((tx) =>
        tx.changes.insert({
          ...template,
          title: 'After the upgrade',
          description: 'Retry the okapi',
        }),
      );
      expect(await pages('okapi')).toEqual(newestFirst([created.id, old[3]!, old[300]!]));
      expect(await pages('retry')).toEqual(newestFirst([created.id, ...retry]));
    });
  });
});

describe.each(databaseKinds)('migration 0019-insight-chunks on $name', (kind) => {
  it('empties the rollup: every change is worked out again, with its services', async () => {
    await migratedTo(kind, '0018-text-search-blocks', async (database) => {
      const [id] = await seedChanges(database.db, 1, { state: 'approved' });
      // A row of the rollup as 0015 wrote it: without the change's services.
      await sql`insert into change_timings (change_id, version, policy_hash, type, state, created_ms,
          ever_rejected, pre_approved, emergency, sittings, reviewed)
        values (${id}, 2, 'old', 'normal', 'approved', ${Date.parse('2026-11-03T10:00:00Z')}, 0, 0, 0, 0, 0)`.execute(
        database.db,
      );

      await migrateToLatest(database);
      const left = await database.db
        .selectFrom('change_timings')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(left.n)).toBe(0);
      const store = createStore(database);
      const everything = { fromMs: 0, toMs: Date.parse('2100-01-01'), services: [], types: [] };
      expect(await store.insights.staleIds(everything, 'new', 10)).toEqual([id]);
      const [change] = await store.read.changes.findMany([id!]);
      await store.insights.save(
        [
          {
            version: change!.version,
            timings: {
              id: id!,
              type: 'normal',
              services: ['website', 'payments'],
              state: 'approved',
              createdMs: Date.parse('2026-11-03T10:00:00Z'),
              submittedMs: null,
              decidedMs: null,
              completedMs: null,
              failedMs: null,
              verifiedMs: null,
              outcome: null,
              finalOutcome: null,
              everRejected: false,
              preApproved: false,
              emergency: false,
              decisionMinutes: null,
              leadMinutes: null,
              emergencyMinutes: null,
              sittings: [],
              groups: [],
              reviewDueMs: null,
              reviewed: false,
              classKey: null,
            },
          },
        ],
        'new',
      );
      const saved = await database.db
        .selectFrom('change_timings')
        .select('services_key')
        .executeTakeFirstOrThrow();
      expect(saved.services_key).toBe('["payments","website"]');
      const week = {
        fromMs: Date.parse('2026-11-02T00:00:00Z'),
        toMs: Date.parse('2026-11-09T00:00:00Z'),
      };
      expect((await store.insights.totals({ ...week, services: [], types: [] })).total).toBe(1);
    });
  });
});

describe.each(databaseKinds)('migration 0020-reviews-owed on $name', (kind) => {
  it('finds one type’s overdue reviews from the changes that owe one, not from every change of the type', async () => {
    await migratedTo(kind, '0019-insight-chunks', async (database) => {
      const ids = await seedChanges(database.db, 2_000, { state: 'completed' });
      await migrateToLatest(database);
      const owe = async (id: number, due: string, reviewedAt: string | null) =>
        sql`update changes set review_due_at = ${due}, reviewed_at = ${reviewedAt} where id = ${id}`.execute(
          database.db,
        );
      await owe(ids[10]!, '2026-11-01T00:00:00.000Z', null);
      await owe(ids[20]!, '2026-12-30T00:00:00.000Z', null);
      await owe(ids[30]!, '2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z');
      if (database.dialect === 'postgres') await sql`analyze changes`.execute(database.db);
      else await sql`analyze`.execute(database.db);

      const store = createStore(database);
      const due = await store.read.changes.listReviewsDue({
        type: 'normal',
        kind: 'review-reminder',
        dueBefore: '2026-12-01T00:00:00.000Z',
        limit: 50,
      });
      expect(due.map((c) => c.id)).toEqual([ids[10]]);

      const query = sql`select * from changes where review_due_at <= ${'2026-12-01T00:00:00.000Z'}
        and reviewed_at is null and type = ${'normal'} order by review_due_at limit 50`;
      const plan =
        database.dialect === 'postgres'
          ? JSON.stringify((await sql`explain (format json) ${query}`.execute(database.db)).rows)
          : JSON.stringify((await sql`explain query plan ${query}`.execute(database.db)).rows);
      expect(plan).toContain('changes_reviews_owed');
    });
  });
});
