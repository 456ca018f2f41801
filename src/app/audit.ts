import { createHash } from 'node:crypto';
import { formatChangeId, type Change, type Decision } from '../domain/change.js';
import {
  ChainVerifier,
  hashEvent,
  NO_CHANGE,
  type AuditEvent,
  type ChainBreak,
} from '../domain/events.js';
import { checkApprovalOutcomes, compareWithHistory, replayHistory } from '../domain/history.js';
import type { Policy } from '../domain/policy.js';
import type { Readers } from './ports.js';

const PAGE = 1000;
const CHANGES_PER_PAGE = 500;
/** Enough to act on; the count says how many more there are. */
const MAX_REPORTED = 100;

export type AuditVerdict =
  | {
      readonly ok: true;
      readonly count: number;
      readonly lastHash: string;
      readonly changes: number;
      readonly policies: number;
    }
  | {
      readonly ok: false;
      readonly count: number;
      /** The first event that does not fit the chain, if the chain itself is broken. */
      readonly firstBad?: ChainBreak;
      readonly changes: number;
      readonly policies: number;
      /** Where stored data disagrees with the history, one sentence each (the first 100). */
      readonly problems: readonly string[];
      readonly problemCount: number;
    };

export interface AuditOptions {
  /**
   * Reads a stored policy's text (the policy loader lives outside app/); without
   * it, approvals are not checked against the policy in force when they were given.
   */
  readonly parsePolicy?: (source: string) => Policy | undefined;
}

/** How many times verifyChain reads on when writes keep moving the head while it reads. */
const CATCH_UP_ATTEMPTS = 3;

export type ChainVerdict =
  | { ok: true; count: number; lastHash: string }
  | { ok: false; count: number; firstBad: ChainBreak };

/** The hash chain alone: every event as hashed, in order, up to the recorded head. */
export async function verifyChain(repos: Readers): Promise<ChainVerdict> {
  const verifier = new ChainVerifier();
  let after = 0;
  let head: Awaited<ReturnType<Readers['events']['head']>>;
  for (let attempt = 0; ; attempt++) {
    for await (const event of allEvents(repos, after)) {
      verifier.push(event);
      after = event.id;
    }
    head = await repos.events.head();
    // On a live database, events appended while the chain was read move the head past
    // the last one read: read those too, rather than report a chain that ends early.
    // A head behind what was read (events added without moving it) is still reported.
    if (!head || head.lastId <= after || attempt === CATCH_UP_ATTEMPTS) break;
  }
  const result = verifier.finish(head);
  return result.ok
    ? { ok: true, count: result.count, lastHash: head?.lastHash ?? '' }
    : { ok: false, count: result.count, firstBad: result.break };
}

/**
 * Re-hashes the whole history, page by page (constant memory in events), and
 * checks that what the gate and the board read agrees with it:
 * - every stored policy text still hashes to the hash events cite;
 * - every change's stored state, version, type, requester, round, requirements
 *   and decisions are what its events say (domain/history.ts);
 * - every approval its events record met the requirements under the policy in
 *   force when it was given.
 */
export async function verifyAuditTrail(
  repos: Readers,
  options: AuditOptions = {},
): Promise<AuditVerdict> {
  const problems: string[] = [];
  const verifier = new ChainVerifier();
  const changesWithEvents = new Set<number>();
  const citedPolicies = new Set<string>();
  for await (const event of allEvents(repos)) {
    verifier.push(event);
    if (event.changeId !== NO_CHANGE) changesWithEvents.add(event.changeId);
    citedPolicies.add(event.policyHash);
  }
  const head = await repos.events.head();
  const chain = verifier.finish(head);

  const policies = await checkPolicies(repos, citedPolicies, options, problems);
  let changes = 0;
  for await (const page of changePages(repos)) {
    const ids = page.map((change) => change.id);
    const [events, decisions] = await Promise.all([
      repos.events.listForChanges(ids),
      repos.changes.listDecisionsForMany(ids),
    ]);
    for (const change of page) {
      changes++;
      changesWithEvents.delete(change.id);
      problems.push(
        ...checkChange(
          change,
          events.get(change.id) ?? [],
          decisions.get(change.id) ?? [],
          (hash) => policies.get(hash),
        ),
      );
    }
  }
  for (const changeId of changesWithEvents)
    problems.push(
      `${formatChangeId(changeId)}: it has events in the history but no stored change (the row was deleted)`,
    );

  if (chain.ok && problems.length === 0)
    return {
      ok: true,
      count: chain.count,
      lastHash: head?.lastHash ?? '',
      changes,
      policies: policies.size,
    };
  return {
    ok: false,
    count: chain.count,
    ...(chain.ok ? {} : { firstBad: chain.break }),
    changes,
    policies: policies.size,
    problems: problems.slice(0, MAX_REPORTED),
    problemCount: problems.length,
  };
}

/**
 * Whether one change's stored row and decisions agree with its own events,
 * and those events are as they were hashed: what the gate asks before it lets
 * a deployment through. Empty when they agree.
 */
