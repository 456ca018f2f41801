import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Store } from '../src/app/ports.js';
import { seedChanges } from '../bench/seed.js';
import { databaseKinds, openMigratedStore, type TestDatabase } from './_util/databases.js';

/**
 * The board's text search against a brute-force reading of the same rows, with
 * words common enough for PostgreSQL to walk the changes (1,000 matches or more)
 * and rare enough for it to use its trigram index, and through SQLite's trigram walk.
 */
describe.each(databaseKinds)('text search over many changes on $name', (kind) => {
  let testDatabase: TestDatabase;
  let store: Store;
  const titles = new Map<number, string>();

  beforeAll(async () => {
    testDatabase = await kind.create();
    const opened = await openMigratedStore(testDatabase.url);
    store = opened.store;
    const database = opened.database;
    const ids = await seedChanges(database.db, 1_200);
    ids.forEach((id, n) =>
      titles.set(id, `Seeded change ${n}: adjust ${n % 3 === 0 ? 'website' : 'payments'} settings`),
    );
  }, 60_000);
  afterAll(async () => {
    await store.close();
    await testDatabase.drop();
  });

  const expected = (words: string[], keep: (id: number) => boolean = () => true) =>
    [...titles]
      .filter(([id, title]) => keep(id) && words.every((w) => title.toLowerCase().includes(w)))
      .map(([id]) => id)
      .sort((a, b) => b - a);

  const allPages = async (text: string, limit: number, services?: string[]) => {
    const found: number[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await store.read.changes.list({ text, limit: limit + 1, beforeId, services });
      found.push(...page.slice(0, limit).map((c) => c.id));
      if (page.length <= limit) return found;
      beforeId = page[limit - 1]!.id;
    }
  };

  it.each([
    ['SETTINGS', 50],
    ['change 12', 7],
    ['change 1199', 5],
    ['ge 7', 25],
    ['website 4', 30],
    ['nowhere-to-be-found', 10],
  ])('"%s", %i a page, reads the same as a scan of every change', async (text, limit) => {
    const words = text.toLowerCase().split(' ');
    expect(await allPages(text, limit)).toEqual(expected(words));
  });

  it('combines the search with the other filters', async () => {
    const payments = (id: number) => titles.get(id)!.includes('payments');
    expect(await allPages('change 3', 9, ['payments'])).toEqual(
      expected(['change', '3'], payments),
    );
  });
});

/**
 * A common word found in older changes, behind thousands of newer ones without
 * it: PostgreSQL walks the newest 2,000 and then asks its index window by window
 * going back — 8,000 ids first, four times as many after an empty window, sized
 * by the density of what it found otherwise. The newer matches sit across those
 * hand-overs, and thinly after a gap wider than two windows.
 */
describe.each(databaseKinds)('a common word behind newer changes on $name', (kind) => {
  let testDatabase: TestDatabase;
  let store: Store;
  const withWord = new Set<number>();
  const services = new Map<number, string>();

  beforeAll(async () => {
    testDatabase = await kind.create();
    const opened = await openMigratedStore(testDatabase.url);
    store = opened.store;
    const { db } = opened.database;
    const older = await seedChanges(db, 1_100);
    const newer = await seedChanges(db, 25_000);
    [...older, ...newer].forEach((id, n) =>
      services.set(
        id,
        (n < older.length ? n : n - older.length) % 3 === 0 ? 'website' : 'payments',
      ),
    );
    const across = (boundary: number, n: number) => Math.abs(n - boundary) <= 10;
    const marked = [
      ...older,
      ...newer.filter(
        (_, n) => across(23_000, n) || across(15_000, n) || (n < 3_000 && n % 700 === 0),
      ),
    ];
    for (const id of marked) withWord.add(id);
    await db
      .updateTable('changes')
      .set({ title: sql<string>`title || ' zebra'` })
      .where('id', 'in', marked)
      .execute();
    if (kind.name === 'postgres') await sql`analyze changes`.execute(db);
  }, 120_000);
  afterAll(async () => {
    await store.close();
    await testDatabase.drop();
  });

  const allPages = async (text: string, limit: number, only?: string[]) => {
    const found: number[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await store.read.changes.list({
        text,
        limit: limit + 1,
        beforeId,
        services: only,
      });
      found.push(...page.slice(0, limit).map((c) => c.id));
      if (page.length <= limit) return found;
      beforeId = page[limit - 1]!.id;
    }
  };
  const expected = (keep: (id: number) => boolean = () => true) =>
    [...withWord].filter(keep).sort((a, b) => b - a);

  it.each([5, 50, 400])('pages of %i read the same as a scan of every change', async (limit) => {
    expect(await allPages('ZEBRA', limit)).toEqual(expected());
  });

  it('with another filter', async () => {
    const website = (id: number) => services.get(id) === 'website';
    expect(await allPages('zebra', 20, ['website'])).toEqual(expected(website));
  });

  it('with a second, rarer word', async () => {
    const website = (id: number) => services.get(id) === 'website';
    expect(await allPages('zebra website', 50)).toEqual(expected(website));
  });
});
