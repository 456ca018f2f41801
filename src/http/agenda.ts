import ical, { ICalAttendeeRole, ICalCalendarMethod } from 'ical-generator';
import type { Agenda, AgendaItem, MeetingOverview, SittingTally } from '../app/meetings.js';
import { formatChangeId } from '../domain/change.js';
import type { Meeting, Policy } from '../domain/policy.js';
import { attendeesOf } from '../domain/meetings.js';
import { formatInZone } from '../shared/format-instant.js';
import { escapeMarkdown } from '../shared/markdown-text.js';
import type { AgendaJson, MeetingJson } from './contract/index.js';

/** A meeting's agenda in its three forms: JSON (the API's), Markdown, and an iCalendar event. */

export interface AgendaContext {
  readonly policy: Policy;
  readonly publicUrl: string;
}

export function presentMeeting(ctx: AgendaContext, overview: MeetingOverview): MeetingJson {
  const { meeting } = overview;
  return {
    id: meeting.id,
    name: meeting.name,
    when: { ...meeting.when },
    hold: meeting.hold,
    schedule: meeting.schedule
      ? {
          rrule: meeting.schedule.rrule,
          at: meeting.schedule.at,
          timezone: meeting.schedule.timezone,
          durationMinutes: Math.round(meeting.schedule.durationMs / 60_000),
        }
      : null,
    agendaLeadTimeMinutes: Math.round(meeting.agendaLeadTimeMs / 60_000),
    attendees: overview.attendees.map((id) => {
      const person = ctx.policy.people.get(id);
      return { id, name: person?.name ?? id, external: person?.external ?? false };
    }),
    recordsFor: overview.recordsFor
      ? {
          start: overview.recordsFor.start.toISOString(),
          end: overview.recordsFor.end.toISOString(),
        }
      : null,
    upcoming: overview.upcoming.map((agenda) => presentAgenda(ctx, agenda)),
    last: overview.last ? presentTally(overview.last) : null,
  };
}

function presentTally(tally: SittingTally): NonNullable<MeetingJson['last']> {
  return {
    sitting: { start: tally.sitting.start.toISOString(), end: tally.sitting.end.toISOString() },
    discussed: tally.discussed,
    outcomes: { ...tally.outcomes },
    decidedAsync: tally.decidedAsync,
    since: tally.since,
  };
}

export function agendaLinks(
  publicUrl: string,
  meeting: Meeting,
  start: string | undefined,
): AgendaJson['links'] {
  const at = start ? `at=${encodeURIComponent(start)}` : '';
  const api = `${publicUrl}/api/v1/meetings/${meeting.id}/agenda`;
  return {
    page: `${publicUrl}/meetings/${meeting.id}${at ? `?${at}` : ''}`,
    markdown: `${api}?${at ? `${at}&` : ''}format=markdown`,
    ics: `${api}?${at ? `${at}&` : ''}format=ics`,
  };
}

export function presentAgenda(ctx: AgendaContext, agenda: Agenda): AgendaJson {
  const { meeting, sitting } = agenda;
  const start = sitting?.start.toISOString();
  return {
    meeting: { id: meeting.id, name: meeting.name, hold: meeting.hold },
    sitting: sitting ? { start: start!, end: sitting.end.toISOString() } : null,
    timezone: meeting.schedule?.timezone ?? null,
    items: agenda.items.map((item) => presentItem(ctx, item)),
    discussed: agenda.discussed.map((item) => presentItem(ctx, item)),
    truncated: agenda.truncated,
    links: agendaLinks(ctx.publicUrl, meeting, start),
  };
}

function presentItem(ctx: AgendaContext, item: AgendaItem): AgendaJson['items'][number] {
  const { change, evaluation } = item;
  const { policy } = ctx;
  const id = formatChangeId(change.id);
  const requester = change.requester ? policy.people.get(change.requester) : undefined;
  return {
    id,
    number: change.id,
    url: `${ctx.publicUrl}/changes/${id}`,
    title: change.title,
    type: change.type,
    typeLabel: policy.changeTypes.get(change.type)?.label ?? change.type,
    services: change.services.map((s) => ({ id: s, name: policy.services.get(s)?.name ?? s })),
    requester: change.requester
      ? { id: change.requester, name: requester?.name ?? change.requester }
      : null,
    state: change.state,
    version: change.version,
    submittedAt: change.submittedAt,
    plannedStart: change.plannedStart,
    plannedEnd: change.plannedEnd,
    held: item.held,
    questions: policy.fields
      .filter((field) => change.answers[field.id] !== undefined)
      .map((field) => ({ field: field.id, label: field.label, answer: change.answers[field.id]! })),
    approvals: evaluation.requirements.map((r) => ({
      from: r.group,
      service: r.service ?? null,
      count: r.count,
      met: r.met,
      approvedBy: [...r.approvedBy],
    })),
    waitingFor: change.state === 'pending' ? [...evaluation.eligibleApprovers] : [],
    links: [...change.links],
    pullRequest: change.pullRequest?.url ?? null,
    outcome: item.outcome
      ? {
          outcome: item.outcome.outcome,
          minutes: item.outcome.minutes,
          url: item.outcome.url,
          actor: item.outcome.actor,
          via: item.outcome.via ?? null,
          at: item.outcome.at,
        }
      : null,
    deferredFrom: item.deferredFrom ?? null,
  };
}

