import canonicalize from 'canonicalize';
import type { ChangeType, Meeting, Policy } from '../domain/policy.js';
import { formatDuration } from '../shared/duration.js';

/**
 * What changed from one policy to the next, in sentences a reviewer of the
 * history reads ("group change-managers: added ana", "change type normal:
 * approvals were 1 from service-approvers, now …"). Recorded with the
 * `policy-changed` event, so the chain says what the rules became, not only
 * that they changed. Empty when nothing that matters changed (a comment).
 */
export function describePolicyChange(previous: Policy, next: Policy): string[] {
  return [
    ...keyed('person', ids(previous.people), ids(next.people), (id) =>
      same(previous.people.get(id), next.people.get(id)) ? [] : ['details changed'],
    ),
    ...keyed('group', ids(previous.groups), ids(next.groups), (id) =>
      members(previous.groups.get(id) ?? [], next.groups.get(id) ?? []),
    ),
    ...keyed(
      'question',
      previous.fields.map((f) => f.id),
      next.fields.map((f) => f.id),
      (id) =>
        same(
          previous.fields.find((f) => f.id === id),
          next.fields.find((f) => f.id === id),
        )
          ? []
          : ['label, type, options or when it is required changed'],
    ),
    ...keyed('service', ids(previous.services), ids(next.services), (id) => {
      const [before, after] = [previous.services.get(id), next.services.get(id)];
      const lines: string[] = [];
      if (before?.approvers !== after?.approvers)
        lines.push(`approvers ${before?.approvers ?? 'none'} → ${after?.approvers ?? 'none'}`);
      if (!same({ ...before, approvers: undefined }, { ...after, approvers: undefined }))
        lines.push('repositories, environments or channels changed');
      return lines;
    }),
    ...keyed('change type', ids(previous.changeTypes), ids(next.changeTypes), (id) =>
      changeTypeChanges(previous.changeTypes.get(id)!, next.changeTypes.get(id)!),
    ),
    ...keyed('freeze', freezeNames(previous), freezeNames(next), (name) =>
      same(freezeOf(previous, name), freezeOf(next, name)) ? [] : ['its times changed'],
    ),
    ...keyed(
      'meeting',
      previous.meetings.map((m) => m.name),
      next.meetings.map((m) => m.name),
      (name) =>
        meetingChanges(
          previous.meetings.find((m) => m.name === name)!,
          next.meetings.find((m) => m.name === name)!,
        ),
    ),
    ...keyed(
      'standard change',
      (previous.standardChanges ?? []).map((t) => t.id),
      (next.standardChanges ?? []).map((t) => t.id),
      (id) => {
        const [before, after] = [previous, next].map((p) =>
          p.standardChanges?.find((t) => t.id === id),
        );
        return before?.version === after?.version
          ? []
          : [`version ${before?.version} → ${after?.version}`];
      },
    ),
    ...(same(previous.notifications, next.notifications) ? [] : ['notification rules changed']),
    ...(same(previous.channels, next.channels) ? [] : ['channels changed']),
  ];
}

/** One line per id added or removed, and `changed(id)`'s lines for those in both. */
function keyed(
  kind: string,
  before: readonly string[],
  after: readonly string[],
  changed: (id: string) => string[],
): string[] {
  const lines: string[] = [];
  for (const id of after) if (!before.includes(id)) lines.push(`${kind} ${id}: added`);
  for (const id of before) if (!after.includes(id)) lines.push(`${kind} ${id}: removed`);
  for (const id of after)
    if (before.includes(id)) lines.push(...changed(id).map((line) => `${kind} ${id}: ${line}`));
  return lines;
}

function members(before: readonly string[], after: readonly string[]): string[] {
  const added = after.filter((m) => !before.includes(m));
  const removed = before.filter((m) => !after.includes(m));
  return [
    ...(added.length ? [`added ${added.join(', ')}`] : []),
    ...(removed.length ? [`removed ${removed.join(', ')}`] : []),
  ];
}

