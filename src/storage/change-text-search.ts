import {
  sql,
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
 * query joins; PostgreSQL from a pg_trgm index, which for common words is asked
 * one window of ids at a time (listByTextOnPostgres).
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

const COMMON_MATCHES = 1_000;

/** How many of the newest changes a common-word search walks before asking the index by windows. */
const WALK_IDS = 2_000;

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
    if (features.textSearch === 'trigram-index-windows') {
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
 * PostgreSQL, text search. Its trigram index finds rare words at once, but for a
 * common word it gathers every match and sorts them all, where walking the
 * changes newest first fills the page after a few rows — unless the matches are
 * all old, when the walk reads every newer change first. So ask the index first
 * how common the words are, up to COMMON_MATCHES: rare words are served by the
 * index; common ones by a short walk of the newest changes, then, if the page is
 * not full, by the index one window of ids at a time, going back (`pageByWindows`).
 */
export async function listByTextOnPostgres(search: ChangeSearch, query: ChangeQuery) {
  const { db, features, filtered, pageOf } = search;
  const sample = await db
    .selectFrom(
      whereText(db.selectFrom('changes').selectAll() as ChangesSelect, features, query.text)
        .clearSelect()
        .select('changes.id')
        .limit(COMMON_MATCHES)
        .as('sample'),
    )
    .select((eb) => [
      eb.fn.countAll<number>().as('matches'),
      eb
        .selectFrom('changes')
        .select((inner) => inner.fn.max('id').as('top'))
        .as('top'),
    ])
    .executeTakeFirstOrThrow();
  if (Number(sample.matches) < COMMON_MATCHES) return pageOf(filtered(query, query.text), query);
  const walk = filtered(query, undefined);
  // The same test, in a form the index cannot serve: PostgreSQL then walks by id.
  for (const word of searchWords(query.text))
    walk.select = walk.select.where(
      sql<SqlBool>`(title || ' ' || description || '') ilike ${likePattern(word)} escape '\\'`,
    );
  if (!searchWords(query.text).some(isTrigramWord)) return pageOf(walk, query);
  const top = Math.min(query.beforeId ?? Infinity, Number(sample.top ?? 0) + 1);
  const ids = await pageByWindows(search, query, walk, top);
  const page = db.selectFrom('changes').selectAll() as ChangesSelect;
  return (ids.length > 0 ? page.where('id', 'in', ids) : page.where(sql<SqlBool>`false`))
    .orderBy('id', 'desc')
    .limit(query.limit);
}

/**
 * The ids of the page below `top`, newest first: the newest WALK_IDS changes are
 * walked, then the trigram index is asked for the matches within one window of
 * ids at a time, intersected with the window's range of the primary key. An
 * empty window costs the index lookup alone (a few milliseconds however many
 * changes it spans), so windows grow fourfold while empty; once matches appear,
 * the next window is sized by their density, so few more matches are read than
 * the page needs.
 */
async function pageByWindows(
  search: ChangeSearch,
  query: ChangeQuery,
  walk: Filtered,
  top: number,
) {
  const { db, inTransaction, filtered, pageOf } = search;
  const ids: number[] = [];
  const newest = await pageOf(
    { ...walk, select: walk.select.where('changes.id', '>=', top - WALK_IDS) },
    { ...query, beforeId: top },
  )
    .clearSelect()
    .select('changes.id')
    .execute();
  ids.push(...newest.map((row) => row.id));
  const windows = async (reader: Kysely<DatabaseSchema>) => {
    let high = top - WALK_IDS;
    let width = 4 * WALK_IDS;
    while (ids.length < query.limit && high > 0) {
      const low = Math.max(high - width, 0);
      const window = filtered(query, query.text)
        .select.clearSelect()
        .select('changes.id')
        .where('changes.id', '>=', low)
        .where('changes.id', '<', high)
        .orderBy('changes.id', 'desc')
        .limit(query.limit - ids.length);
      const { rows } = await reader.executeQuery(window.compile());
      ids.push(...rows.map((row) => row.id));
      const needed = query.limit - ids.length;
      width =
        rows.length === 0
          ? width * 4
          : Math.min(
              width * 4,
              Math.max(WALK_IDS, Math.ceil((1.5 * needed * width) / rows.length)),
            );
      high = low;
    }
  };
  // Left to itself PostgreSQL walks a window's range row by row whenever the table is
  // stored in id order, reading every non-matching change; only bitmap scans intersect
  // the trigram index with the range. Not inside a caller's transaction, which the
  // settings would outlive.
  if (inTransaction || db.isTransaction) await windows(db);
  else
    await db.transaction().execute(async (trx) => {
      await sql`set local enable_indexscan = off; set local enable_seqscan = off`.execute(trx);
      await windows(trx);
    });
  return ids;
}
