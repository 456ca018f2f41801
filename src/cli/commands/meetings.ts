import type { Command } from 'commander';
import type { CliEnv } from '../main.js';
import { clientFor, remote, type RemoteOptions } from '../remote.js';
import type { AgendaJson, MeetingListJson } from '../types.js';

/** `changeboard meetings` and `changeboard agenda <meeting>`: the meetings that remain, from the terminal. */
export function registerMeetingCommands(program: Command, cli: CliEnv): void {
  remote(program.command('meetings'))
    .description(
      'list the meetings that remain: next sittings, what is on the agenda, how the last went',
    )
    .action(async (options: RemoteOptions) => {
      const list = await clientFor(cli, options).request<MeetingListJson>('GET', '/meetings');
      if (options.json) return cli.output.out(JSON.stringify(list, null, 2));
      if (list.items.length === 0)
        return cli.output.out('the policy has no meetings: everything is decided asynchronously');
      for (const meeting of list.items) {
        const next = meeting.upcoming[0];
        cli.output.out(
          `${meeting.id}  ${meeting.name}${meeting.hold ? ' (holds its changes)' : ''}: ${next?.sitting ? `next ${next.sitting.start}` : 'no schedule'}, ${next?.items.length ?? 0} to discuss`,
        );
        for (const item of next?.items ?? [])
          cli.output.out(`    ${item.id}  ${item.state.padEnd(8)}  ${item.title}`);
        if (meeting.last)
          cli.output.out(
            `    last sitting ${meeting.last.sitting.start}: ${meeting.last.discussed} through the meeting, ${meeting.last.decidedAsync} decided asynchronously`,
          );
      }
    });

  remote(program.command('agenda'))
    .description("show a meeting's agenda (the next sitting's, or --at another's)")
    .argument('<meeting>', "the meeting's id or name")
    .option('--at <time>', "the sitting's start, as `changeboard meetings --json` lists it")
    .action(async (meeting: string, options: RemoteOptions & { at?: string }) => {
      const query = options.at ? `?at=${encodeURIComponent(options.at)}` : '';
      const agenda = await clientFor(cli, options).request<AgendaJson>(
        'GET',
        `/meetings/${encodeURIComponent(meeting)}/agenda${query}`,
      );
      if (options.json) return cli.output.out(JSON.stringify(agenda, null, 2));
      cli.output.out(
        `${agenda.meeting.name}${agenda.sitting ? `, ${agenda.sitting.start} (${agenda.timezone ?? 'UTC'})` : ''}: ${agenda.items.length} to discuss`,
      );
      for (const item of agenda.items) {
        cli.output.out(`  ${item.id}  ${item.title}${item.held ? '  [held]' : ''}`);
        cli.output.out(
          `      ${item.typeLabel}, ${item.services.map((s) => s.id).join(', ')}, by ${item.requester?.id ?? 'nobody'}; approvals ${item.approvals.map((a) => `${a.from} ${a.approvedBy.length}/${a.count}`).join(', ') || 'none needed'}`,
        );
      }
      for (const item of agenda.discussed)
        cli.output.out(`  ${item.id}  ${item.title}  [${item.outcome?.outcome ?? 'discussed'}]`);
      cli.output.out(
        `  record outcomes: changeboard change discuss <id> --meeting ${agenda.meeting.id} --outcome approve|reject|defer|noted`,
      );
    });
}
