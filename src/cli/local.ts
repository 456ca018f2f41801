import type { Command } from 'commander';
import { readConfig, type Config, type ConfigOverrides } from '../config/config.js';
import { StartupError } from '../config/startup-error.js';
import type { AppContext } from '../context.js';
import type { CliEnv } from './main.js';

/** Configuration for the verbs that work on the local database and policy file directly. */
export function localConfig(
  command: Command,
  cli: CliEnv,
  overrides: ConfigOverrides = {},
): Config {
  const { config: policyFile } = command.optsWithGlobals<{ config?: string }>();
  const result = readConfig(cli.env, { policyFile, ...overrides });
  if (!result.ok) throw new StartupError('invalid settings', result.problems);
  return result.config;
}

export async function withLocalContext<T>(
  command: Command,
  cli: CliEnv,
  work: (ctx: AppContext) => Promise<T>,
): Promise<T> {
  // Loaded on demand: the remote verbs never need the database drivers.
  const { createContext } = await import('../context.js');
  const ctx = await createContext(localConfig(command, cli));
  try {
    return await work(ctx);
  } finally {
    await ctx.close();
  }
}
