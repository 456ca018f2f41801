import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type {
  Channel,
  ChangeType,
  Field,
  Person,
  Policy,
  ReviewWithin,
  Schedule,
} from '../domain/policy.js';
import {
  DEFAULT_AGENDA_LEAD_TIME_MS,
  DEFAULT_EXTERNAL_LINK_TTL_MS,
  DEFAULT_WORKING_HOURS,
  FAILURE_REVIEW_FIELDS,
  FAILURE_REVIEW_WITHIN,
  meetingSlug,
} from '../domain/policy.js';
import { describeAjvErrors, formatPath, type SchemaIssue } from '../shared/schema-issues.js';
import { parseDuration } from '../shared/duration.js';
import { findTextProblems } from '../shared/text.js';
import { checkPolicyFile, type Segments } from './check.js';
import { freezeInstant, parseFreezeTime } from './freeze-times.js';
import {
  FREEZE_SCHEDULE,
  MEETING_SCHEDULE,
  parseSchedule,
  type ScheduleSpec,
  type ScheduleUse,
} from './schedule.js';
import type { PolicyFile } from './schema.js';
import { loadPolicyValidators } from './validators.js';
import { templateVersion } from './template-version.js';
import { parseWorkingHours } from './working-hours.js';

export interface PolicyProblem {
  readonly path: string;
  readonly message: string;
  readonly severity: 'error' | 'warning';
  readonly line?: number;
  readonly column?: number;
}

export type PolicyResult =
  | {
      readonly ok: true;
      readonly policy: Policy;
      readonly source: string;
      readonly warnings: readonly PolicyProblem[];
    }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

type Env = Readonly<Record<string, string | undefined>>;

const validators = await loadPolicyValidators();

/** Whether this process checks policies with the build's precompiled validators (for tests). */
export const precompiledValidators = validators.precompiled;

/** Parses and checks a policy file's text. Every problem is reported, not just the first. */
export function parsePolicy(source: string, env: Env = {}): PolicyResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = document.errors[0];
  if (yamlError) {
    // After the first error (often one bad indent) the parser's later complaints follow from it.
    const more = document.errors.length - 1;
    return {
      ok: false,
      problems: [
        {
          path: '',
          message: `not valid YAML: ${yamlError.message.split('\n')[0]}${more > 0 ? ` (fix this first: the ${more} error${more === 1 ? '' : 's'} the parser reports after it may follow from it)` : ''}`,
          severity: 'error' as const,
          ...position(lineCounter, yamlError.pos[0]),
        },
      ],
    };
  }
  const raw: unknown = document.toJS();
  const locate = (
    segments: Segments,
    message: string,
    severity: 'error' | 'warning',
  ): PolicyProblem => ({
    path: formatPath(segments),
    message,
    severity,
    ...locateNode(document, lineCounter, segments),
  });

  // The one rule for text (shared/text.ts) holds for the policy as for every input:
  // its names and labels end up in events, e-mails and chat.
  const problems: PolicyProblem[] = findTextProblems(raw).map((issue) =>
    locate(issue.segments, issue.message, 'error'),
  );
  let file: PolicyFile | undefined;
  if (validators.shape(raw)) {
    file = raw;
  } else {
    const issues = withScheduleHints(describeAjvErrors(validators.shape.errors));
    problems.push(...issues.map((issue) => locate(issue.segments, issue.message, 'error')));
    // The rest of the file is still checked: with each misspelt key read as the key it
    // most likely means (so what depends on it does not fail too), else without it.
    const respelt = withSuggestedKeys(raw, issues);
    const stripped: unknown = structuredClone(raw);
    if (validators.stripped(respelt)) file = respelt;
    else if (validators.stripped(stripped)) file = stripped;
  }
  if (file)
    problems.push(
      ...checkPolicyFile(file, env).map((p) => locate(p.segments, p.message, p.severity)),
    );
  if (!file || problems.some((p) => p.severity === 'error'))
    return { ok: false, problems: sortByPosition(problems) };
  return { ok: true, policy: buildPolicy(file, source, env), source, warnings: problems };
}

/** The keys of a schedule, which a recurring freeze might write beside its name instead. */
const SCHEDULE_KEYS = new Set(['rrule', 'at', 'duration', 'starts']);

/**
 * A freeze's schedule written on the freeze itself (`rrule:` beside `name:`) is
 * a schedule in the wrong place, not a misspelling (`at` is not `to`): say so.
 */
