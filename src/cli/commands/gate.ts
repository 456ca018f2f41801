import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { formatDuration, parseDuration } from '../../shared/duration.js';
import { ApiClient, ApiError } from '../client.js';
import { ExitStatus } from '../exit-status.js';
import type { CliEnv } from '../main.js';
import type { GateJson } from '../types.js';

/** Exit statuses a pipeline branches on. */
export const GATE_EXIT = { covered: 0, notCovered: 1, usage: 2, timedOut: 3 } as const;

interface GateOptions {
  url: string;
  token?: string;
  json?: boolean;
  repo?: string;
  sha?: string;
  change?: string;
  wait?: boolean;
  timeout: string;
  interval: string;
}

export function registerGateCommand(program: Command, cli: CliEnv): void {
  program
    .command('gate')
    .description(
      'for pipelines: exit 0 when an approved change covers the commit (or the change is approved), 1 when not; with --wait, poll until it is, 3 on timeout',
    )
    .option('--repo <owner/name>', 'the GitHub repository of the commit (with --sha)')
    .option('--sha <sha>', 'the full commit SHA (with --repo)')
    .option('--change <id>', 'a change id instead of a commit, e.g. CHG-42')
    .option('--wait', 'poll until the commit is covered or can no longer be (rejected, withdrawn)')
    .option('--timeout <duration>', 'with --wait: give up after this long (e.g. 30m, 1h)', '30m')
    .option('--interval <duration>', 'with --wait: ask about this often (jittered)', '10s')
    .addOption(
      new Option('--url <url>', 'Changeboard server')
        .env('CHANGEBOARD_URL')
        .default('http://localhost:8080'),
    )
    .addOption(new Option('--token <token>', 'API token').env('CHANGEBOARD_TOKEN'))
    .option('--json', 'print the answer as JSON')
    .action(async (options: GateOptions, command: Command) => {
      const query = gateQuery(options, command);
      const timeoutMs = duration(options.timeout, '--timeout', command);
      const intervalMs = duration(options.interval, '--interval', command);
      const started = performance.now();
      const deadline = started + timeoutMs;
      const print = (answer: GateJson, verdict: string) => {
        if (options.json) return cli.output.out(JSON.stringify(answer, null, 2));
        cli.output.out(
          `${verdict}: ${answer.reason}${answer.change ? ` ${answer.change.url}` : ''}`,
        );
      };

      let last: GateJson | undefined;
      let lastReport = '';
      for (;;) {
        const remaining = deadline - performance.now();
        try {
          // A request never outlives the deadline: with --wait the timeout is kept to the second.
          const timeout = options.wait
            ? Math.ceil(Math.max(1, Math.min(30_000, remaining)))
            : 30_000;
          const client = new ApiClient(options.url, options.token, timeout);
          last = await client.request<GateJson>('GET', `/gate?${query}`);
        } catch (error) {
          if (!options.wait || !isTransient(error)) throw error;
          const report = `waiting: ${(error as Error).message}`;
          if (report !== lastReport) cli.output.err(report);
          lastReport = report;
        }
        if (last?.covered) {
          print(last, 'approved');
          return;
        }
        if (last && (!options.wait || last.final)) {
          print(last, 'not approved');
          throw new ExitStatus(GATE_EXIT.notCovered);
        }
        const left = deadline - performance.now();
        if (left <= 0) {
          const waited = formatDuration(performance.now() - started);
          if (last) print(last, `timed out after ${waited}`);
          else cli.output.out(`timed out after ${waited}: no answer from ${options.url}`);
          throw new ExitStatus(GATE_EXIT.timedOut);
        }
        if (last && !options.json) {
          const report = `waiting: ${last.reason}${last.change ? ` ${last.change.url}` : ''}`;
          if (report !== lastReport) cli.output.err(report);
          lastReport = report;
        }
        // ±20 % jitter, so many pipelines waiting on one change do not ask in step.
        await sleep(Math.min(left, intervalMs * (0.8 + Math.random() * 0.4)));
      }
    });
}

function gateQuery(options: GateOptions, command: Command): string {
  const query = new URLSearchParams();
  if (options.change !== undefined) {
    if (options.repo !== undefined || options.sha !== undefined)
      command.error('error: give either --change or --repo with --sha, not both', {
        exitCode: GATE_EXIT.usage,
      });
    query.set('change', options.change);
  } else if (options.repo !== undefined && options.sha !== undefined) {
    query.set('repo', options.repo);
    query.set('sha', options.sha);
  } else {
    command.error('error: name a commit (--repo OWNER/NAME --sha SHA) or a change (--change ID)', {
      exitCode: GATE_EXIT.usage,
    });
  }
  return query.toString();
}

function duration(text: string, name: string, command: Command): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    command.error(`error: ${name} "${text}" is not a duration; write it like 30s, 10m or 1h`, {
      exitCode: GATE_EXIT.usage,
    });
  return ms;
}

/** Worth asking again: the server is unreachable, restarting, overloaded or rate limiting. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status >= 500 || error.status === 429 || error.status === 408;
}
