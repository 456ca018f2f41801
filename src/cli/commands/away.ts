import type { Command } from 'commander';
import { ExitStatus } from '../exit-status.js';
import type { CliEnv } from '../main.js';
import { clientFor, remote, type RemoteOptions } from '../remote.js';
import type { PersonStatusJson } from '../types.js';

/** `changeboard away` and `changeboard back`: one's own absence, or anyone's as an admin (`--person`). */
export function registerAwayCommands(program: Command, cli: CliEnv): void {
  remote(program.command('away'))
    .description(
      'say you are away: approval requests go to your delegate, else your deputy, else the rest of your groups',
    )
    .requiredOption(
      '--until <time>',
      'when you are back: an ISO 8601 time, or a date (away through that day, UTC)',
    )
    .option('--from <time>', 'when you leave (default: now)')
    .option('--delegate <person>', 'who decides for you meanwhile (default: your deputy)')
    .option('--note <text>', 'a note for the board, e.g. "Conference, back Monday"')
    .option('--person <id>', 'record it for someone else (admins)', 'me')
    .action(
      async (
        options: RemoteOptions & {
          until: string;
          from?: string;
          delegate?: string;
          note?: string;
          person: string;
        },
      ) => {
        const until = instantOf(options.until, 'until', cli);
        const from = options.from === undefined ? undefined : instantOf(options.from, 'from', cli);
        const person = await clientFor(cli, options).request<PersonStatusJson>(
          'PUT',
          `/people/${encodeURIComponent(options.person)}/absence`,
          {
            until,
            ...(from && { from }),
            ...(options.delegate && { delegate: options.delegate }),
            ...(options.note && { note: options.note }),
          },
        );
        if (options.json) return cli.output.out(JSON.stringify(person, null, 2));
        const who = person.delegate ?? person.absence?.delegate;
        cli.output.out(
          `${person.name} is away ${person.absent ? 'now' : `from ${person.absence?.from}`} until ${person.absence?.until}; ${who ? `${who} decides meanwhile` : 'nobody stands in: requests go to the rest of the group'}`,
        );
      },
    );

  remote(program.command('back'))
    .description('say you are back: approval requests still open come to you again')
    .option('--person <id>', 'end someone else’s absence (admins)', 'me')
    .action(async (options: RemoteOptions & { person: string }) => {
      const person = await clientFor(cli, options).request<PersonStatusJson>(
        'DELETE',
        `/people/${encodeURIComponent(options.person)}/absence`,
      );
      if (options.json) return cli.output.out(JSON.stringify(person, null, 2));
      cli.output.out(`${person.name} is back`);
    });
}

/** An ISO 8601 time as given, or a bare date as the end of that day (UTC). */
function instantOf(text: string, option: string, cli: CliEnv): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const day = Date.parse(`${text}T00:00:00Z`);
    if (!Number.isNaN(day)) return new Date(day + 24 * 3_600_000).toISOString();
  } else if (!Number.isNaN(Date.parse(text))) return text;
  cli.output.err(`--${option}: "${text}" is not a time; write 2027-01-12 or 2027-01-12T09:00:00Z`);
  throw new ExitStatus(2);
}
