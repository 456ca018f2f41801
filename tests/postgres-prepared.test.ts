import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/app/ports.js';
import type { Database } from '../src/storage/database.js';
import { openMigratedStore, postgres, type TestDatabase } from './_util/databases.js';

describe.skipIf(!postgres)('PostgreSQL statements', () => {
  let testDatabase: TestDatabase;
  let database: Database;
  let store: Store;

  beforeAll(async () => {
    testDatabase = await postgres!.create();
    ({ database, store } = await openMigratedStore(testDatabase.url));
  });
  afterAll(async () => {
    await store.close();
    await testDatabase.drop();
  });

  it('prepares a statement with parameters once per connection and reuses it', async () => {
    // One connection, so the session that ran the queries is the one asked.
    await database.db.connection().execute(async (connection) => {
      for (const hash of ['a', 'b', 'c'])
        await connection.selectFrom('policies').select('hash').where('hash', '=', hash).execute();
      const prepared = await sql<{ statement: string }>`
        select statement from pg_prepared_statements where statement like '%from "policies"%'
      `.execute(connection);
      expect(prepared.rows.map((r) => r.statement)).toEqual([
        'select "hash" from "policies" where "hash" = $1',
      ]);
    });
  });

  it('plans a pattern match for its pattern every time, unnamed', async () => {
    await database.db.connection().execute(async (connection) => {
      await connection.selectFrom('policies').select('hash').where('hash', 'like', 'a%').execute();
      const prepared = await sql<{ statement: string }>`
        select statement from pg_prepared_statements where statement like '%like%'
      `.execute(connection);
      expect(prepared.rows).toEqual([]);
    });
  });

  it('survives a table changed by another process under a prepared statement', async () => {
    await store.transaction((tx) =>
      tx.policies.remember({ hash: 'h1', source: 'one' }, '2026-11-26T00:00:00.000Z'),
    );
    await database.db.connection().execute(async (connection) => {
      const read = () =>
        connection.selectFrom('policies').selectAll().where('hash', '=', 'h1').execute();
      expect(await read()).toHaveLength(1);
      // A newer release's migration, run by another process.
      const other = new pg.Client({ connectionString: testDatabase.url });
      await other.connect();
      await other.query('alter table policies add column note text');
      await other.end();
      const rows = await read();
      expect(rows).toEqual([expect.objectContaining({ hash: 'h1', note: null })]);
    });
    // The connection with the stale statement was closed; the pool goes on.
    expect(await store.read.policies.find('h1')).toMatchObject({ source: 'one' });
  });

  it('still runs several statements without parameters in one string', async () => {
    await database.db.connection().execute(async (connection) => {
      await sql
        .raw('create temp table multi (x int); insert into multi values (7)')
        .execute(connection);
      const result = await sql<{ x: number }>`select x from multi`.execute(connection);
      expect(result.rows).toEqual([{ x: 7 }]);
    });
  });
});
