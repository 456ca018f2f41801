import { stringify } from 'yaml';
import type { Change } from '../domain/change.js';
import { invalidInput, type Issue } from '../domain/errors.js';
import type { AuditEvent } from '../domain/events.js';
import {
  promotionCandidates,
  type NearMiss,
  type PromotionCandidate,
} from '../domain/insights/candidates.js';
import {
  COUNTERFACTUAL_HORIZON_MS,
  meetingCounterfactual,
  type Counterfactual,
} from '../domain/insights/counterfactual.js';
import { computeInsights, type InsightsFigures } from '../domain/insights/figures.js';
import { DEFAULT_AGENDA_LEAD_TIME_MS, type Policy, type Schedule } from '../domain/policy.js';
import { parseCadence } from '../policy/schedule.js';
import type { Clock } from '../shared/clock.js';
import type { Readers } from './ports.js';

/**
 * "Is async working?": the figures of one period, read from the store in a
 * few batched queries (the period's changes a page at a time, then their
 * events in batches) and computed by the pure functions of domain/insights.
 */

/** The longest period asked about: a year (and a day, for a leap year). */
export const MAX_PERIOD_DAYS = 366;
export const DEFAULT_PERIOD_DAYS = 90;
export const DEFAULT_MIN_CHANGES = 10;
/** The cadence when the policy has no scheduled meeting: fortnightly, Tuesday 10:00, in the team's most common zone. */
export const DEFAULT_CAB_RRULE = 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU';
export const DEFAULT_CAB_AT = '10:00';

const DAY_MS = 86_400_000;
const PAGE = 1000;
const EVENT_BATCH = 500;

export interface InsightsRequest {
  readonly from?: string;
  readonly to?: string;
  /** Comma-separated, as the query has them. */
  readonly service?: string;
  readonly type?: string;
  readonly cab?: string;
  readonly minChanges?: number;
}

export interface Cadence {
  readonly schedule: Schedule;
  readonly agendaLeadTimeMs: number;
  readonly source: 'query' | 'policy' | 'default';
  readonly meeting: string | null;
  readonly text: string;
}

export interface CandidateWithYaml extends PromotionCandidate {
  readonly yaml: string;
}

export interface Insights {
  readonly from: string;
  readonly to: string;
  readonly services: readonly string[];
  readonly types: readonly string[];
  readonly generatedAt: string;
  readonly changes: readonly Change[];
  readonly figures: InsightsFigures;
  readonly cadence: Cadence;
  readonly counterfactual: Counterfactual;
  readonly minChanges: number;
  readonly candidates: readonly CandidateWithYaml[];
  readonly nearMisses: readonly NearMiss[];
}

export interface InsightsDeps {
  readonly policy: Policy;
  readonly clock: Clock;
  readonly store: { readonly read: Pick<Readers, 'changes' | 'events'> };
}

interface Scope {
  readonly from: string;
  readonly to: string;
  readonly services: readonly string[];
  readonly types: readonly string[];
  readonly cadence: Cadence;
  readonly minChanges: number;
}

/** Checks every parameter, naming each bad one by its query path. */
export function readInsightsRequest(policy: Policy, now: Date, input: InsightsRequest): Scope {
  const issues: Issue[] = [];
  const instant = (name: string, text: string | undefined): Date | undefined => {
    if (text === undefined) return undefined;
    const d = new Date(text);
    if (Number.isNaN(d.getTime())) {
      issues.push({ path: `query.${name}`, message: 'must be an ISO 8601 instant' });
      return undefined;
    }
    return d;
  };
  const toDate = instant('to', input.to) ?? now;
  const fromDate =
    instant('from', input.from) ?? new Date(toDate.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS);
  if (!(fromDate < toDate)) issues.push({ path: 'query.to', message: 'must be after from' });
  else if (toDate.getTime() - fromDate.getTime() > MAX_PERIOD_DAYS * DAY_MS)
    issues.push({
      path: 'query.from',
      message: `the period may be at most ${MAX_PERIOD_DAYS} days; ask for a shorter one`,
    });
  const list = (name: string, text: string | undefined, known: readonly string[]) => {
    const values = (text ?? '')
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    for (const value of values)
      if (!known.includes(value))
        issues.push({
          path: `query.${name}`,
          message: `unknown value "${value}"; expected one of: ${known.join(', ')}`,
        });
    return [...new Set(values)];
  };
  const services = list('service', input.service, [...policy.services.keys()]);
  const types = list('type', input.type, [...policy.changeTypes.keys()]);
  let cadence: Cadence | undefined;
  if (input.cab !== undefined) {
    const parsed = parseCadence(input.cab);
    if (typeof parsed === 'string') issues.push({ path: 'query.cab', message: parsed });
    else if (fromDate < toDate && neverSits(parsed, fromDate, toDate))
      issues.push({
        path: 'query.cab',
        message: `never sits from ${fromDate.toISOString()} to ${new Date(toDate.getTime() + COUNTERFACTUAL_HORIZON_MS).toISOString()} (the period and two years after it), so no change could have waited for it; write a cadence that sits, like FREQ=WEEKLY;BYDAY=TU@10:00 Europe/London`,
      });
    else
      cadence = {
        schedule: parsed,
        agendaLeadTimeMs: DEFAULT_AGENDA_LEAD_TIME_MS,
        source: 'query',
        meeting: null,
        text: input.cab.trim(),
      };
  }
  if (issues.length > 0) throw invalidInput(issues);
  return {
    from: fromDate.toISOString(),
    to: toDate.toISOString(),
    services,
    types,
    cadence: cadence ?? defaultCadence(policy),
    minChanges: input.minChanges ?? DEFAULT_MIN_CHANGES,
  };
}

