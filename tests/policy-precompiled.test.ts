import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../src/policy/load.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = readFileSync(join(ROOT, 'examples/changeboard.yaml'), 'utf8');

/** The built CLI's `policy check --json`: it checks with the validators the build precompiled. */
function builtCheck(file: string): Promise<{ ok: boolean; problems: unknown[] }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(ROOT, 'bin/changeboard.js'), 'policy', 'check', '--json', file],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: 'test' }, timeout: 30_000 },
      (error, stdout) => {
        if (stdout) resolve(JSON.parse(stdout) as { ok: boolean; problems: unknown[] });
        else reject(error ?? new Error('policy check printed nothing'));
      },
    );
  });
}

/**
 * The build compiles the policy schema ahead (scripts/precompile-policy-validators.mjs);
 * tests import the sources, which compile it at load. Both must find the same problems.
 */
describe.skipIf(!existsSync(join(ROOT, 'dist/policy/precompiled/policy-shape.cjs')))(
  'policy check with the precompiled validators',
  () => {
    const folder = mkdtempSync(join(tmpdir(), 'changeboard-policy-'));
    const variants: Record<string, string> = {
      example: EXAMPLE,
      misspelt: EXAMPLE.replace('remindAfter:', 'remindAftr:').replace('approvals:', 'aprovals:'),
      'bad values': EXAMPLE.replace(/email: \S+/, 'email: not-an-address').replace(
        /to: 2027-01-04T00:00:00Z/,
        'to: 2026-12-31T23:59:60Z',
      ),
      'missing sections': 'version: 1\norganization: Example\npeople: []\n',
      'bad meetings': EXAMPLE.replace('rrule: "FREQ=WEEKLY;BYDAY=TU"', 'rrule: "FREQ=HOURLY"')
        .replace('attendees: [hosting-supplier, change-managers]', 'attendees: [hosting-suplier]')
        .replace('agendaLeadTime: 1d', 'agendaLeadTim: 1d'),
      'bad freezes': EXAMPLE.replace('duration: 9h', 'duration: 8d')
        .replace('    to: 2027-01-04T00:00:00Z', '    to: "2027-01-04T00:00"')
        .replace(
          '    allow: [emergency, standard]',
          '    allow: [emergency, standard]\n    at: "15:00"',
        ),
      'bad standard changes': EXAMPLE.replace('    approvedBy: kim', '    approvedBy: kimm')
        .replace('    locked: [risk]', '    lockd: [risk]')
        .replace('      risk: low', '      risk: tiny')
        .replace('    services: [website, payments]', '    services: [website, paymnts]'),
      'bad meeting start': EXAMPLE.replace(
        'at: "14:00", duration: 1h,',
        'at: "14:00", duration: 1h, starts: 2026-02-30,',
      ),
    };

    for (const [name, text] of Object.entries(variants)) {
      it(`finds what the sources find: ${name}`, { timeout: 40_000 }, async () => {
        const file = join(folder, `${name.replace(/\W/g, '-')}.yaml`);
        writeFileSync(file, text);
        const expected = await loadPolicyFile(file, process.env);
        const built = await builtCheck(file);
        expect(built.ok).toBe(expected.ok);
        expect(built.problems).toEqual(expected.ok ? expected.warnings : expected.problems);
        if (name !== 'example') expect(built.problems.length).toBeGreaterThan(0);
      });
    }
  },
);
