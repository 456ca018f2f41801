import type { Command } from 'commander';
import cluster from 'node:cluster';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Config } from '../../config/config.js';
import { StartupError } from '../../config/startup-error.js';
import type { PolicyApplication } from '../../app/apply-policy.js';
import type { AppContext } from '../../context.js';
import { AppError } from '../../domain/errors.js';
import { localConfig } from '../local.js';
import type { CliEnv } from '../main.js';

/** How long SIGTERM waits for requests and deliveries in flight before the process ends anyway. */
const SHUTDOWN_GRACE_MS = 8_000;

export function registerServeCommand(program: Command, cli: CliEnv): void {
  program
    .command('serve')
    .description('run the Changeboard server (API on /api/v1)')
    .option('-p, --port <port>', 'port to listen on (default: $PORT or 8080)')
    .option(
      '-w, --workers <n>',
      'run n processes sharing the port (PostgreSQL only: they coordinate through the database)',
      '1',
    )
    .action(async (options: { port?: string; workers: string }, command: Command) => {
      const config = localConfig(command, cli, { port: options.port });
      const workers = Number(options.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
        throw new StartupError('invalid settings', [
          `--workers: "${options.workers}" is not a whole number from 1 to 64`,
        ]);
      }
      if (workers > 1 && config.database.dialect !== 'postgres') {
        throw new StartupError('invalid settings', [
          '--workers: several processes need PostgreSQL (DATABASE_URL=postgres://…); SQLite serves one process',
        ]);
      }
      if (workers > 1 && cluster.isPrimary) return superviseWorkers(config, workers, cli);
      // In a cluster only the first worker introduces the server.
      const quiet = cluster.isWorker && cluster.worker?.id !== 1;
      const [
        { createContext },
        { buildServer },
        { createSignInLink, signInUrl },
        { logSerializers },
      ] = await Promise.all([
        import('../../context.js'),
        import('../../http/server.js'),
        import('../../app/sign-in.js'),
        import('../../http/log.js'),
      ]);
      // The dispatcher logs through the server's logger, which exists only once the server is built.
      const sink: {
        log?: (
          level: 'info' | 'warn' | 'error',
          message: string,
          data?: Record<string, unknown>,
        ) => void;
      } = {
        // Until then (start-up: the policy file against the policy in force), to stderr.
        log: (level, message) => cli.output.err(`${level}: ${message}`),
      };
      const ctx = await createContext(config, {
        log: (level, message, data) => sink.log?.(level, message, data),
        adoptPolicyFile: true,
      });
      const logFormat = config.logFormat ?? (process.stdout.isTTY ? 'text' : 'json');
      // The formatter for people is loaded only when it is used.
      const terminal =
        logFormat === 'text'
          ? (await import('../../http/terminal-log.js')).terminalLog(process.stdout)
          : undefined;
      const app = await buildServer(ctx, {
        logger: {
          level: config.logLevel,
          // Method, URL (its secrets left out) and client: never headers, cookies or bodies.
          serializers: logSerializers,
          // Node's own stdout, whose EPIPE the CLI ignores (bin/changeboard.ts). pino's default
          // destination retries a write that met EPIPE for ever when the process exits, so a
          // server whose reader had gone never ended.
          stream: terminal ?? process.stdout,
        },
        requestLog: logFormat === 'text' ? 'line' : 'records',
      });
      sink.log = (level, message, data) => app.log[level](data ?? {}, message);
      const shutdown = async (signal: string) => {
        app.log.info({ signal }, 'shutting down');
        // A delivery in flight (a receiver that never answers) must not hold the process: its
        // message stays leased and is delivered again once the lease ends (OUTBOX_LEASE).
        setTimeout(() => {
          app.log.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'stopping without waiting any longer');
          process.exit(1);
        }, SHUTDOWN_GRACE_MS).unref();
        await app.close();
        await ctx.close();
        process.exit(0);
      };
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      process.once('SIGINT', () => void shutdown('SIGINT'));
      // SIGHUP: apply the policy file again, as `changeboard policy apply` would (README).
      process.on('SIGHUP', () => {
        void reapplyPolicyFile(ctx, config.policyFile).then(
          (result) =>
            app.log.info(
              {
                applied: result.applied,
                from: result.from,
                to: result.to,
                summary: result.summary,
              },
              result.applied
                ? 'policy applied from its file'
                : 'the policy file is the policy in force',
            ),
          (error: unknown) =>
            app.log.error(
              { details: error instanceof AppError ? error.details : String(error) },
              `the policy file was not applied: ${error instanceof Error ? error.message : String(error)}`,
            ),
        );
      });

      await app.listen({ host: config.host, port: config.port });
      ctx.dispatcher.start();
      if (quiet) return;
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const url = config.publicUrl.replace(`:${config.port}`, `:${port}`);
      const { output } = cli;
      const policyPath = relative(process.cwd(), config.policyFile) || config.policyFile;
      output.out('');
      output.out(`Changeboard is running at ${url}`);
      output.out(
        `  policy:   ${policyPath}${config.demo ? '  (the bundled example: demo mode)' : ''}`,
      );
      output.out(
        `  database: ${config.database.dialect === 'sqlite' ? `SQLite ${relative(process.cwd(), config.database.location) || config.database.location}` : 'PostgreSQL'}`,
      );
      output.out(`  API:      ${url}/api/v1  (OpenAPI: ${url}/api/v1/openapi.json)`);
      output.out(
        `  e-mail:   ${config.smtpUrl ? `via ${new URL(config.smtpUrl).host}` : ctx.demoInbox ? `not sent in the demo: e-mails, Teams and Slack messages are kept in the demo inbox, ${url}/demo/inbox` : 'off (set SMTP_URL to send approval requests and reminders by e-mail)'}`,
      );
      // In the demo, a channel whose variables are unset is no problem: its messages go to the
      // demo inbox, so the warnings about those variables are not shown.
      const keptInInbox = new Set(
        ctx.demoInbox === undefined
          ? []
          : [...ctx.policy.channels.values()]
              .filter((channel) => channel.missingVariables.length > 0)
              .map((channel) => `channels.${channel.id}`),
      );
      for (const warning of ctx.policyWarnings)
        if (!keptInInbox.has(warning.path))
          output.out(`  warning:  ${warning.path}: ${warning.message}`);
      output.out('');
      if (config.demo) {
        // Demo mode only: links for everyone, so the example can be tried without e-mail.
        output.out(
          `Sign in at ${url}/sign-in and pick someone of the example policy (on this machine only),`,
        );
        output.out('or open one of these links (each works once, for 12 hours):');
        for (const person of [...ctx.policy.people.values()].filter((p) => !p.external)) {
          const token = await createSignInLink(ctx, person.id, { ttlMs: 12 * 3_600_000 });
          output.out(`  ${person.name.padEnd(12)} ${signInUrl(url, token)}`);
        }
        // An empty demo shows empty pages: offer the invented history (never seeded unasked).
        if ((await ctx.store.read.changes.list({ limit: 1 })).length === 0) {
          output.out('');
          output.out(
            'The board is empty. Seed about 12 weeks of demo history: npx changeboard demo seed',
          );
        }
      } else {
        output.out(
          `Sign in to the web app at ${url}/sign-in (a link by e-mail${config.oidc ? ', or OpenID Connect' : ''}).`,
        );
      }
      output.out('');
      output.out(
        'Sign in to the API with a token. Create one for someone in the policy, in another terminal:',
      );
      const example = config.demo ? 'priya' : ([...ctx.policy.people.keys()][0] ?? '<person>');
      output.out(
        `  npx changeboard token create ${example}${config.demo ? '      # priya requests changes; lee and kim approve them' : ''}`,
      );
      output.out(`  curl -H "Authorization: Bearer <token>" ${url}/api/v1/changes`);
      output.out('');
    });
}