export async function checkChangeAgainstHistory(repos: Readers, change: Change): Promise<string[]> {
  const [events, decisions] = await Promise.all([
    repos.events.listForChange(change.id),
    repos.changes.listDecisionsForMany([change.id]),
  ]);
  const edited = events.find((event) => hashEvent(event) !== event.hash);
  if (edited)
    return [
      `${formatChangeId(change.id)}: event ${edited.id} of its history does not match its hash`,
    ];
  return checkChange(change, events, decisions.get(change.id) ?? [], () => undefined);
}

/**
 * One change against its own events: its stored row and decisions agree with
 * the replayed history, and each approval met its requirements under the
 * policy in force then (when `policyAt` can read it). Empty when they agree.
 */
export function checkChange(
  change: Change,
  events: readonly AuditEvent[],
  decisions: readonly Decision[],
  policyAt: (hash: string) => Policy | undefined,
): string[] {
  const replayed = replayHistory(events);
  if (!replayed.ok)
    return [
      `${formatChangeId(change.id)}: ${events.length === 0 ? 'it has no history at all (the row was inserted)' : `event ${replayed.problem.eventId}: ${replayed.problem.reason}`}`,
    ];
  return [
    ...compareWithHistory(replayed.history, change, decisions),
    ...checkApprovalOutcomes(replayed.history, policyAt),
  ];
}

/** Every stored policy must still hash to its key, and every policy an event cites must be stored. */
async function checkPolicies(
  repos: Readers,
  cited: ReadonlySet<string>,
  options: AuditOptions,
  problems: string[],
): Promise<Map<string, Policy>> {
  const parsed = new Map<string, Policy>();
  const stored = await repos.policies.listAll();
  for (const { hash, source } of stored) {
    if (createHash('sha256').update(source).digest('hex') !== hash) {
      problems.push(
        `policy ${hash.slice(0, 12)}…: its stored text no longer matches its hash (the policy was edited)`,
      );
      continue;
    }
    const policy = options.parsePolicy?.(source);
    if (policy) parsed.set(hash, policy);
  }
  const storedHashes = new Set(stored.map((p) => p.hash));
  for (const hash of cited)
    if (!storedHashes.has(hash))
      problems.push(`policy ${hash.slice(0, 12)}…: events cite it, but it is not stored`);
  return parsed;
}

/** Every stored change, newest first, a page at a time. */
async function* changePages(repos: Readers): AsyncGenerator<Change[]> {
  let beforeId: number | undefined;
  for (;;) {
    const page = await repos.changes.list({ limit: CHANGES_PER_PAGE, beforeId });
    if (page.length > 0) yield page;
    if (page.length < CHANGES_PER_PAGE) return;
    beforeId = page.at(-1)!.id;
  }
}

/** Every event in chain order. Reads by position, so events that were tampered with are still exported as stored. */
export async function* allEvents(repos: Readers, after = 0): AsyncGenerator<AuditEvent> {
  for (;;) {
    const page = await repos.events.listAll(after, PAGE);
    yield* page;
    if (page.length < PAGE) return;
    after = page.at(-1)!.id;
  }
}

/** Which events `audit export` writes; without any, every event. */
export interface EventFilter {
  /** The first instant in. */
  readonly from?: Date;
  /** The first instant out. */
  readonly before?: Date;
  /**
   * Only the events of the changes that touched this service
   * (changesTouchingService). Events about no change (absences: change id 0)
   * belong to no service and are left out.
   */
  readonly service?: string;
}

/** The events the filter lets through, in chain order, as stored (like allEvents). */
export async function* filteredEvents(
  repos: Readers,
  filter: EventFilter,
): AsyncGenerator<AuditEvent> {
  const changes =
    filter.service === undefined ? undefined : await changesTouchingService(repos, filter.service);
  const from = filter.from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const before = filter.before?.getTime() ?? Number.POSITIVE_INFINITY;
  for await (const event of allEvents(repos)) {
    const at = Date.parse(event.at);
    if (at < from || at >= before) continue;
    if (changes && !changes.has(event.changeId)) continue;
    yield event;
  }
}

/**
 * The changes that touched `service` at any time: created with it, given it or
 * moved off it by an edit (as their events record), or naming it now. An
 * auditor asking about a service needs the change that was moved elsewhere too.
 */
export async function changesTouchingService(
  repos: Readers,
  service: string,
): Promise<Set<number>> {
  const ids = new Set<number>();
  for await (const event of allEvents(repos))
    if (event.changeId !== NO_CHANGE && namesService(event, service)) ids.add(event.changeId);
  for await (const page of changePages(repos))
    for (const change of page) if (change.services.includes(service)) ids.add(change.id);
  return ids;
}

/** `created` carries the services; `edited` the services before and after, when they changed. */
function namesService(event: AuditEvent, service: string): boolean {
  const data = event.data as {
    services?: unknown;
    changes?: { services?: { from?: unknown; to?: unknown } };
  };
  const lists =
    event.type === 'created'
      ? [data.services]
      : event.type === 'edited'
        ? [data.changes?.services?.from, data.changes?.services?.to]
        : [];
  return lists.some((list) => Array.isArray(list) && list.includes(service));
}
