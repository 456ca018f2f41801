import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { ApiClient } from '../client.js';
import type { CliEnv } from '../main.js';
import { clientFor as remoteClient, remote, type RemoteOptions } from '../remote.js';
import { table, truncate } from '../output.js';
import { describeClock } from '../clock-line.js';
import { ExitStatus } from '../exit-status.js';
import type { ChangeClockJson } from '../../http/contract/index.js';
import type { ChangeJson, ChangeListJson, EventListJson, PolicyJson } from '../types.js';

interface ContentOptions {
  title?: string;
  type?: string;
  service?: string[];
  description?: string;
  descriptionFile?: string;
  answer?: string[];
  plannedStart?: string;
  plannedEnd?: string;
  link?: string[];
  template?: string;
}

const collect = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
];
const collectRaw = (value: string, previous: string[] = []) => [...previous, value];

function contentOptions(command: Command): Command {
  return command
    .option('--title <title>', 'one line saying what changes')
    .option('--type <type>', 'change type from the policy (e.g. standard, normal, emergency)')
    .option('--service <id>', 'a service it touches (repeat or comma-separate)', collect)
    .option('--description <markdown>', 'what and why, in Markdown')
    .option('--description-file <file>', 'read the description from a file')
    .option(
      '--answer <field=value>',
      'answer one of the policy’s questions (repeatable)',
      collectRaw,
    )
    .option('--planned-start <time>', 'planned start, ISO 8601 (e.g. 2026-12-01T10:00:00Z)')
    .option('--planned-end <time>', 'planned end, ISO 8601')
    .option('--link <title=url>', 'a link: PR, ticket, dashboard (repeatable)', collectRaw)
    .option(
      '--template <id>',
      'the standard change it is (from the policy’s standardChanges): on create, its services and answers fill in what is not given',
    );
}