function withScheduleHints(issues: readonly SchemaIssue[]): SchemaIssue[] {
  return issues.map((issue) => {
    const [section, , key] = issue.segments;
    if (
      section !== 'freezes' ||
      issue.segments.length !== 3 ||
      !SCHEDULE_KEYS.has(String(key)) ||
      !issue.message.startsWith('is not a known setting here')
    )
      return issue;
    return {
      segments: issue.segments,
      message:
        "belongs in the freeze's schedule: a recurring freeze is written schedule: { rrule: …, at: …, duration: …, timezone: … }",
    };
  });
}

/** A copy of `raw` with each misspelt key renamed to the key it most likely means. */
function withSuggestedKeys(raw: unknown, issues: readonly SchemaIssue[]): unknown {
  const copy: unknown = structuredClone(raw);
  for (const { segments, suggestion } of issues) {
    if (suggestion === undefined) continue;
    let parent: unknown = copy;
    for (const segment of segments.slice(0, -1))
      parent = (parent as Record<string | number, unknown> | undefined)?.[segment];
    if (typeof parent !== 'object' || parent === null) continue;
    const object = parent as Record<string, unknown>;
    const key = String(segments.at(-1));
    if (suggestion in object) continue;
    object[suggestion] = object[key];
    delete object[key];
  }
  return copy;
}

function sortByPosition(problems: PolicyProblem[]): PolicyProblem[] {
  return problems.sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

export async function loadPolicyFile(file: string, env: Env = {}): Promise<PolicyResult> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file not found'
        : (error as Error).message;
    return {
      ok: false,
      problems: [{ path: '', message: `cannot read ${file}: ${reason}`, severity: 'error' }],
    };
  }
  return parsePolicy(source, env);
}

