import { Command, CommanderError } from 'commander';
import { StartupError } from '../config/startup-error.js';
import { AppError } from '../domain/errors.js';
import { ApiError } from './client.js';
import { ExitStatus } from './exit-status.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerAwayCommands } from './commands/away.js';
import { registerBackupCommands } from './commands/backup.js';
import { registerChangeCommands } from './commands/change.js';
import { registerDemoCommands } from './commands/demo.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerEvidenceCommand } from './commands/evidence.js';
import { registerGateCommand } from './commands/gate.js';
import { registerInitCommand } from './commands/init.js';
import { registerInsightsCommand } from './commands/insights.js';
import { registerMeetingCommands } from './commands/meetings.js';
import { registerOutboxCommands } from './commands/outbox.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerServeCommand } from './commands/serve.js';
import { registerTokenCommands } from './commands/token.js';
import { consoleOutput, type Output } from './output.js';

export interface CliEnv {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly output: Output;
}

/** Runs `changeboard …` and returns the exit status. */
export async function runCli(
  argv: readonly string[],
  env: CliEnv['env'],
  output: Output = consoleOutput,
): Promise<number> {
  const cli: CliEnv = { env, output };
  const program = new Command('changeboard')
    .description(
      'Asynchronous change approval: the policy decides who approves what; everything is documented.',
    )
    .option(
      '--config <file>',
      'the policy file (default: $CHANGEBOARD_CONFIG, ./changeboard.yaml, or the bundled example)',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.out(text.trimEnd()),
      writeErr: (text) => output.err(text.trimEnd()),
    });

  registerServeCommand(program, cli);
  registerInitCommand(program, cli);
  registerPolicyCommands(program, cli);
  registerTokenCommands(program, cli);
  registerChangeCommands(program, cli);
  registerGateCommand(program, cli);
  registerAwayCommands(program, cli);
  registerMeetingCommands(program, cli);
  registerInsightsCommand(program, cli);
  registerEvidenceCommand(program, cli);
  registerAuditCommands(program, cli);
  registerOutboxCommands(program, cli);
  registerBackupCommands(program, cli);
  registerDemoCommands(program, cli);
  registerDoctorCommand(program, cli);

  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    return reportError(error, output);
  }
}

function reportError(error: unknown, output: Output): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof ExitStatus) return error.status;
  if (error instanceof ApiError) {
    const code = error.body.error?.code;
    output.err(
      `error: ${error.message}${code ? ` (${code}, HTTP ${error.status})` : ` (HTTP ${error.status})`}`,
    );
    for (const detail of error.body.error?.details ?? [])
      output.err(`  ${detail.path}: ${detail.message}`);
    return 1;
  }
  if (error instanceof StartupError) {
    output.err(`error: ${error.message}`);
    for (const problem of error.problems) output.err(`  ${problem}`);
    return 1;
  }
  if (error instanceof AppError) {
    output.err(`error: ${error.message}`);
    for (const detail of error.details) output.err(`  ${detail.path}: ${detail.message}`);
    return 1;
  }
  output.err(`error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}
