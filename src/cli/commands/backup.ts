import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { DatabaseTarget } from '../../storage/database-url.js';
import { ExitStatus } from '../exit-status.js';
import { localConfig } from '../local.js';
import type { CliEnv } from '../main.js';

/**
 * `changeboard backup <file>` and `changeboard restore <file>`, for SQLite.
 * Both verify what they wrote the way `audit verify` does (cli/verify-copy.ts)
 * and never leave a file under its final name that failed verification.
 * PostgreSQL has pg_dump and pg_restore (README, "Backups").
 */
export function registerBackupCommands(program: Command, cli: CliEnv): void {
  program
    .command('backup')
    .description(
      'copy the SQLite database while the server keeps running, then verify the copy (integrity check and audit verify)',
    )
    .argument('<file>', 'where to write the copy')
    .option('--force', 'replace the file if it exists')
    .option('--json', 'print JSON')
    .action(
      async (file: string, options: { force?: boolean; json?: boolean }, command: Command) => {
        const source = sqliteLocation(localConfig(command, cli).database, 'backup', cli);
        await backup(source, resolve(file), options, cli);
      },
    );
  program
    .command('restore')
    .description(
      'verify a backup and put it in place of the SQLite database (the server must be stopped)',
    )
    .argument('<file>', 'the backup to restore')
    .option('--force', 'replace an existing database (it is kept beside it, renamed)')
    .action(async (file: string, options: { force?: boolean }, command: Command) => {
      const target = sqliteLocation(localConfig(command, cli).database, 'restore', cli);
      await restore(resolve(file), target, options, cli);
    });
}

async function backup(
  source: string,
  destination: string,
  options: { force?: boolean; json?: boolean },
  cli: CliEnv,
): Promise<void> {
  const { copySqliteOnline, SQLITE_SIDE_FILES, syncDirectory, syncFile } =
    await import('../../storage/dialects/sqlite-backup.js');
  const { verifySqliteCopy, describeVerified } = await import('../verify-copy.js');
  if (!existsSync(source)) refuse(cli, `there is no database at ${source} (DATABASE_URL)`);
  if ([source, ...SQLITE_SIDE_FILES.map((suffix) => `${source}${suffix}`)].includes(destination))
    refuse(cli, `${destination} is the database itself; name another file`);
  if (existsSync(destination) && !options.force)
    refuse(cli, `${destination} already exists; pass --force to replace it`);

  mkdirSync(dirname(destination), { recursive: true });
  const partial = `${destination}.partial-${randomBytes(4).toString('hex')}`;
  try {
    const started = performance.now();
    const { pages } = await copySqliteOnline(source, partial);
    const verdict = await verifySqliteCopy(partial);
    if (!verdict.ok) {
      // Kept for whoever investigates: a fresh copy that fails verification
      // means the database itself is damaged or was tampered with.
      const failed = `${destination}.failed`;
      renameSync(partial, failed);
      cli.output.err(`error: the copy of ${source} failed verification:`);
      for (const problem of verdict.problems) cli.output.err(`  ${problem}`);
      cli.output.err(
        `The copy is kept as ${failed} for inspection; ${destination} was not written.`,
      );
      throw new ExitStatus(1);
    }
    syncFile(partial);
    if (options.force) renameSync(partial, destination);
    else {
      // A link fails if the name was taken meanwhile, where a rename would replace it.
      linkSync(partial, destination);
      unlinkSync(partial);
    }
    syncDirectory(dirname(destination));
    const bytes = statSync(destination).size;
    const seconds = (performance.now() - started) / 1000;
    if (options.json)
      cli.output.out(
        JSON.stringify({
          file: destination,
          source,
          bytes,
          pages,
          integrity: 'ok',
          events: verdict.audit.count,
          chainHead: verdict.audit.lastHash,
          changes: verdict.audit.changes,
          policies: verdict.audit.policies,
        }),
      );
    else {
      cli.output.out(
        `backed up ${source} to ${destination} (${formatBytes(bytes)}, ${seconds.toFixed(1)} s)`,
      );
      cli.output.out(`verified: ${describeVerified(verdict.audit)}`);
    }
  } finally {
    for (const suffix of ['', ...SQLITE_SIDE_FILES]) rmSync(`${partial}${suffix}`, { force: true });
  }
}