export function registerChangeCommands(program: Command, cli: CliEnv): void {
  const change = program
    .command('change')
    .description('create, decide and move change requests (talks to a running server)');
  const clientFor = (options: RemoteOptions) => remoteClient(cli, options);
  const print = (options: RemoteOptions, value: ChangeJson) =>
    cli.output.out(options.json ? JSON.stringify(value, null, 2) : describeChange(value));

  contentOptions(remote(change.command('create')))
    .description('create a draft change (and submit it with --submit)')
    .option('--submit', 'submit it straight away')
    .action(async (options: ContentOptions & RemoteOptions & { submit?: boolean }) => {
      const client = clientFor(options);
      const body = await contentBody(client, options);
      let created = await client.request<ChangeJson>('POST', '/changes', body);
      if (options.submit)
        created = await client.request<ChangeJson>('POST', `/changes/${created.id}/submit`, {});
      print(options, created);
    });

  contentOptions(remote(change.command('edit')))
    .description(
      'edit a draft or pending change (editing a pending change withdraws its approvals)',
    )
    .argument('<id>', 'change id, e.g. CHG-42')
    .option('--version <n>', 'the version your edit is based on (default: the current one)')
    .option('--clear-answer <field>', 'remove an answer (repeatable)', collectRaw)
    .option('--clear-template', 'name no standard change template any more')
    .action(
      async (
        id: string,
        options: ContentOptions &
          RemoteOptions & { version?: string; clearAnswer?: string[]; clearTemplate?: boolean },
      ) => {
        const client = clientFor(options);
        const version = options.version
          ? Number(options.version)
          : (await client.request<ChangeJson>('GET', `/changes/${id}`)).version;
        const body: Record<string, unknown> = { version, ...(await contentBody(client, options)) };
        if (options.clearAnswer?.length) {
          body.answers = {
            ...(body.answers as object | undefined),
            ...Object.fromEntries(options.clearAnswer.map((f) => [f, null])),
          };
        }
        if (options.clearTemplate) body.template = null;
        print(options, await client.request<ChangeJson>('PATCH', `/changes/${id}`, body));
      },
    );

  remote(change.command('show'))
    .description('show a change: answers, requirements, who can still approve, and its timeline')
    .argument('<id>', 'change id, e.g. CHG-42')
    .action(async (id: string, options: RemoteOptions) => {
      const client = clientFor(options);
      const value = await client.request<ChangeJson>('GET', `/changes/${id}`);
      if (options.json) return cli.output.out(JSON.stringify(value, null, 2));
      const [events, clock] = await Promise.all([
        client.request<EventListJson>('GET', `/changes/${id}/events`),
        client.request<ChangeClockJson>('GET', `/changes/${id}/clock`),
      ]);
      cli.output.out(describeChange(value));
      if (value.state !== 'draft') cli.output.out(describeClock(clock));
      cli.output.out('\nTimeline');
      for (const event of events.items)
        cli.output.out(
          `  ${event.at}  ${event.actor.padEnd(10)} ${describeEvent(event.type, event.data)}`,
        );
    });

  remote(change.command('list'))
    .description('list changes, newest first (or by planned start with --sort plannedStart)')
    .option('--state <states>', 'comma-separated states (draft, pending, approved, in_progress, …)')
    .option('--service <ids>', 'comma-separated services')
    .option('--type <types>', 'comma-separated change types')
    .option('--requester <ids>', 'comma-separated people; "me" for yourself')
    .option(
      '--unassigned',
      'only unassigned drafts (from pull requests by people not in the policy)',
    )
    .option('-q, --search <words>', 'words in the title or description')
    .option('--review-due', 'only changes whose post-implementation review is owed, overdue or not')
    .option('--sort <order>', 'newest (default) or plannedStart: planned work soonest first')
    .option('--limit <n>', 'how many (1-200)', '50')
    .option('--cursor <cursor>', 'continue from a previous page')
    .action(
      async (
        options: RemoteOptions & {
          state?: string;
          service?: string;
          type?: string;
          requester?: string;
          unassigned?: boolean;
          search?: string;
          reviewDue?: boolean;
          sort?: string;
          limit: string;
          cursor?: string;
        },
      ) => {
        const query = new URLSearchParams();
        for (const [key, value] of [
          ['state', options.state],
          ['service', options.service],
          ['type', options.type],
          ['requester', options.requester],
          ['unassigned', options.unassigned ? 'true' : undefined],
          ['q', options.search],
          ['reviewDue', options.reviewDue ? 'true' : undefined],
          ['sort', options.sort],
          ['limit', options.limit],
          ['cursor', options.cursor],
        ] as const) {
          if (value) query.set(key, value);
        }
        const page = await clientFor(options).request<ChangeListJson>(
          'GET',
          `/changes?${query.toString()}`,
        );
        if (options.json) return cli.output.out(JSON.stringify(page, null, 2));
        if (page.items.length === 0) return cli.output.out('No changes match.');
        cli.output.out(
          table(
            page.items.map((c) => [
              c.id,
              c.state,
              c.type,
              c.services.join(','),
              c.requester ?? '(unassigned)',
              c.waitingFor.join(',') || '-',
              truncate(c.title, 50),
            ]),
            ['ID', 'STATE', 'TYPE', 'SERVICES', 'REQUESTER', 'WAITING FOR', 'TITLE'],
          ),
        );
        if (page.nextCursor) cli.output.out(`\nMore: --cursor ${page.nextCursor}`);
      },
    );

  remote(change.command('claim'))
    .description('become the requester of an unassigned draft (drafted from a pull request)')
    .argument('<id>', 'change id')
    .action(async (id: string, options: RemoteOptions) =>
      print(
        options,
        await clientFor(options).request<ChangeJson>('POST', `/changes/${id}/claim`, {}),
      ),
    );

  remote(change.command('submit'))
    .description('submit a draft for approval')
    .argument('<id>', 'change id')
    .action(async (id: string, options: RemoteOptions) =>
      print(
        options,
        await clientFor(options).request<ChangeJson>('POST', `/changes/${id}/submit`, {}),
      ),
    );

  for (const [verb, description] of [
    ['approve', 'approve a change you are asked to approve'],
    ['reject', 'reject a change (a comment saying why is required)'],
    ['withdraw', 'withdraw a change'],
    ['start', 'start implementing an approved change'],
    ['complete', 'mark the implementation complete'],
    ['fail', 'mark the implementation failed or rolled back'],
    ['verify', 'confirm a completed change works'],
  ] as const) {
    const command = remote(change.command(verb))
      .description(description)
      .argument('<id>', 'change id')
      .option(
        '-m, --comment <text>',
        verb === 'reject' ? 'why (required)' : 'a comment for the timeline',
      );
    if (verb === 'approve' || verb === 'reject')
      command.option(
        '--for <person>',
        'decide for someone away, as their delegate or deputy (or --for <your id> for yourself)',
      );
    command.action(
      async (id: string, options: RemoteOptions & { comment?: string; for?: string }) => {
        const body = {
          ...(options.comment && { comment: options.comment }),
          ...(options.for && { onBehalfOf: options.for }),
        };
        print(
          options,
          await clientFor(options).request<ChangeJson>('POST', `/changes/${id}/${verb}`, body),
        );
      },
    );
  }

  remote(change.command('discuss'))
    .description("record a meeting's outcome on a change (an attendee of the meeting)")
    .argument('<id>', 'change id')
    .requiredOption('--meeting <meeting>', "the meeting's id or name")
    .requiredOption('--outcome <outcome>', 'approve, reject, defer or noted')
    .option('--minutes <text>', 'what the meeting said (required to reject)')
    .option('--minutes-url <url>', "where the meeting's own minutes are")
    .action(
      async (
        id: string,
        options: RemoteOptions & {
          meeting: string;
          outcome: string;
          minutes?: string;
          minutesUrl?: string;
        },
      ) => {
        const body = {
          meeting: options.meeting,
          outcome: options.outcome,
          ...(options.minutes && { minutes: options.minutes }),
          ...(options.minutesUrl && { url: options.minutesUrl }),
        };
        print(
          options,
          await clientFor(options).request<ChangeJson>('POST', `/changes/${id}/discussions`, body),
        );
      },
    );

  remote(change.command('review'))
    .description("file a change's post-implementation review (without --answer: show what it asks)")
    .argument('<id>', 'change id')
    .option(
      '--answer <field=value>',
      'answer one of the review’s questions (repeatable)',
      collectRaw,
    )
    .action(async (id: string, options: RemoteOptions & { answer?: string[] }) => {
      const client = clientFor(options);
      const current = await client.request<ChangeJson>('GET', `/changes/${id}`);
      if (!current.review) {
        cli.output.err(`${current.id} owes no review (${current.state.replace('_', ' ')})`);
        throw new ExitStatus(1);
      }
      if (!options.answer?.length) {
        cli.output.out(describeReview(current.review));
        if (current.review.done) return;
        cli.output.err(
          `\nanswer with: changeboard change review ${current.id} ${current.review.fields
            .map((f) => `--answer ${f.id}=…`)
            .join(' ')}`,
        );
        throw new ExitStatus(2);
      }
      const answers = Object.fromEntries(
        options.answer.map((pair) => parseAnswer(current.review?.fields ?? [], pair)),
      );
      print(
        options,
        await client.request<ChangeJson>('POST', `/changes/${id}/review`, {
          answers,
          version: current.version,
        }),
      );
    });

  remote(change.command('comment'))
    .description(
      'add a comment to the timeline; @person notifies that person, --question asks the requester',
    )
    .argument('<id>', 'change id')
    .argument('<text...>', 'the comment')
    .option('--question', 'ask the requester: it notifies them, and changes nothing else')
    .action(async (id: string, text: string[], options: RemoteOptions & { question?: boolean }) => {
      const event = await clientFor(options).request<EventListJson['items'][number]>(
        'POST',
        `/changes/${id}/comments`,
        { body: text.join(' '), ...(options.question && { question: true }) },
      );
      if (options.json) return cli.output.out(JSON.stringify(event, null, 2));
      cli.output.out(`${options.question ? 'asked the requester of' : 'commented on'} ${id}`);
      const told = commentReaders(event.data);
      if (told) cli.output.out(`notified: ${told}`);
    });
}

