import type { Command } from 'commander';
import { resolve } from 'node:path';
import { localConfig } from '../local.js';
import type { CliEnv } from '../main.js';
import { ExitStatus } from '../exit-status.js';
import { formatDuration } from '../../shared/duration.js';
import { readFile } from 'node:fs/promises';
import { clientFor, remote, type RemoteOptions } from '../remote.js';
import type { PolicyApplicationJson, PolicyHistoryJson } from '../types.js';

const short = (hash: string) => `${hash.slice(0, 12)}…`;

export function registerPolicyCommands(program: Command, cli: CliEnv): void {
  const policy = program.command('policy').description('work with the policy file');
  remote(policy.command('apply'))
    .description(
      'apply a policy file to the running server (admins): checked first, then in force in every process, recorded in the history',
    )
    .argument('<file>', 'the new policy file')
    .action(async (file: string, options: RemoteOptions) => {
      const source = await readFile(resolve(file), 'utf8');
      const result = await clientFor(cli, options).request<PolicyApplicationJson>(
        'POST',
        '/policy',
        { source },
      );
      if (options.json) return cli.output.out(JSON.stringify(result, null, 2));
      if (!result.applied)
        return cli.output.out(
          `Nothing to apply: ${file} is the policy in force (${short(result.to)})`,
        );
      cli.output.out(`Applied ${file}: ${short(result.from)} → ${short(result.to)}`);
      for (const line of result.summary) cli.output.out(`  ${line}`);
      if (result.summary.length === 0)
        cli.output.out('  (no change to the rules: comments or layout only)');
      if (result.flagged.length > 0)
        cli.output.out(
          `${result.flagged.length} change(s) in flight would now need more approvals; they keep their requirements until edited: ${result.flagged.join(', ')}`,
        );
      if (result.stranded.length > 0)
        cli.output.out(
          `${result.stranded.length} pending change(s) have a requirement nobody can meet now (edit or withdraw them): ${result.stranded.join(', ')}`,
        );
      for (const warning of result.warnings) cli.output.err(`warning: ${warning}`);
    });

  remote(policy.command('history'))
    .description('list the policy versions, newest first: who applied each and what changed')
    .action(async (options: RemoteOptions) => {
      const history = await clientFor(cli, options).request<PolicyHistoryJson>(
        'GET',
        '/policy/history',
      );
      if (options.json) return cli.output.out(JSON.stringify(history, null, 2));
      for (const item of history.items) {
        const who = item.appliedBy ? `applied by ${item.appliedBy}` : 'loaded from the file';
        cli.output.out(
          `${short(item.hash)}  ${item.appliedAt}  ${who}${item.hash === history.inForce ? '  (in force)' : ''}`,
        );
        for (const line of item.summary) cli.output.out(`    ${line}`);
        if (item.flagged.length) cli.output.out(`    flagged: ${item.flagged.join(', ')}`);
      }
    });

  policy
    .command('check')
    .description('check a policy file and list every problem with its place in the file')
    .argument('[file]', 'the policy file (default: the one the server would load)')
    .option('--json', 'print the problems as JSON')
    .action(async (file: string | undefined, options: { json?: boolean }, command: Command) => {
      const path = file ? resolve(file) : localConfig(command, cli).policyFile;
      // Loaded here, not at start-up: the schema's validator is compiled when it loads.
      const [{ formatProblem, loadPolicyFile }, { formatLocal }] = await Promise.all([
        import('../../policy/load.js'),
        import('../../policy/schedule.js'),
      ]);
      const result = await loadPolicyFile(path, cli.env);
      const problems = result.ok ? result.warnings : result.problems;
      // The next three sittings of each meeting: a rule that means something else shows at once.
      const now = new Date();
      const meetings = (result.ok ? result.policy.meetings : []).map((meeting) => ({
        meeting,
        next: meeting.schedule?.next(now, 3).map((sitting) => sitting.start) ?? [],
      }));
      // And when each recurring freeze next begins.
      const freezes = (result.ok ? result.policy.recurringFreezes : []).map((freeze) => ({
        freeze,
        next: freeze.schedule.next(now, 3),
      }));
      // The catalog with each template's version: what a change raised from it records.
      const templates = (result.ok && result.policy.standardChanges) || [];
      if (options.json) {
        cli.output.out(
          JSON.stringify(
            {
              ok: result.ok,
              file: path,
              hash: result.ok ? result.policy.hash : null,
              problems,
              meetings: meetings.map(({ meeting, next }) => ({
                id: meeting.id,
                name: meeting.name,
                next: next.map((start) => start.toISOString()),
              })),
              recurringFreezes: freezes.map(({ freeze, next }) => ({
                name: freeze.name,
                next: next.map((o) => ({ from: o.start.toISOString(), to: o.end.toISOString() })),
              })),
              standardChanges: templates.map(({ id, title, version }) => ({ id, title, version })),
            },
            null,
            2,
          ),
        );
      } else {
        for (const problem of problems) {
          const line = formatProblem(problem, file ?? path);
          if (problem.severity === 'error') cli.output.err(line);
          else cli.output.out(line);
        }
        const errors = problems.filter((p) => p.severity === 'error').length;
        if (result.ok) {
          const { policy: p } = result;
          cli.output.out(
            `${file ?? path}: OK: ${p.people.size} people, ${p.groups.size} groups, ${p.services.size} services, ${p.changeTypes.size} change types, ${p.fields.length} fields${problems.length ? `, ${problems.length} warning(s)` : ''}`,
          );
          for (const { meeting, next } of meetings) {
            const zone = meeting.schedule?.timezone;
            if (zone === undefined) continue;
            cli.output.out(
              `${meeting.name}: ${next.length ? next.map((start) => formatLocal(start, zone)).join(', ') : 'never sits again'} (${zone})`,
            );
          }
          for (const { freeze, next } of freezes) {
            const { timezone: zone, durationMs } = freeze.schedule;
            cli.output.out(
              `${freeze.name} (freeze, ${formatDuration(durationMs)} each): ${next.length ? next.map((o) => formatLocal(o.start, zone)).join(', ') : 'never begins again'} (${zone})`,
            );
          }
          for (const template of templates)
            cli.output.out(
              `standard change ${template.id} (version ${template.version}): ${template.title}; services ${template.services.join(', ')}; raised by ${template.requesters.join(', ')}`,
            );
        } else {
          cli.output.err(
            `${file ?? path}: ${errors} error(s); Changeboard will not start with this policy`,
          );
        }
      }
      if (!result.ok) throw new ExitStatus(1);
    });
}