/** "Acme Hosting CAB, Thu 10 Dec 2026 14:00 (Europe/London)" */
export function sittingTitle(agenda: Pick<AgendaJson, 'meeting' | 'sitting' | 'timezone'>): string {
  if (!agenda.sitting || !agenda.timezone) return agenda.meeting.name;
  return `${agenda.meeting.name}, ${formatInZone(agenda.sitting.start, agenda.timezone)} (${agenda.timezone})`;
}

/** The agenda as Markdown: to paste into minutes, a wiki or an e-mail. User text is escaped. */
export function agendaMarkdown(ctx: AgendaContext, agenda: AgendaJson): string {
  const names = (ids: readonly string[]) =>
    ids.map((id) => ctx.policy.people.get(id)?.name ?? id).join(', ');
  const zone = agenda.timezone ?? 'UTC';
  const when = (iso: string) => `${formatInZone(iso, zone)}`;
  const lines = [`# Agenda: ${escapeMarkdown(sittingTitle(agenda))}`, ''];
  if (agenda.meeting.hold)
    lines.push(
      `Changes on this agenda wait for this meeting's outcome before they can be approved.`,
      '',
    );
  if (agenda.items.length === 0) lines.push('Nothing to discuss.', '');
  agenda.items.forEach((item, i) => {
    lines.push(`## ${i + 1}. ${item.id}: ${escapeMarkdown(item.title)}`, '');
    lines.push(
      `- **${escapeMarkdown(item.typeLabel)}** change to ${item.services.map((s) => escapeMarkdown(s.name)).join(', ')}, requested by ${escapeMarkdown(item.requester?.name ?? 'nobody yet')}${item.submittedAt ? ` on ${when(item.submittedAt)}` : ''}`,
    );
    lines.push(
      `- State: ${item.state.replace('_', ' ')}${item.held ? ' (held for this meeting)' : ''}`,
    );
    if (item.deferredFrom) lines.push(`- Deferred from the sitting of ${when(item.deferredFrom)}`);
    if (item.plannedStart)
      lines.push(
        `- Planned: ${when(item.plannedStart)}${item.plannedEnd ? ` to ${when(item.plannedEnd)}` : ''}`,
      );
    for (const approval of item.approvals)
      lines.push(
        `- Approval from ${escapeMarkdown(approval.from)}: ${approval.approvedBy.length} of ${approval.count}${approval.approvedBy.length ? ` (${escapeMarkdown(names(approval.approvedBy))})` : ''}${approval.met ? ', met' : ''}`,
      );
    for (const q of item.questions)
      lines.push(`- ${escapeMarkdown(q.label)}: ${escapeMarkdown(String(q.answer))}`);
    for (const link of item.links) lines.push(`- [${escapeMarkdown(link.title)}](<${link.url}>)`);
    if (item.pullRequest) lines.push(`- Pull request: <${item.pullRequest}>`);
    lines.push(`- Change page: <${item.url}>`, '');
  });
  if (agenda.discussed.length > 0) {
    lines.push('## Already discussed at this sitting', '');
    for (const item of agenda.discussed)
      lines.push(
        `- ${item.id}: ${escapeMarkdown(item.title)}: **${item.outcome?.outcome ?? ''}**${item.outcome?.minutes ? `: ${escapeMarkdown(item.outcome.minutes)}` : ''}`,
      );
    lines.push('');
  }
  if (agenda.truncated) lines.push('More changes wait than this agenda lists; see the board.', '');
  lines.push(`Record each outcome on the agenda page: <${agenda.links.page}>`, '');
  return lines.join('\n');
}

/** One iCalendar event for the sitting, carrying the agenda and its links, with the attendees invited. */
export function agendaIcs(ctx: AgendaContext, meeting: Meeting, agenda: AgendaJson): string {
  const calendar = ical({
    name: `${meeting.name} – ${ctx.policy.organization}`,
    prodId: { company: 'Changeboard', product: 'changeboard', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
  });
  if (agenda.sitting) {
    calendar.createEvent({
      id: `${meeting.id}-${agenda.sitting.start}@changeboard`,
      start: new Date(agenda.sitting.start),
      end: new Date(agenda.sitting.end),
      summary: `${meeting.name} (${agenda.items.length} change${agenda.items.length === 1 ? '' : 's'})`,
      description: agendaMarkdown(ctx, agenda),
      url: agenda.links.page,
      attendees: [...attendeesOf(ctx.policy, meeting)].flatMap((id) => {
        const person = ctx.policy.people.get(id);
        return person
          ? [{ name: person.name, email: person.email, role: ICalAttendeeRole.REQ }]
          : [];
      }),
    });
  }
  return calendar.toString();
}
