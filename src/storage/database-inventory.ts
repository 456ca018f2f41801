import { existsSync } from 'node:fs';
import { sql } from 'kysely';
import type { DatabaseTarget } from './database-url.js';
import { openDatabase } from './database.js';

/** What a database holds, for commands that must know before they write (`demo seed`). */
export interface DatabaseInventory {
  /** False for a SQLite file that does not exist yet. */
  readonly exists: boolean;
  readonly changes: number;
  /** Every policy the database has known (its archive), by hash. */
  readonly policyHashes: readonly string[];
}

/**
 * Reads the inventory without migrating or otherwise writing: a database that
 * is not Changeboard's yet (no tables) reads as empty, and a SQLite file that
 * does not exist is not created.
 */
export async function inspectDatabase(target: DatabaseTarget): Promise<DatabaseInventory> {
  if (target.dialect === 'sqlite' && target.location !== ':memory:' && !existsSync(target.location))
    return { exists: false, changes: 0, policyHashes: [] };
  const database = openDatabase(target, { poolSize: 1 });
  try {
    const tables = new Set(
      (await database.db.introspection.getTables()).map((table) => table.name),
    );
    const changes = tables.has('changes')
      ? Number(
          (
            await database.db
              .selectFrom('changes')
              .select(sql<number | string>`count(*)`.as('count'))
              .executeTakeFirst()
          )?.count ?? 0,
        )
      : 0;
    const policyHashes = tables.has('policies')
      ? (await database.db.selectFrom('policies').select('hash').execute()).map((row) => row.hash)
      : [];
    return { exists: true, changes, policyHashes };
  } finally {
    await database.db.destroy();
  }
}