async function restore(
  backupFile: string,
  target: string,
  options: { force?: boolean },
  cli: CliEnv,
): Promise<void> {
  const { copySqliteFile, installSqliteFile, isSqliteInUse, SQLITE_SIDE_FILES } =
    await import('../../storage/dialects/sqlite-backup.js');
  const { verifySqliteCopy, describeVerified } = await import('../verify-copy.js');
  if (!existsSync(backupFile)) refuse(cli, `there is no backup at ${backupFile}`);
  if (backupFile === target)
    refuse(cli, `${backupFile} is the database DATABASE_URL names; nothing to restore`);

  // A -wal without its database counts: it would be replayed into the restored file.
  if ([target, ...SQLITE_SIDE_FILES.map((suffix) => `${target}${suffix}`)].some(existsSync)) {
    if (existsSync(target) && probeInUse(isSqliteInUse, target))
      refuse(
        cli,
        `the database at ${target} is in use (a running Changeboard server or another process has it open); stop it, then restore with --force`,
      );
    if (!options.force)
      refuse(
        cli,
        `a database already exists at ${target}; pass --force to replace it (it is kept beside it, renamed)`,
      );
  }

  mkdirSync(dirname(target), { recursive: true });
  // In the target's own directory, so the final rename is atomic.
  const partial = join(
    dirname(target),
    `.${basename(target)}.restore-${randomBytes(4).toString('hex')}`,
  );
  try {
    try {
      await copySqliteFile(backupFile, partial);
    } catch (error) {
      refuse(
        cli,
        `the backup ${backupFile} is not a usable SQLite database (${error instanceof Error ? error.message : String(error)}); nothing was restored`,
      );
    }
    const before = await verifySqliteCopy(partial);
    if (!before.ok) {
      cli.output.err(`error: the backup ${backupFile} failed verification; nothing was restored:`);
      for (const problem of before.problems) cli.output.err(`  ${problem}`);
      throw new ExitStatus(1);
    }

    // Asked again just before the swap: a server may have started meanwhile.
    // A server starting during the swap itself cannot be told apart (stop it first).
    if (existsSync(target) && probeInUse(isSqliteInUse, target, true))
      refuse(
        cli,
        `the database at ${target} came into use during the restore; nothing was restored`,
      );
    const aside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    installSqliteFile(partial, target, aside);
    const after = await verifySqliteCopy(target);
    if (!after.ok) {
      cli.output.err(`error: the restored database at ${target} failed verification:`);
      for (const problem of after.problems) cli.output.err(`  ${problem}`);
      throw new ExitStatus(1);
    }
    cli.output.out(`restored ${backupFile} to ${target}`);
    cli.output.out(`verified: ${describeVerified(after.audit)}`);
    if (existsSync(aside)) cli.output.out(`The database that was there is kept as ${aside}.`);
  } finally {
    for (const suffix of ['', ...SQLITE_SIDE_FILES]) rmSync(`${partial}${suffix}`, { force: true });
  }
}

/**
 * Whether someone holds the database open. A file SQLite cannot read at all
 * is not a database anyone is using; with --force it is moved aside like any other.
 */
function probeInUse(
  isSqliteInUse: (file: string, options?: { foldLog?: boolean }) => boolean,
  file: string,
  foldLog = false,
): boolean {
  try {
    return isSqliteInUse(file, { foldLog });
  } catch {
    return false;
  }
}

function sqliteLocation(database: DatabaseTarget, verb: 'backup' | 'restore', cli: CliEnv): string {
  if (database.dialect === 'postgres')
    refuse(
      cli,
      verb === 'backup'
        ? 'DATABASE_URL is a PostgreSQL database: back it up with pg_dump -Fc (README, "Backups"); changeboard backup copies SQLite databases'
        : 'DATABASE_URL is a PostgreSQL database: restore it with pg_restore, then run changeboard audit verify (README, "Backups"); changeboard restore is for SQLite databases',
    );
  if (database.location === ':memory:')
    refuse(cli, `DATABASE_URL is an in-memory database: there is no file to ${verb}`);
  return database.location;
}

function refuse(cli: CliEnv, message: string): never {
  cli.output.err(`error: ${message}`);
  throw new ExitStatus(1);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
