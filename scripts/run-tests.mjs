#!/usr/bin/env node
// Runs the whole Vitest suite and ends with the one line CI reads: "N passed, N failed".
// Finds PostgreSQL first: with TEST_POSTGRES_URL set it must be reachable (CI);
// without it, 127.0.0.1:5432 is tried and the PostgreSQL suite is skipped, loudly, if absent.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import pg from 'pg';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';
const explicit = process.env.TEST_POSTGRES_URL;

async function reachable(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    return error.message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const url = explicit || DEFAULT_URL;
const probe = await reachable(url);
const env = { ...process.env };
let warning;
if (probe === true) {
  env.TEST_POSTGRES_URL = url;
} else if (explicit) {
  console.error(`TEST_POSTGRES_URL is set but PostgreSQL is not reachable at ${url}: ${probe}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
} else {
  delete env.TEST_POSTGRES_URL;
  warning = [
    '',
    '#'.repeat(78),
    `#  POSTGRESQL SUITE SKIPPED: no PostgreSQL at ${url} (${probe}).`,
    '#  Only SQLite was tested. Set TEST_POSTGRES_URL to a reachable database to run both.',
    '#'.repeat(78),
    '',
  ].join('\n');
  console.error(warning);
}

mkdirSync('.test-results', { recursive: true });
const report = '.test-results/vitest.json';
rmSync(report, { force: true });
const child = spawn(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env },
);
const code = await new Promise((resolve) =>
  child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))),
);

let passed = 0;
let failed = 0;
try {
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests;
  // A file that fails to load has no failed tests of its own: count it once.
  if (failed === 0) failed = results.numFailedTestSuites ?? 0;
  if (failed === 0 && code !== 0) failed = 1;
} catch {
  failed = 1;
}
if (warning) console.error(warning);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || code !== 0 ? 1 : 0);
