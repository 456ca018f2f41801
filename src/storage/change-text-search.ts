import {
  sql,
  type CompiledQuery,
  type Kysely,
  type RawBuilder,
  type Selectable,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely';
import type { ChangeQuery } from '../app/ports.js';
import type { DialectFeatures } from './dialects/features.js';
import type { ChangesTable, DatabaseSchema } from './schema.js';

/**
 * The board's text search: every word must appear, in any case, in the title or
 * the description. SQLite answers from its FTS5 trigram table, which the change
 * query joins; PostgreSQL from blocks of ids by trigram, walked newest first,
 * and its pg_trgm index (listByTextOnPostgres).
 */

/** What the change repository lends the search: its reader and how it builds pages. */
export interface ChangeSearch {
  readonly db: Kysely<DatabaseSchema>;
  readonly features: DialectFeatures;
  /** The reader runs inside a group-commit batch's transaction (one Kysely does not know of). */
  readonly inTransaction: boolean;
  readonly filtered: (query: ChangeQuery, text: string | undefined) => Filtered;
  readonly pageOf: (filtered: Filtered, query: ChangeQuery) => ReturnType<ChangesSelect['limit']>;
}

/** Change ids per block of migration 0018's trigram blocks (`id >> 6`). */
const BLOCK = 64;

/** Steps of the walk over the blocks before the pg_trgm index serves the rest of a page. */
const WALK_STEPS = 32;

export type ChangesSelect = SelectQueryBuilder<DatabaseSchema, 'changes', Selectable<ChangesTable>>;

export interface Filtered {
  select: ChangesSelect;
  readonly key: RawBuilder<number>;
}

/**
 * Every word must appear, in any case, in the title or the description. Both
 * databases answer from a trigram index (migration 0005): PostgreSQL's pg_trgm
 * serves ILIKE; SQLite's FTS5 table is joined by `list` (see trigramMatch), and
 * only words shorter than a trigram are matched here, by LIKE.
 */
export function whereText(
  select: ChangesSelect,
  features: DialectFeatures,
  text: string | undefined,
) {
  let query = select;
  for (const word of searchWords(text)) {
    if (features.textSearch === 'trigram-blocks') {
      query = query.where(
        sql<SqlBool>`(title || ' ' || description) ilike ${likePattern(word)} escape '\\'`,
      );
    } else if (!isTrigramWord(word)) {
      query = query.where(
        sql<SqlBool>`(changes.title like ${likePattern(word)} escape '\\' or changes.description like ${likePattern(word)} escape '\\')`,
      );
    }
  }
  return query;
}

export function searchWords(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter(Boolean);
}

export function likePattern(word: string): string {
  return `%${escapeLike(word)}%`;
}

/** LIKE's wildcards and its escape character, taken literally (with `escape '\\'`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The FTS5 query for the words the trigram index can answer: each one, quoted, must appear. */
export function trigramMatch(text: string | undefined): string | undefined {
  const words = searchWords(text).filter(isTrigramWord);
  return words.length > 0
    ? words.map((word) => `"${word.replace(/"/g, '""')}"`).join(' AND ')
    : undefined;
}

export function isTrigramWord(word: string): boolean {
  return [...word].length >= 3;
}

/**
 * PostgreSQL, text search, newest first. Its pg_trgm index answers a word with
 * every matching change, unordered: a common word cost a gathering and a sort of
 * tens of thousands of rows for each page. So the page walks the blocks of 64
 * change ids that hold the words' trigrams (migration 0018), newest first, and
 * re-checks each block's changes with every filter, stopping when the page is
 * full: for a common word, a block or two, in one statement.
 *
 * Where the blocks mislead — each word's trigrams present in them, the words
 * themselves rarely, as two words never found together — the walk stops after
 * WALK_STEPS steps and the rest of the page comes from the pg_trgm index below
 * it (`belowByIndex`): that index is quick for exactly such rare matches. Words
 * shorter than a trigram alone are served by a walk of the changes.
 *
 * The words reach PostgreSQL as sub-selects, `(select $1)`, which it plans
 * without looking into: one plan fits every word, so it keeps the statement's
 * first plan instead of planning each search again (the walk is the same
 * whatever the words).
 */
export function listByTextOnPostgres(
  search: ChangeSearch,
  query: ChangeQuery,
  columns: 'keys',
): Promise<ChangeKey[]>;
export function listByTextOnPostgres(
  search: ChangeSearch,
  query: ChangeQuery,
  columns: 'all',
): Promise<Selectable<ChangesTable>[]>;
export async function listByTextOnPostgres(
  search: ChangeSearch,
  query: ChangeQuery,
  columns: 'keys' | 'all',
): Promise<(ChangeKey | Selectable<ChangesTable>)[]> {
  const { db, filtered, pageOf } = search;
  const project = (page: ChangesSelect) =>
    columns === 'all' ? page : page.clearSelect().select(['changes.id', 'changes.version']);
  const words = searchWords(query.text);
  const grams = trigramsOf(words.filter(isTrigramWord));
  if (grams.length === 0) {
    const walk = filtered(query, undefined);
    // The same test, in a form the index cannot serve: PostgreSQL then walks by id.
    for (const word of words)
      walk.select = walk.select.where(
        sql<SqlBool>`(title || ' ' || description || '') ilike ${likePattern(word)} escape '\\'`,
      );
    return project(pageOf(walk, query)).execute();
  }
  const candidates = filtered(query, undefined);
  // ILIKE's own operator (its escape is a backslash by default): dialects/postgres.ts prepares
  // no statement that says ILIKE, whose plan may depend on the pattern. This one's follows the
  // blocks, so it is prepared and planned once.
  for (const word of words)
    candidates.select = candidates.select.where(
      sql<SqlBool>`(title || ' ' || description) ~~* (select ${likePattern(word)}::text)`,
    );
  candidates.select = candidates.select
    .where('changes.id', '>=', sql<number>`walk.block * ${sql.lit(BLOCK)}`)
    .where('changes.id', '<', sql<number>`(walk.block + 1) * ${sql.lit(BLOCK)}`);
  const walk = blockWalk(grams, query.beforeId);
  // The walk's blocks come newest first and each block's changes newest first, one block
  // after the other (a nested loop keeps its outer order): the first `limit` are the page.
  // No ORDER BY over them, which PostgreSQL could only satisfy by walking every block.
  const { rows } = await sql<ChangeKey | Selectable<ChangesTable>>`${walk}
    select * from (select ${columns === 'all' ? sql`changes.*` : sql`changes.id, changes.version`}
      from walk cross join lateral (${pageOf(candidates, query)}) as changes
      where walk.hit limit ${query.limit}) as page
    order by page.id desc`.execute(db);
  if (rows.length === query.limit) return rows;
  // Every match in the blocks walked is in. Did the walk stop short of the last block?
  const { rows: ends } = await sql<{ below: number | null }>`${walk}
    select below from walk where steps = ${sql.lit(WALK_STEPS)}`.execute(db);
  const below = ends[0]?.below;
  if (below === undefined || below === null) return rows;
  const rest = { ...query, beforeId: (below + 1) * BLOCK, limit: query.limit - rows.length };
  return [
    ...rows,
    ...(await belowByIndex(search, project(pageOf(filtered(rest, rest.text), rest)))),
  ];
}

/**
 * `with recursive walk(block, hit, below, steps)`: the blocks holding every one of
 * `grams`, newest first, below `beforeId` — a leapfrog over their lists in the
 * index. Each step takes the newest block of the first trigram's list at or below
 * the bound, then the newest of the second's at or below that, and so on: when
 * the last is the first, every list holds it (a hit) and the next bound is just
 * below it; otherwise no list skipped a block all hold, and the next bound is the
 * last found. A step is one index probe per trigram, whatever PostgreSQL guesses
 * of the lists, and the walk ends after WALK_STEPS steps or the oldest block.
 */
function blockWalk(grams: RawBuilder<string>[], beforeId: number | undefined): RawBuilder<unknown> {
  const [first, ...others] = grams;
  const newest = (gram: RawBuilder<string>, atMost: RawBuilder<unknown>) =>
    sql`(select max(x.block) from change_text_blocks as x
      where x.trigram = ${gram} and x.block <= ${atMost})`;
  // OFFSET 0 keeps each probe a subquery of its own, run once, not copied into every use.
  const step = (bound: RawBuilder<unknown>) =>
    sql`select s.first as block, s.last = s.first as hit,
        case when s.last = s.first then s.first - 1 else s.last end as below
      from (select f.first, ${others.reduce<RawBuilder<unknown>>(
        (at, gram) => newest(gram, at),
        sql`f.first`,
      )} as last
        from (select ${newest(first!, bound)} as first offset 0) as f offset 0) as s`;
  // Blocks are integers; a cursor beyond every id asks for them all.
  const top = Math.max(-1, Math.min(2 ** 31 - 1, Math.floor(((beforeId ?? Infinity) - 1) / BLOCK)));
  return sql`with recursive walk(block, hit, below, steps) as (
      select block, hit, below, 1 from (${step(sql`${top}::integer`)}) as start
      union all
      select s.block, s.hit, s.below, walk.steps + 1
      from walk cross join lateral (${step(sql`walk.below`)}) as s
      where walk.below is not null and walk.steps < ${sql.lit(WALK_STEPS)})`;
}

export interface ChangeKey {
  id: number;
  version: number;
}

/**
 * A page from the pg_trgm index: every match gathered, then sorted. Left to
 * itself PostgreSQL walks the primary key instead whenever it guesses the words
 * common, reading every change below the blocks; only bitmap scans use the
 * trigram index. Not inside a caller's transaction, which the settings would
 * outlive.
 */
async function belowByIndex<Row>(
  search: ChangeSearch,
  page: { compile(): CompiledQuery<Row>; execute(): Promise<Row[]> },
): Promise<Row[]> {
  const { db, inTransaction } = search;
  if (inTransaction || db.isTransaction) return page.execute();
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_indexscan = off; set local enable_seqscan = off`.execute(trx);
    return (await trx.executeQuery(page.compile())).rows;
  });
}

/**
 * The trigrams the blocks are asked for: a few from each word (its first, middle
 * and last), taken from PostgreSQL's lower() of the word, as the index was built
 * — it never shortens a text, so a word of n characters has n - 2 of them.
 */
function trigramsOf(words: string[]): RawBuilder<string>[] {
  return words.flatMap((word) => {
    const last = [...word].length - 2;
    return [...new Set([1, Math.ceil((1 + last) / 2), last])].map(
      (at) => sql<string>`(select substr(lower(${word}), ${sql.lit(at)}, 3))`,
    );
  });
}