async function contentBody(
  client: ApiClient,
  options: ContentOptions,
): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  if (options.title !== undefined) body.title = options.title;
  if (options.type !== undefined) body.type = options.type;
  if (options.service?.length) body.services = options.service;
  if (options.descriptionFile) body.description = await readFile(options.descriptionFile, 'utf8');
  else if (options.description !== undefined) body.description = options.description;
  if (options.plannedStart !== undefined) body.plannedStart = options.plannedStart;
  if (options.plannedEnd !== undefined) body.plannedEnd = options.plannedEnd;
  if (options.link?.length) body.links = options.link.map(parseLink);
  if (options.template !== undefined) body.template = options.template;
  if (options.answer?.length) {
    const policy = await client.request<PolicyJson>('GET', '/policy');
    body.answers = Object.fromEntries(
      options.answer.map((pair) => parseAnswer(policy.fields, pair)),
    );
  }
  return body;
}

function parseLink(text: string): { title: string; url: string } {
  const at = text.indexOf('=');
  if (at < 0) return { title: text, url: text };
  return { title: text.slice(0, at), url: text.slice(at + 1) };
}

/** `tested=true` → `['tested', true]`, typed by the question's field so the server sees what a form would send. */
function parseAnswer(
  fields: PolicyJson['fields'],
  pair: string,
): [string, string | number | boolean] {
  const at = pair.indexOf('=');
  if (at < 1) throw new Error(`--answer "${pair}" must look like field=value`);
  const id = pair.slice(0, at);
  const text = pair.slice(at + 1);
  const field = fields.find((f) => f.id === id);
  if (field?.type === 'boolean' && /^(true|yes|false|no)$/i.test(text))
    return [id, /^(true|yes)$/i.test(text)];
  if (field?.type === 'number' && text.trim() !== '' && Number.isFinite(Number(text)))
    return [id, Number(text)];
  return [id, text];
}

