import { Option, type Command } from 'commander';
import { ApiClient } from './client.js';
import type { CliEnv } from './main.js';

/** What every command that talks to a running server accepts. */
export interface RemoteOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** Adds the server's URL, the API token and `--json` to a command that talks to a server. */
export function remote(command: Command): Command {
  return connection(command).option('--json', 'print JSON instead of a readable summary');
}

/** Adds the server's URL and the API token: for a command whose answer is not JSON. */
export function connection(command: Command): Command {
  return command
    .addOption(
      new Option('--url <url>', 'Changeboard server')
        .env('CHANGEBOARD_URL')
        .default('http://localhost:8080'),
    )
    .addOption(new Option('--token <token>', 'API token').env('CHANGEBOARD_TOKEN'));
}

export function clientFor(cli: CliEnv, options: RemoteOptions, timeoutMs?: number): ApiClient {
  return new ApiClient(
    options.url ?? cli.env.CHANGEBOARD_URL ?? 'http://localhost:8080',
    options.token ?? cli.env.CHANGEBOARD_TOKEN,
    timeoutMs,
  );
}
