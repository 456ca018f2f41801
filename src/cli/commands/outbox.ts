import type { Command } from 'commander';
import { retryDelivery } from '../../app/deliveries.js';
import { OUTBOX_STATUSES, type OutboxMessage, type OutboxStatus } from '../../app/ports.js';
import { formatChangeId, parseChangeId } from '../../domain/change.js';
import { ExitStatus } from '../exit-status.js';
import { withLocalContext } from '../local.js';
import type { CliEnv } from '../main.js';
import { table, truncate } from '../output.js';

export function registerOutboxCommands(program: Command, cli: CliEnv): void {
  const outbox = program
    .command('outbox')
    .description('notification deliveries (works on the local database)');
  outbox
    .command('list')
    .description('list deliveries, newest first, with their last error')
    .option(
      '--status <statuses>',
      `comma-separated: ${OUTBOX_STATUSES.join(', ')}`,
      'pending,failed,dead',
    )
    .option('--change <id>', 'only those of one change')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(
      async (
        options: { status: string; change?: string; limit: string; json?: boolean },
        command: Command,
      ) => {
        const statuses =
          options.status === 'all' ? [] : options.status.split(',').map((s) => s.trim());
        const unknown = statuses.filter((s) => !(OUTBOX_STATUSES as readonly string[]).includes(s));
        if (unknown.length) {
          cli.output.err(
            `unknown status ${unknown.join(', ')}; use ${OUTBOX_STATUSES.join(', ')} or all`,
          );
          throw new ExitStatus(2);
        }
        await withLocalContext(command, cli, async (ctx) => {
          const items = await ctx.store.read.outbox.list({
            statuses: statuses as OutboxStatus[],
            changeId: options.change ? parseChangeId(options.change) : undefined,
            limit: Number(options.limit),
          });
          const counts = await ctx.store.read.outbox.countByStatus();
          if (options.json) return cli.output.out(JSON.stringify({ items, counts }, null, 2));
          if (items.length === 0) cli.output.out('Nothing to show.');
          else
            cli.output.out(
              table(
                items.map((m) => [
                  m.id,
                  m.status,
                  m.kind,
                  m.target,
                  m.changeId === null ? '-' : formatChangeId(m.changeId),
                  String(m.attempts),
                  whenOf(m),
                  truncate(m.lastError ?? '', 60),
                ]),
                ['ID', 'STATUS', 'KIND', 'TARGET', 'CHANGE', 'TRIES', 'WHEN', 'LAST ERROR'],
              ),
            );
          cli.output.out(
            `\n${Object.entries(counts)
              .map(([status, n]) => `${status}: ${n}`)
              .join('  ')}`,
          );
        });
      },
    );
  outbox
    .command('retry')
    .description(
      'send failed or dead deliveries again (the running server picks them up within seconds)',
    )
    .argument('<ids...>', 'delivery ids (see outbox list)')
    .action(async (ids: string[], _options: unknown, command: Command) => {
      await withLocalContext(command, cli, async (ctx) => {
        for (const id of ids) {
          await retryDelivery(ctx, 'local-admin', id);
          cli.output.out(`queued ${id} again`);
        }
      });
    });
}

/** What the time of a delivery means in its state: a dead one has no next time. */
function whenOf(message: OutboxMessage): string {
  switch (message.status) {
    case 'pending':
      return `due ${message.nextAttemptAt}`;
    case 'sending':
      return `leased until ${message.leaseExpiresAt ?? '?'}`;
    case 'failed':
      return `retry ${message.nextAttemptAt}`;
    case 'sent':
      return `sent ${message.sentAt ?? '?'}`;
    case 'skipped':
      return `skipped ${message.sentAt ?? '?'}`;
    case 'dead':
      return 'never (dead)';
  }
}
