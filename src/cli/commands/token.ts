import type { Command } from 'commander';
import { createApiToken, revokeApiToken } from '../../app/tokens.js';
import { withLocalContext } from '../local.js';
import type { CliEnv } from '../main.js';
import { ExitStatus } from '../exit-status.js';
import { table } from '../output.js';

export function registerTokenCommands(program: Command, cli: CliEnv): void {
  const token = program
    .command('token')
    .description(
      'API tokens and calendar feed links (works on the local database; no server needed)',
    );
  token
    .command('create')
    .description(
      'create an API token for a person in the policy; it is shown once and stored hashed',
    )
    .argument('<person>', 'person id from the policy')
    .option('--label <label>', 'what the token is for', 'cli')
    .option('--json', 'print JSON')
    .action(
      async (person: string, options: { label: string; json?: boolean }, command: Command) => {
        await withLocalContext(command, cli, async (ctx) => {
          const { token: secret, record } = await createApiToken(
            { policy: ctx.policy, clock: ctx.clock, store: ctx.store },
            person,
            options.label,
          );
          if (options.json) {
            cli.output.out(
              JSON.stringify({
                token: secret,
                id: record.id,
                person: record.person,
                label: record.label,
              }),
            );
            return;
          }
          cli.output.out(secret);
          cli.output.err(
            `Token ${record.id} for ${person} (${options.label}). It is shown only now; keep it secret. Use it as:`,
          );
          cli.output.err('  export CHANGEBOARD_TOKEN=<the token above>');
        });
      },
    );
  token
    .command('list')
    .description('list tokens (never their secrets)')
    .argument('[person]', 'only this person’s')
    .option('--json', 'print JSON')
    .action(async (person: string | undefined, options: { json?: boolean }, command: Command) => {
      await withLocalContext(command, cli, async (ctx) => {
        const tokens = await ctx.store.read.tokens.list(person);
        if (options.json) return cli.output.out(JSON.stringify(tokens, null, 2));
        cli.output.out(
          table(
            tokens.map((t) => [
              String(t.id),
              t.person,
              t.label,
              t.scope,
              t.createdAt,
              t.lastUsedAt ?? '-',
              t.revokedAt ? `revoked ${t.revokedAt}` : 'active',
            ]),
            ['ID', 'PERSON', 'LABEL', 'SCOPE', 'CREATED', 'LAST USED', 'STATUS'],
          ),
        );
      });
    });
  token
    .command('revoke')
    .description('revoke a token by id')
    .argument('<id>', 'token id (see token list)')
    .action(async (id: string, _options: unknown, command: Command) => {
      await withLocalContext(command, cli, async (ctx) => {
        const revoked = await revokeApiToken(
          { clock: ctx.clock, store: ctx.store, tokenCache: ctx.tokenCache },
          Number(id),
        );
        if (!revoked) {
          cli.output.err(`no active token ${id}`);
          throw new ExitStatus(1);
        }
        cli.output.out(`revoked token ${id}`);
      });
    });
}
