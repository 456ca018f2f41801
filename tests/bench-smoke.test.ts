import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Keeps `npm run bench` from rotting: a very short run on SQLite must measure
 * every operation without a single failed request. It asserts no speed: this
 * machine is shared, so timings belong in the benchmark's report, not in tests.
 */
describe.skipIf(!existsSync(join(ROOT, 'dist/bin/changeboard.js')))(
  'the benchmark suite (smoke run)',
  () => {
    it(
      'measures every operation against its baseline without errors',
      { timeout: 240_000 },
      async () => {
        const output = join(mkdtempSync(join(tmpdir(), 'changeboard-bench-')), 'result.json');
        await new Promise<void>((resolve, reject) => {
          execFile(
            process.execPath,
            [
              '--import',
              'tsx',
              'bench/run.ts',
              '--smoke',
              '--db',
              'sqlite',
              '--duration',
              '1',
              '--rows',
              '2000',
              '--connections',
              '10',
              '--json',
              output,
            ],
            { cwd: ROOT, timeout: 220_000, env: { ...process.env, NODE_NO_WARNINGS: '1' } },
            (error, _stdout, stderr) =>
              error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(),
          );
        });
        const report = JSON.parse(readFileSync(output, 'utf8')) as {
          rows: { operation: string; requestsPerSecond: number; errors: number; ratio?: number }[];
          memory: Record<string, { idleRssMb: number }>;
          latencies: Record<string, { count: number }>;
          cli: Record<string, { medianMs: number; vsNode: number }>;
        };
        const operations = report.rows.map((r) => r.operation);
        for (const expected of [
          'baseline: validate + insert one row',
          'create a draft',
          'create + submit (per change)',
          'approve (completes the change)',
          'read one change',
          'GitHub webhook: signed approved review → draft',
          "floor: a create + submit's rows written directly",
          'create + submit against the floor beside it',
        ]) {
          expect(operations).toContain(expected);
        }
        expect(operations.some((o) => o.startsWith('list the board: pending + payments'))).toBe(
          true,
        );
        expect(operations.some((o) => o.startsWith('insights: a year at 2,000 changes'))).toBe(
          true,
        );
        for (const row of report.rows) {
          expect(row.requestsPerSecond, row.operation).toBeGreaterThan(0);
          expect(row.errors, row.operation).toBe(0);
        }
        expect(report.memory.sqlite!.idleRssMb).toBeGreaterThan(0);
        expect(report.latencies.sqlite!.count).toBeGreaterThan(0);
        expect(Object.keys(report.cli).sort()).toEqual([
          'changeboard --help',
          'changeboard change list',
          'changeboard policy check',
        ]);
        for (const c of Object.values(report.cli)) expect(c.vsNode).toBeGreaterThan(0);
      },
    );
  },
);