/** No sitting in the period or the counterfactual's horizon after it: one bounded walk of the rule. */
function neverSits(schedule: Schedule, from: Date, to: Date): boolean {
  return schedule.between(from, new Date(to.getTime() + COUNTERFACTUAL_HORIZON_MS)).length === 0;
}

/** The team's own first scheduled meeting, else fortnightly Tuesday 10:00 in the zone most people are in (UTC without people). */
export function defaultCadence(policy: Policy): Cadence {
  const meeting = policy.meetings.find((m) => m.schedule);
  if (meeting?.schedule) {
    const s = meeting.schedule;
    return {
      schedule: s,
      agendaLeadTimeMs: meeting.agendaLeadTimeMs,
      source: 'policy',
      meeting: meeting.name,
      text: `${s.rrule.replace(/^RRULE:/i, '')}@${s.at} ${s.timezone}`,
    };
  }
  const zones = new Map<string, number>();
  for (const person of policy.people.values())
    zones.set(person.timezone, (zones.get(person.timezone) ?? 0) + 1);
  const zone = [...zones].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'UTC';
  const text = `${DEFAULT_CAB_RRULE}@${DEFAULT_CAB_AT} ${zone}`;
  let schedule = parseCadence(text);
  if (typeof schedule === 'string')
    schedule = parseCadence(`${DEFAULT_CAB_RRULE}@${DEFAULT_CAB_AT} UTC`);
  if (typeof schedule === 'string')
    throw new Error(`the default cadence does not parse: ${schedule}`);
  return {
    schedule,
    agendaLeadTimeMs: DEFAULT_AGENDA_LEAD_TIME_MS,
    source: 'default',
    meeting: null,
    text: `${schedule.rrule.replace(/^RRULE:/i, '')}@${schedule.at} ${schedule.timezone}`,
  };
}

/** Every change created in the period (with the filters), oldest first, and its events: one query per page and per batch. */
export async function readPeriod(
  read: Pick<Readers, 'changes' | 'events'>,
  scope: Pick<Scope, 'from' | 'to' | 'services' | 'types'>,
): Promise<{ changes: Change[]; events: Map<number, AuditEvent[]> }> {
  const changes: Change[] = [];
  let beforeId: number | undefined;
  for (;;) {
    const page = await read.changes.list({
      createdFrom: scope.from,
      createdTo: scope.to,
      ...(scope.services.length > 0 && { services: scope.services }),
      ...(scope.types.length > 0 && { types: scope.types }),
      order: 'newest',
      beforeId,
      limit: PAGE,
    });
    changes.push(...page);
    if (page.length < PAGE) break;
    beforeId = page[page.length - 1]!.id;
  }
  changes.reverse();
  const events = new Map<number, AuditEvent[]>();
  for (let i = 0; i < changes.length; i += EVENT_BATCH) {
    const batch = await read.events.listForChanges(
      changes.slice(i, i + EVENT_BATCH).map((c) => c.id),
    );
    for (const [id, list] of batch) events.set(id, list);
  }
  return { changes, events };
}

export async function getInsights(deps: InsightsDeps, input: InsightsRequest): Promise<Insights> {
  const now = deps.clock.now();
  const scope = readInsightsRequest(deps.policy, now, input);
  const { changes, events } = await readPeriod(deps.store.read, scope);
  return computeAll(deps.policy, now, scope, changes, events);
}

export function isEmergencyType(policy: Policy): (type: string) => boolean {
  // An emergency is the type so named, or any type that lets work start before its approvals are all in.
  return (type) => type === 'emergency' || policy.changeTypes.get(type)?.earlyStart !== undefined;
}

function computeAll(
  policy: Policy,
  now: Date,
  scope: Scope,
  changes: readonly Change[],
  events: ReadonlyMap<number, readonly AuditEvent[]>,
): Insights {
  const isEmergency = isEmergencyType(policy);
  const figures = computeInsights({
    histories: changes.map((change) => ({ change, events: events.get(change.id) ?? [] })),
    from: scope.from,
    to: scope.to,
    now: now.toISOString(),
    membersOf: (group) => policy.groups.get(group) ?? [],
    isEmergency,
  });
  const counterfactual = meetingCounterfactual({
    changes,
    timelines: figures.timelines,
    schedule: scope.cadence.schedule,
    agendaLeadTimeMs: scope.cadence.agendaLeadTimeMs,
    isEmergency,
    from: scope.from,
    to: scope.to,
  });
  const promoted = promotionCandidates({
    changes,
    timelines: figures.timelines,
    policy,
    minChanges: scope.minChanges,
    today: now.toISOString().slice(0, 10),
  });
  return {
    from: scope.from,
    to: scope.to,
    services: scope.services,
    types: scope.types,
    generatedAt: now.toISOString(),
    changes,
    figures,
    cadence: scope.cadence,
    counterfactual,
    minChanges: scope.minChanges,
    candidates: promoted.candidates.map((c) => ({ ...c, yaml: standardChangeYaml(c.entry) })),
    nearMisses: promoted.nearMisses,
  };
}

/** The entry as a `standardChanges:` list item, ready to paste; `approvedBy` is left for a person to fill in. */
export function standardChangeYaml(entry: PromotionCandidate['entry']): string {
  const text = stringify([{ ...entry, approvedOn: entry.approvedOn }], { lineWidth: 0 });
  return text.replace(
    /^(\s*)approvedBy: null$/m,
    '$1approvedBy: null # fill in: the person who accepts this template',
  );
}
