import type { Command } from 'commander';
import { relative } from 'node:path';
import type { Config } from '../../config/config.js';
import { StartupError } from '../../config/startup-error.js';
import type { DatabaseInventory } from '../../storage/database-inventory.js';
import { localConfig } from '../local.js';
import type { CliEnv } from '../main.js';

export function registerDemoCommands(program: Command, cli: CliEnv): void {
  const demo = program
    .command('demo')
    .description('the demo (no policy file: the bundled example policy, on SQLite)');
  demo
    .command('seed')
    .description(
      'write about 12 weeks of invented history, ending now, into the demo database: never into a real one',
    )
    .option(
      '--force',
      'also when the demo database already holds changes (adds a second history to them)',
    )
    .action(async (options: { force?: boolean }, command: Command) => {
      const config = localConfig(command, cli);
      refuse(refusalsForConfig(config));
      const [{ createContext, loadPolicyOrThrow }, { inspectDatabase }, { seedDemoHistory }] =
        await Promise.all([
          import('../../context.js'),
          import('../../storage/database-inventory.js'),
          import('../demo/seed-history.js'),
        ]);
      const { policy } = await loadPolicyOrThrow(config);
      // Read before anything is written (not even a migration): refused, the database is untouched.
      const inventory = await inspectDatabase(config.database);
      refuse(refusalsForDatabase(inventory, policy.hash, options.force === true));

      const started = Date.now();
      const ctx = await createContext(config);
      try {
        const summary = await seedDemoHistory(ctx, {
          now: ctx.clock.now(),
          existingChanges: inventory.changes,
        });
        const events = (await ctx.store.read.events.head())?.lastId ?? 0;
        const states = Object.entries(summary.byState)
          .sort(([, a], [, b]) => b - a)
          .map(([state, count]) => `${count} ${state.replace('_', ' ')}`)
          .join(', ');
        const where = relative(process.cwd(), config.database.location) || config.database.location;
        cli.output.out(
          `Seeded ${where} with ${summary.changes} changes from ${day(summary.from)} to ${day(summary.to)} (${((Date.now() - started) / 1000).toFixed(1)} s): ${states}.`,
        );
        cli.output.out(
          `The audit chain now holds ${events} events (check it: npx changeboard audit verify). Nothing was queued to be sent for this history.`,
        );
        cli.output.out('Start the demo (npm start), sign in, and open the board or the insights.');
      } finally {
        await ctx.close();
      }
    });
}

/**
 * The seed invents a team's history, so it must never run where a real team
 * keeps theirs. It runs only in demo mode (no policy file anywhere: the bundled
 * example), only on SQLite (PostgreSQL is never the demo's), and only on a
 * database that has never known any other policy.
 */
export function refusalsForConfig(config: Config): string[] {
  const problems: string[] = [];
  if (!config.demo)
    problems.push(
      `the policy is ${config.policyFile}: the seed runs only in demo mode, with no policy file (no --config, no CHANGEBOARD_CONFIG, no ./changeboard.yaml)`,
    );
  if (config.database.dialect !== 'sqlite')
    problems.push(
      'DATABASE_URL is a PostgreSQL database: the seed never writes to PostgreSQL (the demo runs on SQLite: leave DATABASE_URL unset)',
    );
  else if (config.database.location === ':memory:')
    problems.push('DATABASE_URL is an in-memory database: a seeded history would vanish at once');
  return problems;
}

/** An empty database, or with --force one holding only demo changes: never one that knew another policy. */
export function refusalsForDatabase(
  inventory: DatabaseInventory,
  bundledHash: string,
  force: boolean,
): string[] {
  const others = inventory.policyHashes.filter((hash) => hash !== bundledHash);
  if (others.length > 0)
    return [
      `this database has known ${others.length} policy version(s) other than the bundled example (${others.map((h) => `${h.slice(0, 12)}…`).join(', ')}): it is not the demo's, and --force does not change that (to start a fresh demo, point DATABASE_URL at a new file)`,
    ];
  if (inventory.changes > 0 && !force)
    return [
      `the database already holds ${inventory.changes} change(s): the seed writes into an empty demo database (--force adds another history to these)`,
    ];
  return [];
}

function refuse(problems: readonly string[]): void {
  if (problems.length > 0)
    throw new StartupError('demo seed refused: it never writes outside the demo', [...problems]);
}

function day(at: Date): string {
  return at.toISOString().slice(0, 10);
}
