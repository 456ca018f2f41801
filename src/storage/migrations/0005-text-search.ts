import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Frozen. The board's text search (`q`: every word somewhere in the title or the
 * description) read every change. Both databases get a trigram index, which
 * answers "contains this substring" without a scan:
 * - SQLite: an FTS5 table with the trigram tokenizer, kept in step by triggers;
 * - PostgreSQL: a pg_trgm GIN index, used by ILIKE. Where the extension may not
 *   be created (a managed database without it), search still works, unindexed.
 */
export function textSearch(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'sqlite') {
        await sql`create virtual table changes_text using fts5(
          title, description, content = 'changes', content_rowid = 'id', tokenize = 'trigram')`.execute(
          db,
        );
        await sql`create trigger changes_text_insert after insert on changes begin
          insert into changes_text (rowid, title, description) values (new.id, new.title, new.description);
        end`.execute(db);
        await sql`create trigger changes_text_delete after delete on changes begin
          insert into changes_text (changes_text, rowid, title, description)
            values ('delete', old.id, old.title, old.description);
        end`.execute(db);
        await sql`create trigger changes_text_update after update of title, description on changes begin
          insert into changes_text (changes_text, rowid, title, description)
            values ('delete', old.id, old.title, old.description);
          insert into changes_text (rowid, title, description) values (new.id, new.title, new.description);
        end`.execute(db);
        await sql`insert into changes_text (changes_text) values ('rebuild')`.execute(db);
        return;
      }
      // One extension per database, shared by every schema in it: in `public` when we create it.
      await sql`savepoint text_search`.execute(db);
      try {
        await sql`create extension if not exists pg_trgm schema public`.execute(db);
        await sql`release savepoint text_search`.execute(db);
      } catch {
        await sql`rollback to savepoint text_search`.execute(db);
        return;
      }
      const { rows } = await sql<{ schema: string }>`
        select nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
        where extname = 'pg_trgm'`.execute(db);
      const operators = sql.id(rows[0]!.schema, 'gin_trgm_ops');
      await sql`create index changes_text_trgm on changes
        using gin ((title || ' ' || description) ${operators})`.execute(db);
    },
  };
}