function changeTypeChanges(before: ChangeType, after: ChangeType): string[] {
  const lines: string[] = [];
  if (!same(before.approvals, after.approvals))
    lines.push(`approvals were ${approvals(before)}, now ${approvals(after)}`);
  if (before.distinctApprovers !== after.distinctApprovers)
    lines.push(
      after.distinctApprovers ? 'approvers must now be different people' : 'approvers may repeat',
    );
  if (!same(before.earlyStart, after.earlyStart))
    lines.push(
      after.earlyStart
        ? `may start early once ${after.earlyStart.count} from ${after.earlyStart.from} approved`
        : 'may no longer start early',
    );
  if (!same(reviewOf(before), reviewOf(after)))
    lines.push(
      after.review
        ? `reviewed within ${after.review.within.text}, asking ${after.review.fields.map((f) => f.id).join(', ')}`
        : 'no longer reviewed (only failed changes are)',
    );
  const timing = (t: ChangeType) => [t.remindAfterMs, t.escalateAfterMs, t.escalateTo];
  if (!same(timing(before), timing(after)))
    lines.push(`reminders ${reminders(before)} → ${reminders(after)}`);
  const rest = (t: ChangeType) => [
    t.label,
    t.notifyOutsideWorkingHours,
    t.keepApprovalsOnPush,
    t.requirePlannedWindow,
  ];
  if (!same(rest(before), rest(after)))
    lines.push('label, out-of-hours notices, approvals on push or planned window changed');
  return lines;
}

function approvals(type: ChangeType): string {
  if (type.approvals.length === 0) return 'none (pre-approved)';
  return type.approvals
    .map(
      (rule) =>
        `${rule.count} from ${rule.from}${rule.when ? ` when ${canonicalize(rule.when)}` : ''}`,
    )
    .join(' + ');
}

function reminders(type: ChangeType): string {
  if (type.remindAfterMs === undefined && type.escalateAfterMs === undefined) return 'none';
  return [
    type.remindAfterMs !== undefined ? `remind after ${formatDuration(type.remindAfterMs)}` : '',
    type.escalateAfterMs !== undefined
      ? `escalate to ${type.escalateTo ?? '?'} after ${formatDuration(type.escalateAfterMs)}`
      : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function reviewOf(type: ChangeType) {
  return type.review && { within: type.review.within.text, fields: type.review.fields };
}

function meetingChanges(before: Meeting, after: Meeting): string[] {
  const lines: string[] = [];
  const schedule = (m: Meeting) =>
    m.schedule && [m.schedule.rrule, m.schedule.at, m.schedule.timezone, m.schedule.durationMs];
  if (!same(schedule(before), schedule(after))) lines.push('its schedule changed');
  if (!same(before.when, after.when)) lines.push('which changes it discusses changed');
  lines.push(...members(before.attendees, after.attendees).map((line) => `attendees ${line}`));
  if (before.hold !== after.hold)
    lines.push(after.hold ? 'now holds its changes' : 'no longer holds its changes');
  return lines;
}

function freezeNames(policy: Policy): string[] {
  return [...policy.freezes.map((f) => f.name), ...policy.recurringFreezes.map((f) => f.name)];
}

function freezeOf(policy: Policy, name: string) {
  const once = policy.freezes.find((f) => f.name === name);
  if (once) return once;
  const recurring = policy.recurringFreezes.find((f) => f.name === name);
  return (
    recurring && {
      ...recurring,
      schedule: [
        recurring.schedule.rrule,
        recurring.schedule.at,
        recurring.schedule.timezone,
        recurring.schedule.durationMs,
      ],
    }
  );
}

function ids(map: ReadonlyMap<string, unknown>): string[] {
  return [...map.keys()];
}

/** Compares plain data (Maps as their entries); functions, as in a schedule, are left out. */
function same(a: unknown, b: unknown): boolean {
  return canonicalize(plain(a)) === canonicalize(plain(b));
}

function plain(value: unknown): unknown {
  if (value instanceof Map)
    return [...(value as Map<unknown, unknown>).entries()].map(([k, v]) => [k, plain(v)]);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => typeof v !== 'function')
        .map(([k, v]) => [k, plain(v)]),
    );
  return value;
}
