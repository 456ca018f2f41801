import { createHash } from 'node:crypto';
import { formatChangeId, type Change, type Decision } from '../domain/change.js';
import { AppError } from '../domain/errors.js';
import { hashEvent, type AuditEvent } from '../domain/events.js';
import type { Policy } from '../domain/policy.js';
import type { Clock } from '../shared/clock.js';
import { checkChange, verifyChain, type ChainVerdict } from './audit.js';
import type { Readers } from './ports.js';

/** Reads of one change's row and events before its record is taken as it stands. */
const CONSISTENT_READ_ATTEMPTS = 3;

/** A policy version an event of the change cites, as the archive keeps it. */
export interface CitedPolicy {
  readonly hash: string;
  /** When a Changeboard process first ran it; undefined when it is not stored. */
  readonly firstSeenAt?: string;
  /** Its stored text still hashes to `hash` (false when it was edited or is missing). */
  readonly intact: boolean;
  /** The policy, when its stored text could be read. */
  readonly policy?: Policy;
}

/** Everything the evidence report shows about one change, read and checked in one go. */
export interface ChangeEvidence {
  readonly change: Change;
  /** Every event of the change, oldest first. */
  readonly events: readonly AuditEvent[];
  /** Events whose content no longer matches their hash. */
  readonly editedEvents: ReadonlySet<number>;
  /** Each policy the change's events cite, by hash. */
  readonly policies: ReadonlyMap<string, CitedPolicy>;
  /** The whole hash chain, re-hashed up to its recorded head. */
  readonly chain: ChainVerdict;
  /**
   * Where this change's record does not hold, one sentence each: its stored
   * row or decisions disagree with its events, an approval did not meet the
   * policy in force, or a policy its events cite is missing or edited.
   */
  readonly problems: readonly string[];
  /** When the checks ran. */
  readonly checkedAt: string;
}

export interface EvidenceDeps {
  readonly store: { readonly read: Readers };
  readonly clock: Clock;
  /** The policy this process runs: read as it is, not parsed again from the archive. */
  readonly policy: Policy;
}

export interface EvidenceOptions {
  /** Reads a stored policy's text (the loader lives outside app/); undefined when it cannot. */
  readonly parsePolicy: (source: string) => Policy | undefined;
}

/**
 * One change's record for an auditor: its events, the policies they cite, and
 * the proof that they are intact: the whole chain re-hashed (as `audit verify`
 * does), each of its events' hashes recomputed, and its stored row and
 * decisions replayed from its events. Reading the whole chain makes this as
 * slow as `audit verify`: it is asked for one change at a time.
 */
export async function getChangeEvidence(
  deps: EvidenceDeps,
  id: number,
  options: EvidenceOptions,
): Promise<ChangeEvidence> {
  const repos = deps.store.read;
  const { change, events, decisions } = await readConsistently(repos, id);
  const policies = await readCitedPolicies(repos, deps.policy, events, options);
  const chain = await verifyChain(repos);
  const editedEvents = new Set(events.filter((e) => hashEvent(e) !== e.hash).map((e) => e.id));

  const problems: string[] = [];
  for (const eventId of editedEvents)
    problems.push(
      `${formatChangeId(id)}: event ${eventId} does not match its hash: it was edited after it was recorded`,
    );
  for (const cited of policies.values())
    if (!cited.intact)
      problems.push(
        cited.firstSeenAt === undefined
          ? `policy ${cited.hash.slice(0, 12)}…: events cite it, but it is not stored`
          : `policy ${cited.hash.slice(0, 12)}…: its stored text no longer matches its hash (the policy was edited)`,
      );
  problems.push(...checkChange(change, events, decisions, (hash) => policies.get(hash)?.policy));
  return {
    change,
    events,
    editedEvents,
    policies,
    chain,
    problems,
    checkedAt: deps.clock.now().toISOString(),
  };
}

/**
 * The row, its events and its decisions as of one moment. They are separate
 * reads, and an action commits its row and its events together: when the
 * row's version is the same before and after the events are read, the events
 * hold every action up to that version and no later one.
 */
async function readConsistently(
  repos: Readers,
  id: number,
): Promise<{ change: Change; events: AuditEvent[]; decisions: readonly Decision[] }> {
  let change = await repos.changes.find(id);
  for (let attempt = 1; ; attempt++) {
    if (!change) throw new AppError('not_found', `no change ${formatChangeId(id)}`);
    const [events, decisions] = await Promise.all([
      repos.events.listForChange(id),
      repos.changes.listDecisionsForMany([id]),
    ]);
    const after = await repos.changes.find(id);
    if (after?.version === change.version || attempt === CONSISTENT_READ_ATTEMPTS)
      return { change, events, decisions: decisions.get(id) ?? [] };
    change = after;
  }
}

async function readCitedPolicies(
  repos: Readers,
  running: Policy,
  events: readonly AuditEvent[],
  options: EvidenceOptions,
): Promise<Map<string, CitedPolicy>> {
  const hashes = [...new Set(events.map((e) => e.policyHash))];
  const cited = new Map<string, CitedPolicy>();
  await Promise.all(
    hashes.map(async (hash) => {
      const stored = await repos.policies.find(hash);
      const intact =
        stored !== undefined && createHash('sha256').update(stored.source).digest('hex') === hash;
      const policy = !intact
        ? undefined
        : hash === running.hash
          ? running
          : options.parsePolicy(stored.source);
      cited.set(hash, {
        hash,
        ...(stored && { firstSeenAt: stored.firstSeenAt }),
        intact,
        ...(policy && { policy }),
      });
    }),
  );
  // In the order the events first cite them.
  return new Map(hashes.map((hash) => [hash, cited.get(hash)!]));
}
