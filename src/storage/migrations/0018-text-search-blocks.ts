import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Frozen. PostgreSQL's board search, newest first (issue 21). Its pg_trgm index
 * (0005) answers a word with every matching change, unordered, so a common word
 * cost a gathering and a sort of tens of thousands of rows per page. This adds
 * what can be walked newest first: which trigrams appear somewhere in each block
 * of 64 consecutive change ids, one row per (trigram, block), ordered by an
 * index on both. A search walks the blocks holding all of its words' trigrams,
 * newest first, and re-checks the changes of each block until its page is full.
 *
 * - A trigram is three characters of `lower(title || ' ' || description)` —
 *   PostgreSQL's lower, as ILIKE compares — without a space in it: search words
 *   never hold one.
 * - Triggers add the trigrams a new or edited change brings to its block: once
 *   per INSERT statement for all its rows (a bulk load pays per block, not per
 *   trigram), once per row for an edit. Nothing removes one: a trigram the block
 *   no longer holds costs a block re-checked for nothing, never a change missed.
 *   Two writers may add the same row; the search does not mind, so no unique
 *   index makes one writer wait for the other.
 * - SQLite is unchanged: its FTS5 trigram table (0005) already walks newest first.
 */
export function textSearchBlocks(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'sqlite') return;
      await sql`create table change_text_blocks (
        trigram text collate "C" not null,
        block integer not null)`.execute(db);
      // OFFSET 0: lower() once per text, not once per trigram.
      await sql`create function change_text_trigrams(title text, description text)
        returns setof text language sql immutable parallel safe as $$
          select substr(t.text, i, 3)
          from (select lower(title || ' ' || description) as text offset 0) as t,
            generate_series(1, char_length(t.text) - 2) as i
          where strpos(substr(t.text, i, 3), ' ') = 0
        $$`.execute(db);
      // Existing changes, before the indexes: one sort instead of an index insert per row.
      await sql`insert into change_text_blocks (trigram, block)
        select distinct change_text_trigrams(title, description), id >> 6 from changes`.execute(db);
      await sql`create index change_text_blocks_trigram_block
        on change_text_blocks (trigram, block)`.execute(db);
      await sql`create index change_text_blocks_block on change_text_blocks (block)`.execute(db);
      // Once per INSERT statement, whatever its rows: the trigrams their blocks lack. Each
      // function finds the table in the schema it was made in, whoever writes the change.
      await sql`create function change_text_blocks_insert() returns trigger language plpgsql
        set search_path from current as $$
        begin
          insert into change_text_blocks (trigram, block)
          select change_text_trigrams(n.title, n.description), n.id >> 6 from new_changes as n
          except
          select b.trigram, b.block from change_text_blocks as b
          where b.block = any (array(select n.id >> 6 from new_changes as n));
          return null;
        end $$`.execute(db);
      await sql`create trigger changes_text_blocks_insert after insert on changes
        referencing new table as new_changes
        for each statement execute function change_text_blocks_insert()`.execute(db);
      // An edited title or description (transition tables take no column list).
      await sql`create function change_text_blocks_update() returns trigger language plpgsql
        set search_path from current as $$
        begin
          insert into change_text_blocks (trigram, block)
          select change_text_trigrams(new.title, new.description), new.id >> 6
          except
          select b.trigram, b.block from change_text_blocks as b where b.block = new.id >> 6;
          return null;
        end $$`.execute(db);
      await sql`create trigger changes_text_blocks_update
        after update of title, description on changes
        for each row execute function change_text_blocks_update()`.execute(db);
    },
  };
}
