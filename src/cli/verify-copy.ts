import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditTrail, type AuditVerdict } from '../app/audit.js';
import type { Policy } from '../domain/policy.js';
import { parsePolicy } from '../policy/load.js';
import { createStore, migrateToLatest, openDatabase } from '../storage/database.js';
import {
  findIntegrityProblems,
  listAppliedMigrations,
  openSqliteReadOnly,
} from '../storage/dialects/sqlite-backup.js';
import { migrations } from '../storage/migrations/index.js';

export type CopyVerdict =
  | { readonly ok: true; readonly audit: Extract<AuditVerdict, { ok: true }> }
  | {
      readonly ok: false;
      /** What is wrong, one line each, for people. */
      readonly problems: readonly string[];
      /** When the file could be read as a Changeboard database: what `audit verify` said. */
      readonly audit?: AuditVerdict;
    };

/**
 * What `changeboard backup` and `restore` check on a copy: SQLite's own
 * integrity check, then everything `audit verify` checks (the hash chain up to
 * its recorded head, and every change, decision and policy against it). The
 * file is opened read-only. A copy made by an older Changeboard (a backup
 * taken before an upgrade) is verified on a migrated scratch copy, as the
 * server would migrate it on start; one made by a newer one is refused.
 */
export async function verifySqliteCopy(file: string): Promise<CopyVerdict> {
  let integrity: string[];
  let applied: string[] | undefined;
  try {
    integrity = findIntegrityProblems(file);
    applied = integrity.length === 0 ? listAppliedMigrations(file) : [];
  } catch (error) {
    return {
      ok: false,
      problems: [`it is not a usable SQLite database: ${messageOf(error)}`],
    };
  }
  if (integrity.length > 0)
    return {
      ok: false,
      problems: integrity.map((finding) => `integrity check: ${finding}`),
    };
  if (applied === undefined || applied.length === 0)
    return {
      ok: false,
      problems: ['it is not a Changeboard database (no migrations were applied)'],
    };
  const known = Object.keys(migrations('sqlite'));
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    return {
      ok: false,
      problems: [
        `it was written by a newer Changeboard (migrations ${unknown.join(', ')} are unknown to this one): verify it with that version`,
      ],
    };

  let audit: AuditVerdict;
  try {
    audit =
      applied.length === known.length ? await auditReadOnly(file) : await auditMigratedCopy(file);
  } catch (error) {
    return { ok: false, problems: [`its history could not be read: ${messageOf(error)}`] };
  }
  if (audit.ok) return { ok: true, audit };
  return { ok: false, problems: describeAuditProblems(audit), audit };
}

/** Lines in the words `audit verify` uses. */
export function describeAuditProblems(verdict: Extract<AuditVerdict, { ok: false }>): string[] {
  const lines: string[] = [];
  if (verdict.firstBad)
    lines.push(`TAMPERED: event ${verdict.firstBad.eventId}: ${verdict.firstBad.reason}`);
  for (const problem of verdict.problems) lines.push(`TAMPERED: ${problem}`);
  if (verdict.problemCount > verdict.problems.length)
    lines.push(`(and ${verdict.problemCount - verdict.problems.length} more)`);
  lines.push(
    verdict.firstBad
      ? `(${verdict.count} events before it verified)`
      : `(the chain of ${verdict.count} events is intact; the stored data above disagrees with it)`,
  );
  return lines;
}

/** One line: what was verified. */
export function describeVerified(verdict: Extract<AuditVerdict, { ok: true }>): string {
  return `integrity ok; ${verdict.count} events, the chain is intact (head ${verdict.lastHash.slice(0, 16)}…); ${verdict.changes} changes and ${verdict.policies} policies agree with it`;
}

async function auditReadOnly(file: string): Promise<AuditVerdict> {
  const store = createStore(openSqliteReadOnly(file));
  try {
    return await verifyAuditTrail(store.read, { parsePolicy: storedPolicy });
  } finally {
    await store.close();
  }
}

async function auditMigratedCopy(file: string): Promise<AuditVerdict> {
  const dir = mkdtempSync(join(tmpdir(), 'changeboard-verify-'));
  try {
    const scratch = join(dir, 'copy.db');
    copyFileSync(file, scratch);
    const database = openDatabase({ dialect: 'sqlite', location: scratch });
    const store = createStore(database);
    try {
      await migrateToLatest(database);
      return await verifyAuditTrail(store.read, { parsePolicy: storedPolicy });
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A policy as it was stored; its channels' variables are not needed to judge approvals. */
function storedPolicy(source: string): Policy | undefined {
  const result = parsePolicy(source);
  return result.ok ? result.policy : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
