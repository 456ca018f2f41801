import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { ChangeQuery, Store } from '../src/app/ports.js';
import { CHANGE_STATES } from '../src/domain/change.js';
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

/**
 * What the search means, the same on both databases and whichever way PostgreSQL
 * serves it (its blocks of ids by trigram, migration 0018; its trigram index
 * below a walk of WALK_STEPS blocks; a walk of the changes for words shorter than
 * a trigram): every word, in any case, somewhere in the title or the description,
 * read against a scan of every change. A common word is paged through to the end
 * in exact order; two common words seldom found together hand over from the
 * blocks to the index; edits and new changes are found by their new words.
 */
describe.each(databaseKinds)('what a search finds on $name', (kind) => {
  let testDatabase: TestDatabase;
  let store: Store;
  const texts = new Map<number, { title: string; description: string }>();
  const facts = new Map<number, { service: string; state: string }>();

  beforeAll(async () => {
    testDatabase = await kind.create();
    const opened = await openMigratedStore(testDatabase.url);
    store = opened.store;
    const { db } = opened.database;
    const ids = await seedChanges(db, 3_000);
    const edits = new Map<string, number[]>();
    ids.forEach((id, n) => {
      const service = n % 3 === 0 ? 'website' : 'payments';
      let title = `Seeded change ${n}: adjust ${service} settings`;
      let description = 'Seeded for the benchmark.';
      // A common word, in the description, in mixed case: half of the changes.
      if (n % 2 === 0) description = 'Raise the Retry limit from 3 to 5.';
      // Two common words, together only in every 97th change: far more than 32 blocks apart.
      title += n % 2 === 0 ? ' alpha' : ' omega';
      if (n % 97 === 0) title += ' omega';
      // LIKE's wildcards, taken literally, beside lookalikes that only a wildcard would match.
      if (n % 500 === 7) title += ' Zebra_50%';
      if (n % 500 === 8) title += ' ZebraX50Y';
      // Beyond ASCII (the same case as searched: SQLite folds only ASCII's).
      if (n % 700 === 9) description = 'Straße über Ünïcödé';
      texts.set(id, { title, description });
      facts.set(id, {
        service,
        state: n % 5 === 0 ? 'pending' : CHANGE_STATES[n % CHANGE_STATES.length]!,
      });
      const key = JSON.stringify([title, description]);
      edits.set(key, [...(edits.get(key) ?? []), id]);
    });
    for (const [key, same] of edits) {
      const [title, description] = JSON.parse(key) as [string, string];
      for (let at = 0; at < same.length; at += 500)
        await db
          .updateTable('changes')
          .set({ title, description })
          .where('id', 'in', same.slice(at, at + 500))
          .execute();
    }
    if (kind.name === 'postgres') await sql`analyze`.execute(db);
  }, 120_000);
  afterAll(async () => {
    await store.close();
    await testDatabase.drop();
  });

  const matches = (text: string, keep: (id: number) => boolean = () => true) => {
    const words = text.toLowerCase().split(/\s+/).filter(Boolean);
    return [...texts]
      .filter(([id, { title, description }]) => {
        const haystack = `${title} ${description}`.toLowerCase();
        return keep(id) && words.every((word) => haystack.includes(word));
      })
      .map(([id]) => id)
      .sort((a, b) => b - a);
  };
  const allPages = async (text: string, limit: number, filters: Partial<ChangeQuery> = {}) => {
    const found: number[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await store.read.changes.list({ ...filters, text, limit: limit + 1, beforeId });
      // The keys the board reads by are the same page.
      const keys = await store.read.changes.listKeys({
        ...filters,
        text,
        limit: limit + 1,
        beforeId,
      });
      expect(keys.map((key) => key.id)).toEqual(page.map((change) => change.id));
      found.push(...page.slice(0, limit).map((c) => c.id));
      if (page.length <= limit) return found;
      beforeId = page[limit - 1]!.id;
    }
  };

  it('pages through a common word to its last match, newest first, each once', async () => {
    const expected = matches('retry');
    expect(expected).toHaveLength(1_500);
    const found = await allPages('retry', 50);
    expect(found).toEqual(expected);
    expect(new Set(found).size).toBe(found.length);
    // From a cursor in the middle of a block, too.
    expect(await allPages('RETRY', 37)).toEqual(expected);
  });

  it.each([
    ['retry LIMIT', 50],
    ['alpha omega', 20],
    ['omega alpha 1', 5],
    ['zebra_50%', 10],
    ['zebra', 3],
    ['50%', 10],
    ['straße', 10],
    ['ünïcödé über', 10],
    ['re', 400],
    ['ge 7', 25],
    ['raise the retry limit from 3 to 5.', 100],
    ['seeded', 500],
    ['nowhere-to-be-found', 10],
  ])('"%s", %i a page, reads the same as a scan of every change', async (text, limit) => {
    expect(await allPages(text, limit)).toEqual(matches(text));
  });

  it('searches titles and descriptions, not answers', async () => {
    // Every seeded change answers "Card payments keep failing on retry".
    expect(await allPages('failing', 50)).toEqual([]);
    expect(matches('adjust').length).toBe(3_000);
    expect(await allPages('adjust website', 100)).toEqual(matches('adjust website'));
  });

  it('combines the search with the other filters', async () => {
    const website = (id: number) => facts.get(id)!.service === 'website';
    const pending = (id: number) => facts.get(id)!.state === 'pending';
    expect(await allPages('retry', 20, { services: ['website'] })).toEqual(
      matches('retry', website),
    );
    expect(await allPages('retry', 20, { states: ['pending'] })).toEqual(matches('retry', pending));
    expect(await allPages('alpha omega', 3, { services: ['website'] })).toEqual(
      matches('alpha omega', website),
    );
  });

  it('finds an edited change by its new words, and a new one at once', async () => {
    const [newest] = matches('retry');
    const before = (await store.read.changes.find(newest!))!;
    const edited = { ...before, title: 'Quokka migration', version: before.version + 1 };
    expect(await store.transaction((tx) => tx.changes.update(edited, before))).toBe(true);
    texts.set(edited.id, { title: edited.title, description: before.description });
    const created = await store.transaction((tx) =>
      tx.changes.insert({ ...before, title: 'Wombat rollout', description: 'Retry twice.' }),
    );
    texts.set(created.id, { title: created.title, description: created.description });
    expect(await allPages('quokka', 10)).toEqual([edited.id]);
    expect(await allPages('wombat retry', 10)).toEqual([created.id]);
    expect(await allPages('seeded retry', 50)).toEqual(matches('seeded retry'));
    expect((await allPages('retry', 50))[0]).toBe(created.id);
  });
});
