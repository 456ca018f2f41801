import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Store } from '../../src/app/ports.js';
import { parseDatabaseUrl } from '../../src/storage/database-url.js';
import {
  createStore,
  migrateToLatest,
  openDatabase,
  type Database,
} from '../../src/storage/database.js';

/**
 * The database matrix: every integration suite runs on SQLite and, when
 * scripts/run-tests.mjs found one (TEST_POSTGRES_URL), on PostgreSQL. Each
 * test database is its own file or its own schema, so files run in parallel.
 */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

export interface DatabaseKind {
  readonly name: 'sqlite' | 'postgres';
  create(): Promise<TestDatabase>;
}

const postgresUrl = process.env.TEST_POSTGRES_URL;

export const sqlite: DatabaseKind = {
  name: 'sqlite',
  create() {
    const dir = mkdtempSync(join(tmpdir(), 'changeboard-test-'));
    return Promise.resolve({
      url: `sqlite:${join(dir, 'changeboard.db')}`,
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    });
  },
};

export const postgres: DatabaseKind | undefined = postgresUrl
  ? {
      name: 'postgres',
      async create() {
        const schema = `t_${randomBytes(6).toString('hex')}`;
        await adminQuery(`create schema ${schema}`);
        const url = new URL(postgresUrl);
        url.searchParams.set('options', `-c search_path=${schema}`);
        return {
          url: url.toString(),
          drop: () => adminQuery(`drop schema if exists ${schema} cascade`),
        };
      },
    }
  : undefined;

export const databaseKinds: readonly DatabaseKind[] = postgres ? [sqlite, postgres] : [sqlite];

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The database at `url`, migrated, with a store over it (storage-level tests). */
export async function openMigratedStore(
  url: string,
): Promise<{ database: Database; store: Store }> {
  const target = parseDatabaseUrl(url);
  if (typeof target === 'string') throw new Error(target);
  const database = openDatabase(target);
  await migrateToLatest(database);
  return { database, store: createStore(database) };
}
