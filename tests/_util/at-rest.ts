import Database from 'better-sqlite3';
import pg from 'pg';
import { parseDatabaseUrl } from '../../src/storage/database-url.js';

/**
 * Every `table.column` of the database at `url` whose stored text contains
 * `needle`: what someone who reads a dump or a backup would find. Reads every
 * column of every table, whatever its declared type.
 */
export async function findAtRest(url: string, needle: string): Promise<string[]> {
  const target = parseDatabaseUrl(url);
  if (typeof target === 'string') throw new Error(target);
  const found: string[] = [];
  if (target.dialect === 'sqlite') {
    const db = new Database(target.location, { readonly: true });
    try {
      const tables = db.prepare(`select name from sqlite_master where type = 'table'`).all() as {
        name: string;
      }[];
      for (const { name } of tables) {
        const columns = db.prepare(`pragma table_info("${name}")`).all() as { name: string }[];
        for (const column of columns) {
          const row = db
            .prepare(
              `select count(*) as n from "${name}" where instr(cast("${column.name}" as text), ?) > 0`,
            )
            .get(needle) as { n: number };
          if (row.n > 0) found.push(`${name}.${column.name}`);
        }
      }
    } finally {
      db.close();
    }
    return found;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: columns } = await client.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns
        where table_schema = current_schema() order by table_name, ordinal_position`,
    );
    for (const { table_name: table, column_name: column } of columns) {
      const { rows } = await client.query<{ n: string }>(
        `select count(*) as n from "${table}" where strpos("${column}"::text, $1) > 0`,
        [needle],
      );
      if (Number(rows[0]!.n) > 0) found.push(`${table}.${column}`);
    }
  } finally {
    await client.end();
  }
  return found;
}