function describeChange(c: ChangeJson): string {
  const lines = [
    `${c.id}  ${c.title}`,
    `  state:     ${c.state} (version ${c.version})`,
    `  type:      ${c.type}    services: ${c.services.join(', ')}    requester: ${c.requester ?? `unassigned (claim it: changeboard change claim ${c.id})`}`,
  ];
  if (c.pullRequest)
    lines.push(
      `  pull req:  ${c.pullRequest.repository}#${c.pullRequest.number} by @${c.pullRequest.author}, head ${c.pullRequest.headSha.slice(0, 12)}${c.pullRequest.mergeSha ? `, merged as ${c.pullRequest.mergeSha.slice(0, 12)}` : ''}`,
    );
  if (c.template)
    lines.push(
      `  template:  ${c.template.id} (version ${c.template.version}${c.template.current ? '' : c.template.title === null ? ', no longer in the policy' : ', since changed in the policy'})${c.template.title ? `: ${c.template.title}` : ''}`,
    );
  if (c.plannedStart)
    lines.push(`  planned:   ${c.plannedStart}${c.plannedEnd ? ` → ${c.plannedEnd}` : ''}`);
  if (c.windowWarning) lines.push(`  warning:   ${c.windowWarning}`);
  for (const warning of c.freezeWarnings)
    lines.push(
      `  warning:   the planned window overlaps "${warning.name}" (${warning.from} → ${warning.to})`,
    );
  // Freezes are already said above, from freezeWarnings.
  for (const conflict of c.conflicts ?? [])
    if (conflict.kind === 'change')
      lines.push(
        `  overlaps:  ${conflict.id} ${conflict.title} (${conflict.state.replace('_', ' ')}; ${conflict.services.join(', ')}; ${conflict.plannedStart}${conflict.plannedEnd ? ` → ${conflict.plannedEnd}` : ''})`,
      );
  if (c.needsDiscussion.length) lines.push(`  discuss:   ${c.needsDiscussion.join(', ')}`);
  for (const hold of c.heldBy)
    lines.push(
      `  held:      waits for ${hold.meeting}'s outcome${hold.next ? ` (next sitting ${hold.next})` : ''}`,
    );
  const answers = Object.entries(c.answers);
  if (answers.length) {
    lines.push('  answers:');
    for (const [key, value] of answers) lines.push(`    ${key}: ${String(value)}`);
  }
  if (c.requirements.length) {
    lines.push(c.state === 'draft' ? '  will need (once submitted):' : '  requirements:');
    for (const r of c.requirements) {
      const status = r.met ? 'met' : `${r.approvedBy.length}/${r.count}`;
      const byWhom = (person: string) => {
        const actor = c.decisions.find((d) => d.person === person)?.actor;
        return actor && actor !== person ? `${actor} for ${person}` : person;
      };
      // "[0/1] 1 from change-managers: risk is high; can approve: kim"
      const details = [
        r.reason,
        r.approvedBy.length ? `approved by ${r.approvedBy.map(byWhom).join(', ')}` : '',
        r.canApprove.length ? `can approve: ${r.canApprove.join(', ')}` : '',
        r.available ? '' : `nobody available: ${r.whyUnavailable ?? 'all are away'}`,
      ].filter(Boolean);
      lines.push(
        `    [${status}] ${r.count} from ${r.from}${r.service ? ` (service ${r.service})` : ''}: ${details.join('; ')}`,
      );
    }
  } else if (c.state !== 'draft') {
    lines.push('  requirements: none (pre-approved)');
  }
  if (c.review) lines.push(describeReview(c.review));
  for (const link of c.links) lines.push(`  link:      ${link.title}: ${link.url}`);
  lines.push(`  page:      ${c.url}`);
  return lines.join('\n');
}

