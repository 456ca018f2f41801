import { sql } from 'kysely';
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
