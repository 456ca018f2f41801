import type { Command } from 'commander';
import type { Config } from '../../config/config.js';
import type { Policy } from '../../domain/policy.js';
import { ExitStatus } from '../exit-status.js';
import { localConfig } from '../local.js';
import type { CliEnv } from '../main.js';

/** What every check is given: the settings as the server would read them, and the policy file loaded. */
export interface DoctorContext {
  readonly config: Config;
  readonly policy: Policy;
}

/** One thing a check found. A problem names the setting to fix: a variable, or a place in the policy. */
export interface DoctorFinding {
  readonly status: 'ok' | 'problem' | 'skipped';
  readonly setting?: string;
  readonly message: string;
}

/**
 * One check of `changeboard doctor`. To add one, write it (here or beside the
 * integration it checks) and add it to DOCTOR_CHECKS: nothing else changes.
 * A check must not throw for a wrong setting; it says so in a finding.
 */
export interface DoctorCheck {
  /** "Slack bot token": what the output's lines start with. */
  readonly name: string;
  run(ctx: DoctorContext): Promise<readonly DoctorFinding[]>;
}

/** Every check, in the order they are printed. */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  { name: 'Slack bot token', run: async (ctx) => (await slackChecks()).botToken(ctx) },
  { name: 'Slack signing secret', run: async (ctx) => (await slackChecks()).signingSecret(ctx) },
  { name: 'Slack channels', run: async (ctx) => (await slackChecks()).channels(ctx) },
  {
    name: 'Teams bot',
    run: async (ctx) =>
      (await import('../../integrations/teams/doctor.js')).teamsDoctorCheck.run(ctx),
  },
];

// Loaded on demand: the other verbs never load Slack's SDK.
const slackChecks = () => import('../../integrations/slack/doctor-checks.js');

export function registerDoctorCommand(program: Command, cli: CliEnv): void {
  program
    .command('doctor')
    .description(
      'check the chat settings (Slack, Teams) against the real services, naming any setting that is wrong',
    )
    .option('--json', 'print the findings as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const config = localConfig(command, cli);
      const { loadPolicyOrThrow } = await import('../../context.js');
      const { policy } = await loadPolicyOrThrow(config);
      const results = await runDoctor({ config, policy }, DOCTOR_CHECKS);
      if (options.json) cli.output.out(JSON.stringify(results, null, 2));
      else
        for (const { check, findings } of results)
          for (const f of findings)
            cli.output.out(
              `${MARK[f.status]} ${check}: ${f.message}${f.status === 'problem' && f.setting ? ` (fix ${f.setting})` : ''}`,
            );
      const problems = results.flatMap((r) => r.findings).filter((f) => f.status === 'problem');
      if (problems.length > 0) throw new ExitStatus(1);
    });
}

const MARK = { ok: 'ok     ', problem: 'PROBLEM', skipped: 'skipped' } as const;

/** Runs the checks one after another (each may call a real service); a check that throws is a problem. */
export async function runDoctor(
  ctx: DoctorContext,
  checks: readonly DoctorCheck[],
): Promise<{ check: string; findings: readonly DoctorFinding[] }[]> {
  const results = [];
  for (const check of checks) {
    let findings: readonly DoctorFinding[];
    try {
      findings = await check.run(ctx);
    } catch (error) {
      findings = [
        {
          status: 'problem',
          message: `the check failed: ${error instanceof Error ? error.message : String(error)}`,
        },
      ];
    }
    results.push({ check: check.name, findings });
  }
  return results;
}