/**
 * `--workers n`: the primary process checks the settings and policy and
 * migrates the database once, then runs n servers sharing the port (Node's
 * cluster hands out connections), restarts one that dies, and stops them all
 * on SIGTERM or SIGINT. Each worker runs its own outbox dispatcher; claims
 * with SKIP LOCKED keep deliveries exactly once, and LISTEN/NOTIFY carries
 * live updates to the boards of every worker.
 */
async function superviseWorkers(config: Config, workers: number, cli: CliEnv): Promise<void> {
  const { createContext } = await import('../../context.js');
  await (await createContext(config, { adoptPolicyFile: true })).close();
  let stopping = false;
  const fork = () => cluster.fork({ CHANGEBOARD_CLUSTER_WORKER: '1' });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    cli.output.err(`worker ${worker.id} exited (${signal ?? code}); starting another`);
    fork();
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // One worker applies the file; the others hear of it through the database.
  process.on('SIGHUP', () => Object.values(cluster.workers ?? {})[0]?.process.kill('SIGHUP'));
  for (let i = 0; i < workers; i++) fork();
  cli.output.out(`Changeboard: ${workers} worker processes on one PostgreSQL database`);
}

/** Applies the server's own policy file again (SIGHUP), recorded as applied by `policy-file`. */
async function reapplyPolicyFile(ctx: AppContext, file: string): Promise<PolicyApplication> {
  const { applyPolicy, policyDepsOf, POLICY_FILE_ACTOR } =
    await import('../../app/apply-policy.js');
  return applyPolicy(policyDepsOf(ctx), POLICY_FILE_ACTOR, await readFile(file, 'utf8'));
}
