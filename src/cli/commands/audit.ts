import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Policy } from '../../domain/policy.js';
import { withLocalContext } from '../local.js';
import type { CliEnv } from '../main.js';
import { ExitStatus } from '../exit-status.js';

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
    .description('write every event as JSON lines, in chain order')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(async (options: { output?: string }, command: Command) => {
      const [{ allEvents }, { presentEvent }] = await Promise.all([
        import('../../app/audit.js'),
        import('../../http/contract/index.js'),
      ]);
      await withLocalContext(command, cli, async (ctx) => {
        const stream = options.output ? createWriteStream(options.output) : undefined;
        let count = 0;
        for await (const event of allEvents(ctx.store.read)) {
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
