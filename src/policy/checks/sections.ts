import type { ConditionValue, FieldType } from '../../domain/policy.js';
import {
  CONDITION_KEYWORDS,
  meetingSlug,
  NOTIFICATION_AUDIENCES,
  SERVICE_APPROVERS,
} from '../../domain/policy.js';
import { RESERVED_ACTOR_IDS } from '../../domain/authorization.js';
import { NOTIFICATION_EVENTS } from '../../domain/events.js';
import { checkAnswer } from '../../domain/fields.js';
import { freezeInstant, parseFreezeTime } from '../freeze-times.js';
import type { ConditionFile, FreezeFile, PolicyFile } from '../schema.js';
import { FREEZE_SCHEDULE, scheduleProblems, scheduleWarnings } from '../schedule.js';
import { isValidTimeZone, parseWorkingHours } from '../working-hours.js';
import { checkDuration, noteUnique, unknown, type Segments } from './helpers.js';
import { formatPath } from '../../shared/schema-issues.js';

/**
 * One policy file being checked: what every section's check reads (the names
 * the file defines) and how it reports. Sections run in the file's order;
 * `people` and `fields` are filled by their own sections, before anything reads them.
 */
export interface PolicyCheck {
  readonly file: PolicyFile;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly error: (segments: Segments, message: string) => void;
  readonly warn: (segments: Segments, message: string) => void;
  /** Person ids, with the index each was first seen at. */
  readonly people: Map<string, number>;
  readonly groups: ReadonlySet<string>;
  readonly channels: ReadonlySet<string>;
  readonly changeTypes: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
  readonly fields: Map<string, { type: FieldType; options?: readonly string[] }>;
  readonly groupSize: (group: string) => number;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Ids, e-mail addresses and GitHub logins are unique; time zones and working hours are real. */
export function checkPeople(c: PolicyCheck): void {
  const { file, error, people } = c;
  const emails = new Map<string, number>();
  const logins = new Map<string, number>();
  file.people.forEach((person, i) => {
    noteUnique(people, person.id, i, () =>
      error(
        ['people', i, 'id'],
        `duplicate person "${person.id}" (first at people[${people.get(person.id)}])`,
      ),
    );
    noteUnique(emails, person.email.toLowerCase(), i, () =>
      error(
        ['people', i, 'email'],
        `${person.email} is already used by people[${emails.get(person.email.toLowerCase())}]`,
      ),
    );
    if (RESERVED_ACTOR_IDS.includes(person.id)) {
      error(
        ['people', i, 'id'],
        `"${person.id}" is reserved: the timeline shows it for what the ${person.id} integration did`,
      );
    }
    if (person.github) {
      noteUnique(logins, person.github.toLowerCase(), i, () =>
        error(
          ['people', i, 'github'],
          `GitHub login "${person.github}" is already used by people[${logins.get(person.github!.toLowerCase())}]`,
        ),
      );
    }
    if (person.timezone !== undefined && !isValidTimeZone(person.timezone)) {
      error(
        ['people', i, 'timezone'],
        `unknown time zone "${person.timezone}" (use an IANA name such as Europe/Berlin)`,
      );
    }
    if (person.workingHours !== undefined) {
      const hours = parseWorkingHours(person.workingHours);
      if (typeof hours === 'string') error(['people', i, 'workingHours'], hours);
    }
    if (person.external && person.admin)
      error(['people', i, 'admin'], 'an external approver cannot be an admin: they never sign in');
    if (person.external && person.github)
      error(
        ['people', i, 'github'],
        'an external approver cannot raise changes, so pull requests cannot be theirs',
      );
  });
  // Deputies, once every person is known.
  const byId = new Map(file.people.map((person) => [person.id, person]));
  file.people.forEach((person, i) => {
    if (person.deputy === undefined) return;
    const deputy = byId.get(person.deputy);
    const at = ['people', i, 'deputy'] as const;
    if (!deputy) error(at, unknown('person', person.deputy, people.keys()));
    else if (deputy.id === person.id) error(at, 'must be someone else');
    else if (deputy.external)
      error(at, `${deputy.name} is an external approver and cannot act for anyone`);
  });
  checkDuration(file.externalLinkTtl, ['externalLinkTtl'], error);
}

/** Groups name people of the policy, each once. */
export function checkGroups(c: PolicyCheck): void {
  const { file, error, people } = c;
  for (const [group, members] of Object.entries(file.groups)) {
    if (group === SERVICE_APPROVERS)
      error(
        ['groups', group],
        `"${SERVICE_APPROVERS}" is reserved for the approvers of each service`,
      );
    if (members.length === 0) error(['groups', group], 'a group needs at least one member');
    const seen = new Set<string>();
    members.forEach((member, i) => {
      if (!people.has(member))
        error(['groups', group, i], unknown('person', member, people.keys()));
      if (seen.has(member)) error(['groups', group, i], `"${member}" is listed twice`);
      seen.add(member);
    });
  }
}

/** Channel URLs are http(s) once their variables are set; only webhooks have secrets. */
export function checkChannels(c: PolicyCheck): void {
  const { file, env, error, warn } = c;
  for (const [id, channel] of Object.entries(file.channels ?? {})) {
    if (channel.channel !== undefined) {
      // The Slack app posts by channel id; a webhook URL beside it would say two things.
      if (channel.type !== 'slack')
        error(['channels', id, 'channel'], 'only slack channels name a Slack channel id');
      else if (channel.url !== undefined)
        error(
          ['channels', id],
          'give either url (an incoming webhook) or channel (the Slack app posts there), not both',
        );
      else if (!Object.values(file.services).some((s) => s.notify?.includes(id)))
        warn(
          ['channels', id],
          "no service lists it under notify: the Slack app posts to the channels of a change's services, when its approvers are asked",
        );
      continue;
    }
    if (channel.conversation !== undefined) {
      // The Teams bot posts into a conversation; a Workflows URL beside it would say two things.
      if (channel.type !== 'teams')
        error(['channels', id, 'conversation'], 'only teams channels name a Teams conversation');
      else if (channel.url !== undefined)
        error(
          ['channels', id],
          'give either url (a Workflows webhook) or conversation (the Teams bot posts there), not both',
        );
      continue;
    }
    if (channel.url === undefined) {
      error(
        ['channels', id, 'url'],
        channel.type === 'slack'
          ? 'is required, or channel: a Slack channel id the Slack app posts to'
          : 'is required',
      );
      continue;
    }
    const missing = [channel.url, channel.secret ?? '']
      .flatMap((text) => [...text.matchAll(VARIABLE)].map((m) => m[1]!))
      .filter((name) => !env[name]);
    if (missing.length > 0) {
      warn(
        ['channels', id],
        `environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not set: the channel will be skipped`,
      );
    } else {
      const url = channel.url.replace(VARIABLE, (_, name: string) => env[name] ?? '');
      if (!/^https?:\/\//.test(url) || !URL.canParse(url))
        error(['channels', id, 'url'], 'must be an http(s) URL');
    }
    if (channel.type === 'webhook' && channel.secret === undefined) {
      warn(
        ['channels', id],
        'a webhook channel without a secret sends unsigned events that receivers cannot authenticate',
      );
    }
    if (channel.type !== 'webhook' && channel.secret !== undefined) {
      error(
        ['channels', id, 'secret'],
        `only webhook channels are signed; a ${channel.type} channel's secret is part of its URL`,
      );
    }
  }
}

/** Field ids are unique and not condition keywords; choice fields have options. */
export function checkFields(c: PolicyCheck): void {
  checkFieldList(c, c.file.fields ?? [], ['fields'], (field) =>
    c.fields.set(field.id, { type: field.type, options: field.options }),
  );
}

function checkFieldList(
  { error }: PolicyCheck,
  list: NonNullable<PolicyFile['fields']>,
  at: Segments,
  onField: (field: NonNullable<PolicyFile['fields']>[number]) => void = () => {},
): void {
  const fieldIndex = new Map<string, number>();
  list.forEach((field, i) => {
    noteUnique(fieldIndex, field.id, i, () =>
      error(
        [...at, i, 'id'],
        `duplicate field "${field.id}" (first at ${formatPath([...at, fieldIndex.get(field.id) ?? 0])})`,
      ),
    );
    onField(field);
    if ((CONDITION_KEYWORDS as readonly string[]).includes(field.id)) {
      error(
        [...at, i, 'id'],
        `"${field.id}" is reserved: conditions use it for the change's ${field.id}`,
      );
    }
    if (field.type === 'choice' && !field.options)
      error([...at, i, 'options'], 'a choice field needs a list of options');
    if (field.type !== 'choice' && field.options)
      error([...at, i, 'options'], `only choice fields have options, this one is ${field.type}`);
  });
}

/** A field required under a condition names real fields, never itself. */
export function checkFieldConditions(c: PolicyCheck): void {
  const { file, error } = c;
  (file.fields ?? []).forEach((field, i) => {
    if (typeof field.required === 'object') {
      checkCondition(c, field.required.when, ['fields', i, 'required', 'when']);
      if (field.id in field.required.when)
        error(
          ['fields', i, 'required', 'when', field.id],
          'a field cannot be required depending on its own answer',
        );
    }
  });
}

/** Services name real groups and channels; a repository belongs to one service. */
export function checkServices(c: PolicyCheck): void {
  const { file, error, groups, channels } = c;
  const repositories = new Map<string, string>();
  for (const [id, service] of Object.entries(file.services)) {
    if (service.approvers !== undefined && !groups.has(service.approvers)) {
      error(['services', id, 'approvers'], unknown('group', service.approvers, groups));
    }
    (service.notify ?? []).forEach((channel, i) => {
      if (!channels.has(channel))
        error(['services', id, 'notify', i], unknown('channel', channel, channels));
    });
    (service.repositories ?? []).forEach((repository, i) => {
      const owner = repositories.get(repository.toLowerCase());
      if (owner)
        error(
          ['services', id, 'repositories', i],
          `${repository} is already mapped to service "${owner}"`,
        );
      else repositories.set(repository.toLowerCase(), id);
    });
  }
}

/** Approvals name groups big enough to meet them; reminders come before escalation. */
export function checkChangeTypes(c: PolicyCheck): void {
  const { file, error, warn, people, groups, groupSize } = c;
  for (const [id, changeType] of Object.entries(file.changeTypes)) {
    const at = ['changeTypes', id] as const;
    let slots = 0;
    changeType.approvals.forEach((rule, i) => {
      const count = rule.count ?? 1;
      if (rule.from === SERVICE_APPROVERS) {
        for (const [serviceId, service] of Object.entries(file.services)) {
          if (!service.approvers) {
            warn(
              [...at, 'approvals', i, 'from'],
              `service "${serviceId}" has no approvers group, so its changes of type "${id}" need no service approval`,
            );
          } else if (groups.has(service.approvers) && groupSize(service.approvers) < count) {
            error(
              [...at, 'approvals', i, 'count'],
              `needs ${count} approvals but service "${serviceId}"'s group "${service.approvers}" has only ${groupSize(service.approvers)} member(s)`,
            );
          }
        }
        slots += count;
      } else if (!groups.has(rule.from)) {
        error([...at, 'approvals', i, 'from'], unknown('group', rule.from, groups));
      } else {
        if (groupSize(rule.from) < count) {
          error(
            [...at, 'approvals', i, 'count'],
            `needs ${count} approvals but group "${rule.from}" has only ${groupSize(rule.from)} member(s)`,
          );
        }
        slots += count;
      }
      if (rule.when) checkCondition(c, rule.when, [...at, 'approvals', i, 'when']);
    });
    if (changeType.distinctApprovers && slots > people.size) {
      error(
        [...at, 'distinctApprovers'],
        `needs ${slots} different approvers but the policy has ${people.size} people`,
      );
    }
    const remind = checkDuration(changeType.remindAfter, [...at, 'remindAfter'], error);
    const escalate = checkDuration(changeType.escalateAfter, [...at, 'escalateAfter'], error);
    if (remind !== undefined && escalate !== undefined && escalate <= remind) {
      error(
        [...at, 'escalateAfter'],
        `must be longer than remindAfter (${changeType.remindAfter}): escalation follows the reminder`,
      );
    }
    if (changeType.escalateTo !== undefined && !groups.has(changeType.escalateTo)) {
      error([...at, 'escalateTo'], unknown('group', changeType.escalateTo, groups));
    }
    if (changeType.escalateAfter !== undefined && changeType.escalateTo === undefined) {
      error([...at, 'escalateTo'], 'escalateAfter is set but nobody to escalate to');
    }
    if (changeType.escalateTo !== undefined && changeType.escalateAfter === undefined) {
      error([...at, 'escalateAfter'], 'escalateTo is set but not after how long');
    }
    if (changeType.approvals.length === 0 && (changeType.remindAfter || changeType.escalateAfter)) {
      warn([...at], 'reminders and escalation never fire for a type that needs no approval');
    }
    if (changeType.earlyStart) checkEarlyStart(c, changeType, changeType.earlyStart, at);
    if (changeType.review) checkReview(c, changeType.review, at);
    if (changeType.approvals.length === 0 && changeType.keepApprovalsOnPush) {
      warn(
        [...at, 'keepApprovalsOnPush'],
        'has no effect: a type that needs no approval is approved again as soon as new commits are pushed',
      );
    }
  }
}

/**
 * A review's fields are checked like the change's own; a field required under a
 * condition is evaluated against the change, so it names the change's fields.
 */
function checkReview(
  c: PolicyCheck,
  review: NonNullable<PolicyFile['changeTypes'][string]['review']>,
  at: readonly ['changeTypes', string],
): void {
  const within = checkDuration(review.within, [...at, 'review', 'within'], c.error);
  if (within === 0) c.error([...at, 'review', 'within'], 'must be longer than nothing');
  checkFieldList(c, review.fields, [...at, 'review', 'fields']);
  review.fields.forEach((field, i) => {
    if (typeof field.required === 'object')
      checkCondition(c, field.required.when, [...at, 'review', 'fields', i, 'required', 'when']);
  });
}

/** An early start names one of the type's approvals, and no more approvals than it asks for. */
function checkEarlyStart(
  { error }: PolicyCheck,
  changeType: PolicyFile['changeTypes'][string],
  early: { from: string; count?: number },
  at: readonly ['changeTypes', string],
): void {
  const count = early.count ?? 1;
  const rules = changeType.approvals.filter((rule) => rule.from === early.from);
  if (rules.length === 0) {
    const named = [...new Set(changeType.approvals.map((rule) => rule.from))];
    error(
      [...at, 'earlyStart', 'from'],
      `"${early.from}" is not one of this type's approvals (${named.length > 0 ? named.map((g) => `"${g}"`).join(', ') : 'it needs none'}): an early start waits for one of them`,
    );
    return;
  }
  const most = Math.max(...rules.map((rule) => rule.count ?? 1));
  if (count > most) {
    error(
      [...at, 'earlyStart', 'count'],
      `waits for ${count} approvals from "${early.from}", but the type asks that group for only ${most}`,
    );
  }
}

/** Rules name real events and recipients; e-mail goes to people. */
export function checkNotifications(c: PolicyCheck): void {
  const { file, error, people, groups, channels } = c;
  (file.notifications ?? []).forEach((rule, i) => {
    const at = ['notifications', i] as const;
    rule.on.forEach((event, j) => {
      if (!(NOTIFICATION_EVENTS as readonly string[]).includes(event)) {
        error([...at, 'on', j], unknown('event', event, NOTIFICATION_EVENTS));
      }
    });
    rule.to.forEach((target, j) => {
      const isAudience = (NOTIFICATION_AUDIENCES as readonly string[]).includes(target);
      const isPersonal =
        target === 'approvers' ||
        target === 'requester' ||
        groups.has(target) ||
        people.has(target);
      if (!isAudience && !channels.has(target) && !groups.has(target) && !people.has(target)) {
        error(
          [...at, 'to', j],
          `unknown recipient "${target}": use a channel, group or person id, or one of ${NOTIFICATION_AUDIENCES.join(', ')}`,
        );
      } else if (rule.via === 'email' && !isPersonal) {
        error(
          [...at, 'to', j],
          `"${target}" is a channel; e-mail goes to people (approvers, requester, a group or a person)`,
        );
      }
    });
    if (rule.when) checkCondition(c, rule.when, [...at, 'when']);
  });
}

/**
 * A freeze runs once (from, to) or recurs (schedule); its times name moments,
 * and it ends after it starts; it names real types and services. Overlapping
 * one-off freezes are pointed out.
 */
export function checkFreezes(c: PolicyCheck): void {
  const { file, error, warn, changeTypes, services } = c;
  const freezeNames = new Map<string, number>();
  const once: { from: Date; to: Date; services: readonly string[]; index: number }[] = [];
  (file.freezes ?? []).forEach((freeze, i) => {
    const at = ['freezes', i] as const;
    noteUnique(freezeNames, freeze.name, i, () =>
      error([...at, 'name'], `another freeze is already called "${freeze.name}"`),
    );
    if (freeze.schedule) checkRecurringFreeze(c, freeze, freeze.schedule, at);
    else {
      const span = checkOneOffFreeze(c, freeze, at);
      if (span) once.push({ ...span, services: freeze.services ?? [], index: i });
    }
    (freeze.allow ?? []).forEach(
      (type, j) =>
        changeTypes.has(type) ||
        error([...at, 'allow', j], unknown('change type', type, changeTypes)),
    );
    (freeze.services ?? []).forEach(
      (s, j) => services.has(s) || error([...at, 'services', j], unknown('service', s, services)),
    );
  });
  // A recurring freeze is left out: one that meets another freeze (a Friday in the
  // year-end freeze) is what recurring means, not a slip worth a warning.
  for (const a of once) {
    for (const b of once) {
      if (b.index <= a.index || !(a.from < b.to && b.from < a.to)) continue;
      const sharedServices =
        a.services.length === 0 ||
        b.services.length === 0 ||
        a.services.some((s) => b.services.includes(s));
      if (sharedServices)
        warn(['freezes', b.index], `overlaps freezes[${a.index}]; during the overlap both apply`);
    }
  }
}

function checkRecurringFreeze(
  c: PolicyCheck,
  freeze: FreezeFile,
  schedule: NonNullable<FreezeFile['schedule']>,
  at: Segments,
): void {
  const { error, warn } = c;
  const given = (['from', 'to'] as const).filter((end) => freeze[end] !== undefined);
  if (given.length > 0)
    error(
      [...at, 'schedule'],
      `cannot be given with ${given.join(' and ')}: a freeze either recurs on its schedule or runs once, from … to; leave one out`,
    );
  if (freeze.timezone !== undefined)
    error(
      [...at, 'timezone'],
      'a recurring freeze gives its time zone in its schedule (schedule.timezone)',
    );
  for (const problem of scheduleProblems(schedule, FREEZE_SCHEDULE))
    error([...at, 'schedule', problem.field], problem.message);
  for (const problem of scheduleWarnings(schedule, new Date(), FREEZE_SCHEDULE))
    warn([...at, 'schedule', problem.field], problem.message);
}

/** The instants a one-off freeze runs between, when both are sound. */
function checkOneOffFreeze(
  c: PolicyCheck,
  freeze: FreezeFile,
  at: Segments,
): { from: Date; to: Date } | undefined {
  const { error, warn } = c;
  if (freeze.from === undefined && freeze.to === undefined) {
    error(at, 'needs from and to (a freeze that runs once) or schedule (one that recurs)');
    return undefined;
  }
  const zone = freeze.timezone;
  const zoneOk = zone === undefined || isValidTimeZone(zone);
  if (!zoneOk)
    error(
      [...at, 'timezone'],
      `unknown time zone "${zone}" (use an IANA name such as Europe/Berlin)`,
    );
  const instants = (['from', 'to'] as const).map((end) => {
    const text = freeze[end];
    if (text === undefined) {
      error([...at, end], 'is required: a one-off freeze needs both from and to');
      return undefined;
    }
    const time = parseFreezeTime(text);
    if (typeof time === 'string') {
      error([...at, end], time);
      return undefined;
    }
    if (time.kind === 'local' && zone === undefined)
      error(
        [...at, end],
        `"${text}" is a local time: give timezone (such as Europe/London) to say where, or end it in Z or an offset (+01:00)`,
      );
    return { time, at: zoneOk ? freezeInstant(time, zone) : undefined };
  });
  if (zone !== undefined && zoneOk && instants.every((instant) => instant?.time.kind !== 'local'))
    warn(
      [...at, 'timezone'],
      'has no effect: from and to name instants (they end in Z or an offset); write them without one, such as 2026-12-19T00:00, to read them in this time zone',
    );
  const [from, to] = instants.map((instant) => instant?.at);
  if (!from || !to) return undefined;
  if (!(from < to)) {
    error([...at, 'to'], `must be after from (${freeze.from})`);
    return undefined;
  }
  return { from, to };
}

/**
 * Meetings have unique names (and URL slugs) and real conditions; a schedule is
 * one a meeting can keep; attendees are groups or people of the policy; a held
 * meeting sits and has someone to record its outcome.
 */
export function checkMeetings(c: PolicyCheck): void {
  const { file, error, warn, groups, people } = c;
  const meetingNames = new Map<string, number>();
  const slugs = new Map<string, number>();
  const meetings = file.meetings ?? [];
  meetings.forEach((meeting, i) => {
    const at = ['meetings', i] as const;
    noteUnique(meetingNames, meeting.name, i, () =>
      error([...at, 'name'], `another meeting is already called "${meeting.name}"`),
    );
    const slug = meetingSlug(meeting.name);
    const first = slugs.get(slug);
    if (first === undefined) slugs.set(slug, i);
    else if (meetings[first]!.name !== meeting.name)
      error(
        [...at, 'name'],
        `reads as "${slug}" in URLs, like "${meetings[first]!.name}" (meetings[${first}]); rename one of them`,
      );
    checkCondition(c, meeting.when, [...at, 'when']);

    if (meeting.schedule) {
      const problems = scheduleProblems(meeting.schedule);
      for (const problem of problems) error([...at, 'schedule', problem.field], problem.message);
      for (const problem of scheduleWarnings(meeting.schedule, new Date()))
        warn([...at, 'schedule', problem.field], problem.message);
    }

    const attendees = meeting.attendees ?? [];
    const seen = new Set<string>();
    attendees.forEach((attendee, j) => {
      if (!groups.has(attendee) && !people.has(attendee))
        error(
          [...at, 'attendees', j],
          unknown('group or person', attendee, [...groups, ...people.keys()]),
        );
      if (seen.has(attendee)) error([...at, 'attendees', j], `"${attendee}" is listed twice`);
      seen.add(attendee);
    });

    checkDuration(meeting.agendaLeadTime, [...at, 'agendaLeadTime'], error);
    if (meeting.agendaLeadTime !== undefined && !meeting.schedule)
      warn(
        [...at, 'agendaLeadTime'],
        'has no effect: a meeting without a schedule never sits, so no agenda is sent',
      );
    if (meeting.hold && !meeting.schedule)
      error(
        [...at, 'hold'],
        'a held meeting needs a schedule: the changes it holds wait for it to sit',
      );
    if (meeting.hold && attendees.length === 0)
      error(
        [...at, 'hold'],
        'a held meeting needs attendees: only they can record the outcome that releases a change',
      );
  });
}

/** A condition (`when:`) names real fields, types and services, with values that can match. */
export function checkCondition(c: PolicyCheck, condition: ConditionFile, at: Segments): void {
  const { error, changeTypes, services, fields } = c;
  if (Object.keys(condition).length === 0)
    error(at, 'an empty condition matches every change; leave it out instead');
  for (const [key, expected] of Object.entries(condition)) {
    const values: readonly ConditionValue[] = Array.isArray(expected) ? expected : [expected];
    if (key === 'type') {
      values.forEach(
        (v) =>
          changeTypes.has(String(v)) ||
          error([...at, key], unknown('change type', String(v), changeTypes)),
      );
    } else if (key === 'service') {
      values.forEach(
        (v) =>
          services.has(String(v)) || error([...at, key], unknown('service', String(v), services)),
      );
    } else {
      const field = fields.get(key);
      if (!field) {
        error(
          [...at, key],
          `unknown field "${key}"; conditions name a field id, "type" or "service"`,
        );
        continue;
      }
      for (const value of values) {
        const problem = checkAnswer(
          { id: key, label: key, type: field.type, options: field.options, required: false },
          value,
        );
        if (problem)
          error(
            [...at, key],
            `${JSON.stringify(value)} can never match: field "${key}" ${problem}`,
          );
      }
    }
  }
}