function describeReview(review: NonNullable<ChangeJson['review']>): string {
  if (review.done) {
    const lines = [`  review:    filed by ${review.by} at ${review.doneAt} (due ${review.due})`];
    for (const [key, value] of Object.entries(review.answers ?? {}))
      lines.push(`    ${key}: ${String(value)}`);
    return lines.join('\n');
  }
  return [
    `  review:    owed, due ${review.due}${review.overdue ? ' (OVERDUE)' : ''}; it asks:`,
    ...review.fields.map((f) => `    ${f.id}${f.required ? ' (required)' : ''}: ${f.label}`),
  ].join('\n');
}

function describeEvent(type: string, data: Record<string, unknown>): string {
  const comment = typeof data.comment === 'string' ? `: ${data.comment}` : '';
  switch (type) {
    case 'created':
      return data.source === 'github'
        ? `drafted from pull request ${String(data.repository)}#${String(data.number)} by @${String(data.author)}`
        : 'created';
    case 'commented': {
      const told = commentReaders(data);
      return `${data.question === true ? 'asked the requester' : 'commented'}: ${String(data.body)}${told ? ` (notified: ${told})` : ''}`;
    }
    case 'reviewed':
      return `filed the review${data.late === true ? ' (late)' : ''}: ${Object.entries(
        (data.answers as Record<string, unknown> | undefined) ?? {},
      )
        .map(([key, value]) => `${key}: ${String(value)}`)
        .join('; ')}`;
    case 'discussed':
      return `recorded ${String(data.meeting)}'s outcome: ${String(data.outcome)}${typeof data.minutes === 'string' ? `: ${data.minutes}` : ''}${data.via === 'external-link' ? ' (by link)' : ''}`;
    case 'edited':
      return `edited ${Object.keys((data.changes as object | undefined) ?? {}).join(', ')}`;
    case 'approvals-withdrawn':
      return `approvals withdrawn (${String(data.reason)})`;
    case 'approval-granted':
    case 'approval-rejected':
      return `${type}${typeof data.onBehalfOf === 'string' ? ` for ${data.onBehalfOf}` : ''}${comment}`;
    default:
      return `${type}${comment}`;
  }
}

/** Whom a comment notified by name, as its event recorded: "lee, ana"; empty when nobody. */
function commentReaders(data: Record<string, unknown>): string {
  const people = (value: unknown) =>
    Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string') : [];
  return [...new Set([...people(data.answering), ...people(data.mentions)])].join(', ');
}
