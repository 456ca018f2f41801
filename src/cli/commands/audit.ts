import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Policy } from '../../domain/policy.js';
import { withLocalContext } from '../local.js';
import type { CliEnv } from '../main.js';
import { ExitStatus } from '../exit-status.js';
import { parseDateBound } from '../date-range.js';

interface ExportOptions {
  readonly output?: string;
  /** The first instant in. */
  readonly from?: Date;
  /** The first instant out. */
  readonly to?: Date;
  readonly service?: string;
}

export function registerAuditCommands(program: Command, cli: CliEnv): void {
  const audit = program
    .command('audit')
    .description('the tamper-evident history (works on the local database)');
  audit
    .command('verify')
    .description(
      're-hash the whole history, name the first event that does not fit the chain, and check that every stored change, decision and policy agrees with it',
    )
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const [{ verifyAuditTrail }, { parsePolicy }] = await Promise.all([
        import('../../app/audit.js'),
        import('../../policy/load.js'),
      ]);
      // A policy as it was stored; its channels' variables are not needed to judge approvals.
      const storedPolicy = (source: string): Policy | undefined => {
        const result = parsePolicy(source);
        return result.ok ? result.policy : undefined;
      };
      const verdict = await withLocalContext(command, cli, (ctx) =>
        verifyAuditTrail(ctx.store.read, { parsePolicy: storedPolicy }),
      );
      if (options.json) cli.output.out(JSON.stringify(verdict));
      else if (verdict.ok)
        cli.output.out(
          `OK: ${verdict.count} events, the chain is intact (head ${verdict.lastHash.slice(0, 16)}…); ${verdict.changes} changes and ${verdict.policies} policies agree with it`,
        );
      else {
        if (verdict.firstBad)
          cli.output.err(`TAMPERED: event ${verdict.firstBad.eventId}: ${verdict.firstBad.reason}`);
        for (const problem of verdict.problems) cli.output.err(`TAMPERED: ${problem}`);
        if (verdict.problemCount > verdict.problems.length)
          cli.output.err(`(and ${verdict.problemCount - verdict.problems.length} more)`);
        cli.output.err(
          verdict.firstBad
            ? `(${verdict.count} events before it verified)`
            : `(the chain of ${verdict.count} events is intact; the stored data above disagrees with it)`,
        );
      }
      if (!verdict.ok) throw new ExitStatus(1);
    });
  audit
    .command('export')
    .description(
      'write the events as JSON lines, in chain order: every event, or those in a date range and/or of one service',
    )
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .option(
      '--from <date>',
      'events from this day (2026-11-01, UTC) or instant (2026-11-01T09:30:00Z) on',
      (text: string) => parseDateBound(text, 'from'),
    )
    .option('--to <date>', 'events up to and including this day (UTC) or instant', (text: string) =>
      parseDateBound(text, 'to'),
    )
    .option(
      '--service <id>',
      'only the events of changes that touched this service (now or before an edit); leaves out events about no change, such as absences',
    )
    .action(async (options: ExportOptions, command: Command) => {
      const [{ changesTouchingService, filteredEvents }, { presentEvent }] = await Promise.all([
        import('../../app/audit.js'),
        import('../../http/contract/index.js'),
      ]);
      if (options.from && options.to && options.from >= options.to)
        command.error('error: --from is after --to: nothing is in that range', { exitCode: 2 });
      const service = options.service?.trim();
      if (service === '') command.error('error: --service needs a service id', { exitCode: 2 });
      await withLocalContext(command, cli, async (ctx) => {
        // A service the policy no longer has is still asked about, if changes ever touched it.
        if (
          service !== undefined &&
          !ctx.policy.services.has(service) &&
          (await changesTouchingService(ctx.store.read, service)).size === 0
        )
          command.error(
            `error: unknown service "${service}": the policy does not have it and no change ever touched it (the policy's services: ${[...ctx.policy.services.keys()].join(', ')})`,
            { exitCode: 2 },
          );
        const stream = options.output ? createWriteStream(options.output) : undefined;
        let count = 0;
        const filter = { from: options.from, before: options.to, service };
        for await (const event of filteredEvents(ctx.store.read, filter)) {
          const line = JSON.stringify(presentEvent(event));
          if (stream) {
            if (!stream.write(`${line}\n`)) await once(stream, 'drain');
          } else cli.output.out(line);
          count++;
        }
        if (stream) {
          stream.end();
          await once(stream, 'finish');
          cli.output.err(`wrote ${count} events to ${options.output}`);
        }
      });
    });
}