/** `changeboard.yaml:88:15 error changeTypes.normal.approvals[1].from: unknown group "change-managerz"` */
export function formatProblem(problem: PolicyProblem, file: string): string {
  const where = problem.line ? `${file}:${problem.line}:${problem.column ?? 1}` : file;
  return `${where} ${problem.severity} ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}

function buildPolicy(file: PolicyFile, source: string, env: Env): Policy {
  const people = new Map<string, Person>(
    file.people.map((p) => {
      const hours = p.workingHours ? parseWorkingHours(p.workingHours) : DEFAULT_WORKING_HOURS;
      return [
        p.id,
        {
          id: p.id,
          name: p.name,
          email: p.email,
          github: p.github,
          timezone: p.timezone ?? 'UTC',
          workingHours: typeof hours === 'string' ? DEFAULT_WORKING_HOURS : hours,
          admin: p.admin ?? false,
          deputy: p.deputy,
          external: p.external ?? false,
          ...(p.slack && { slack: p.slack }),
          ...(p.notifyBy === 'slack' && { notifyBy: 'slack' as const }),
          ...(p.teams && { teams: p.teams.toLowerCase() }),
        },
      ];
    }),
  );
  const channels = new Map<string, Channel>(
    Object.entries(file.channels ?? {}).map(([id, c]) => {
      const missing = [c.url ?? '', c.secret ?? '']
        .flatMap((text) => [...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))
        .filter((name) => !env[name]);
      const resolve = (text: string | undefined) =>
        text?.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? '');
      return [
        id,
        {
          id,
          type: c.type,
          url: missing.length ? undefined : resolve(c.url),
          secret: resolve(c.secret),
          ...(c.channel && { slackChannel: c.channel }),
          ...(c.conversation && { teamsConversation: c.conversation }),
          missingVariables: missing,
        },
      ];
    }),
  );
  const fields: Field[] = (file.fields ?? []).map(toField);
  const changeTypes = new Map<string, ChangeType>(
    Object.entries(file.changeTypes).map(([id, t]) => [
      id,
      {
        id,
        label: t.label,
        approvals: t.approvals.map((rule) => ({
          from: rule.from,
          count: rule.count ?? 1,
          when: rule.when,
        })),
        distinctApprovers: t.distinctApprovers ?? false,
        remindAfterMs: t.remindAfter ? parseDuration(t.remindAfter) : undefined,
        escalateAfterMs: t.escalateAfter ? parseDuration(t.escalateAfter) : undefined,
        escalateTo: t.escalateTo,
        notifyOutsideWorkingHours: t.notifyOutsideWorkingHours ?? false,
        keepApprovalsOnPush: t.keepApprovalsOnPush ?? false,
        requirePlannedWindow: t.requirePlannedWindow ?? false,
        ...(t.earlyStart && {
          earlyStart: { from: t.earlyStart.from, count: t.earlyStart.count ?? 1 },
        }),
        ...(t.review && {
          review: {
            within: reviewWithin(t.review.within),
            fields: t.review.fields.map(toField),
          },
        }),
      },
    ]),
  );
  return {
    version: 1,
    organization: file.organization,
    externalLinkTtlMs:
      (file.externalLinkTtl && parseDuration(file.externalLinkTtl)) || DEFAULT_EXTERNAL_LINK_TTL_MS,
    hash: createHash('sha256').update(source).digest('hex'),
    people,
    groups: new Map(
      Object.entries(file.groups).map(([id, members]) => [id, [...new Set(members)]]),
    ),
    channels,
    fields,
    services: new Map(
      Object.entries(file.services).map(([id, s]) => [
        id,
        {
          id,
          name: s.name,
          repositories: s.repositories ?? [],
          environments: s.environments ?? [],
          approvers: s.approvers,
          notify: s.notify ?? [],
        },
      ]),
    ),
    changeTypes,
    notifications: file.notifications ?? [],
    freezes: (file.freezes ?? []).flatMap((f) =>
      f.schedule
        ? []
        : [
            {
              name: f.name,
              from: freezeInstantOf(f.from, f.timezone),
              to: freezeInstantOf(f.to, f.timezone),
              allow: f.allow ?? [],
              services: f.services ?? [],
            },
          ],
    ),
    recurringFreezes: (file.freezes ?? []).flatMap((f) =>
      f.schedule
        ? [
            {
              name: f.name,
              schedule: scheduleOf(f.schedule, FREEZE_SCHEDULE),
              allow: f.allow ?? [],
              services: f.services ?? [],
            },
          ]
        : [],
    ),
    meetings: (file.meetings ?? []).map((m) => ({
      id: meetingSlug(m.name),
      name: m.name,
      when: m.when,
      ...(m.schedule ? { schedule: scheduleOf(m.schedule) } : {}),
      attendees: m.attendees ?? [],
      agendaLeadTimeMs:
        (m.agendaLeadTime && parseDuration(m.agendaLeadTime)) || DEFAULT_AGENDA_LEAD_TIME_MS,
      hold: m.hold ?? false,
    })),
    failureReview: { within: reviewWithin(FAILURE_REVIEW_WITHIN), fields: FAILURE_REVIEW_FIELDS },
    ...(file.standardChanges && {
      standardChanges: file.standardChanges.map((t) => ({
        id: t.id,
        title: t.title,
        services: t.services,
        answers: t.answers ?? {},
        locked: t.locked ?? [],
        requesters: t.requesters,
        approvedBy: t.approvedBy,
        approvedOn: t.approvedOn,
        version: templateVersion(t),
      })),
    }),
  };
}

/** A schedule the checks have passed. */
function scheduleOf(spec: ScheduleSpec, use: ScheduleUse = MEETING_SCHEDULE): Schedule {
  const schedule = parseSchedule(spec, use);
  if (typeof schedule === 'string') throw new Error(`a checked schedule is invalid: ${schedule}`);
  return schedule;
}

/** A one-off freeze's from or to, which the checks have passed. */
function freezeInstantOf(text: string | undefined, timezone: string | undefined): Date {
  const time = parseFreezeTime(text ?? '');
  const at = typeof time === 'string' ? undefined : freezeInstant(time, timezone);
  if (!at) throw new Error(`a checked freeze time is invalid: ${text}`);
  return at;
}

/** The deepest node on the path that exists: a missing key is reported where its parent is. */
function locateNode(
  document: Document,
  lineCounter: LineCounter,
  segments: Segments,
): { line?: number; column?: number } {
  for (let depth = segments.length; depth >= 0; depth--) {
    const path = segments.slice(0, depth);
    const node: unknown = path.length === 0 ? document.contents : document.getIn(path, true);
    if (isNode(node) && node.range) return position(lineCounter, node.range[0]);
    // A key with no value: point at the pair's key instead.
  }
  return {};
}

function position(lineCounter: LineCounter, offset: number): { line: number; column: number } {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function toField(f: NonNullable<PolicyFile['fields']>[number]): Field {
  return {
    id: f.id,
    label: f.label,
    help: f.help,
    type: f.type,
    options: f.options,
    required: f.required ?? false,
  };
}

/**
 * `1w2d12h` → 9 calendar days and 12 hours. Whole days are counted on the
 * requester's calendar, so "2d" after Friday 16:00 in London is Sunday 16:00
 * there, whether or not the clocks change in between; the rest is exact.
 */
function reviewWithin(text: string): ReviewWithin {
  const total = parseDuration(text) ?? 0;
  const days = Math.floor(total / 86_400_000);
  const ms = total - days * 86_400_000;
  return {
    text: text.trim(),
    days,
    ms,
    dueAfter: (from, timezone) => {
      const local = DateTime.fromISO(from, { zone: timezone }).plus({ days });
      return new Date(local.toMillis() + ms).toISOString();
    },
  };
}
