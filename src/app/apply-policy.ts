import { formatChangeId } from '../domain/change.js';
import { AppError } from '../domain/errors.js';
import { NO_CHANGE } from '../domain/events.js';
import {
  FLAGGED_STATES,
  groupsStrandedBy,
  requirementsAddedSince,
} from '../domain/policy-drift.js';
import type { Policy } from '../domain/policy.js';
import { describePolicyChange } from '../policy/diff.js';
import { parsePolicy } from '../policy/load.js';
import type { LoadedPolicy, PolicyHolder } from './policy-holder.js';
import type { EventSubscriber, Store } from './ports.js';
import type { Clock } from '../shared/clock.js';

export interface PolicyDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly policies: PolicyHolder;
  /** Environment variables the policy's `${…}` references read (the server's). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Told after a new policy is in force here, so other processes can hear of it. */
  readonly announce?: (hash: string) => void;
  readonly subscribers?: readonly EventSubscriber[];
}

/** The policy deps of a running Changeboard (its composition root, src/context.ts). */
export function policyDepsOf(ctx: {
  readonly store: Store;
  readonly clock: Clock;
  readonly policies: PolicyHolder;
  readonly config: { readonly env: PolicyDeps['env'] };
  readonly announcePolicy: (hash: string) => void;
}): PolicyDeps {
  return {
    store: ctx.store,
    clock: ctx.clock,
    policies: ctx.policies,
    env: ctx.config.env,
    announce: ctx.announcePolicy,
  };
}

/** What applying a policy did. */
export interface PolicyApplication {
  /** False when the policy was already in force: nothing was recorded. */
  readonly applied: boolean;
  readonly from: string;
  readonly to: string;
  readonly summary: string[];
  /** Pending or approved changes that the new policy would ask more of (their requirements stay). */
  readonly flagged: string[];
  /** Pending changes with a requirement nobody but their requester could meet under the new policy. */
  readonly stranded: string[];
  readonly warnings: string[];
}

/** `${NAME}` references in a policy's text (channel URLs and secrets). */
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function variablesIn(source: string): Set<string> {
  return new Set([...source.matchAll(VARIABLE)].map((match) => match[1]!));
}

/**
 * What the policy's `${NAME}` references may read. The server's own file reads
 * its environment; a policy applied over the API reads only the variables the
 * policy in force already uses, so an admin cannot have the server send its
 * other secrets (SESSION_SECRET, DATABASE_URL, …) to a URL of theirs.
 */
function environmentFor(
  deps: Pick<PolicyDeps, 'env' | 'policies'>,
  actor: string,
  source: string,
): PolicyDeps['env'] {
  if (actor === POLICY_FILE_ACTOR) return deps.env;
  const allowed = variablesIn(deps.policies.current.source);
  const refused = [...variablesIn(source)].filter((name) => !allowed.has(name));
  if (refused.length > 0)
    throw new AppError(
      'invalid_input',
      `the policy reads environment variables the policy in force does not: ${refused.join(', ')}; add them to the server's own policy file (applied at start-up or on SIGHUP)`,
      refused.map((name) => ({
        path: 'channels',
        message: `\${${name}} is not one of the variables a policy applied over the API may read (${[...allowed].join(', ') || 'none'})`,
      })),
    );
  return Object.fromEntries([...allowed].map((name) => [name, deps.env[name]]));
}

/** The id a policy applied from the server's own file (at start-up, or on SIGHUP) is recorded under. */
export const POLICY_FILE_ACTOR = 'policy-file';

/**
 * Applies a policy's text: checked exactly as at start-up (every problem
 * listed, the running policy stays), then, in one transaction, kept under its
 * hash, made the policy in force (a compare-and-set, so of two applies racing
 * one wins and the other is told to try again) and recorded in the audit chain
 * as `policy-changed`: who, the old and new hashes, what changed, and which
 * changes in flight it would ask more of. This process swaps it in once that
 * commits; the others hear through `announce` (PostgreSQL: NOTIFY) and, should
 * they miss it, read the policy in force on their next round (`syncPolicy`).
 */
export async function applyPolicy(
  deps: PolicyDeps,
  actor: string,
  source: string,
): Promise<PolicyApplication> {
  // Decide against the policy in force in the database, not a copy another process replaced.
  await syncPolicy(deps);
  const result = parsePolicy(source, environmentFor(deps, actor, source));
  if (!result.ok)
    throw new AppError(
      'invalid_input',
      `the policy has ${result.problems.filter((p) => p.severity === 'error').length} problem(s); the policy in force stays`,
      result.problems
        .filter((p) => p.severity === 'error')
        .map((p) => ({
          path: p.path || '(file)',
          message: `${p.line ? `line ${p.line}:${p.column}: ` : ''}${p.message}`,
        })),
    );
  const next: LoadedPolicy = {
    policy: result.policy,
    source: result.source,
    warnings: result.warnings,
  };
  const previous = deps.policies.current;
  const warnings = result.warnings.map((w) => (w.path ? `${w.path}: ${w.message}` : w.message));
  const from = previous.policy.hash;
  if (next.policy.hash === from)
    return { applied: false, from, to: from, summary: [], flagged: [], stranded: [], warnings };

  const summary = describePolicyChange(previous.policy, next.policy);
  const { flagged, stranded } = await changesInFlight(deps.store, next.policy);
  const now = deps.clock.now().toISOString();
  await deps.store.transaction(async (tx) => {
    await tx.policies.remember({ hash: next.policy.hash, source: next.source }, now);
    const active = await tx.policies.active();
    // Another process applied one since this one loaded it: say so rather than overwrite it.
    if (active && active.hash !== from)
      throw new AppError(
        'stale_version',
        `the policy in force changed meanwhile (now ${active.hash.slice(0, 12)}…, applied by ${active.appliedBy}); check the new one against it and apply again`,
      );
    const activated = await tx.policies.activate(
      {
        hash: next.policy.hash,
        appliedAt: now,
        appliedBy: actor,
        fileHash: actor === POLICY_FILE_ACTOR ? next.policy.hash : (active?.fileHash ?? null),
      },
      active?.hash,
    );
    if (!activated)
      throw new AppError(
        'stale_version',
        'another policy was applied at the same moment; try again',
      );
    await tx.events.append(
      [
        {
          changeId: NO_CHANGE,
          type: 'policy-changed',
          actor,
          data: { from, to: next.policy.hash, summary, flagged, stranded },
        },
      ],
      { at: now, policyHash: next.policy.hash },
    );
    tx.afterCommit(() => {
      deps.policies.swap(next);
      deps.announce?.(next.policy.hash);
    });
  });
  return { applied: true, from, to: next.policy.hash, summary, flagged, stranded, warnings };
}

/**
 * Brings this process to the policy in force in the database, if another
 * process applied one it has not heard of. The text is the stored one, read
 * with this process's environment. A stored policy that no longer loads here
 * (a variable missing in this process) is reported and the running one stays.
 */
export function syncPolicy(
  deps: Pick<PolicyDeps, 'store' | 'policies' | 'env'>,
  log: (message: string) => void = () => undefined,
): Promise<void> {
  // One at a time per process, so an older read never swaps in after a newer one; never throws.
  const previous = syncing.get(deps.policies) ?? Promise.resolve();
  const next = previous
    .then(() => syncOnce(deps, log))
    .catch((error: unknown) =>
      log(
        `could not read the policy in force: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  syncing.set(deps.policies, next);
  return next;
}

const syncing = new WeakMap<PolicyHolder, Promise<void>>();

async function syncOnce(
  deps: Pick<PolicyDeps, 'store' | 'policies' | 'env'>,
  log: (message: string) => void,
): Promise<void> {
  const active = await deps.store.read.policies.active();
  if (!active || active.hash === deps.policies.current.policy.hash) return;
  const stored = await deps.store.read.policies.find(active.hash);
  if (!stored) return log(`the policy in force (${active.hash}) is not in the archive`);
  const result = parsePolicy(stored.source, deps.env);
  if (!result.ok || result.policy.hash !== active.hash)
    return log(
      `the policy in force (${active.hash.slice(0, 12)}…) does not load in this process; keeping ${deps.policies.current.policy.hash.slice(0, 12)}…`,
    );
  deps.policies.swap({ policy: result.policy, source: result.source, warnings: result.warnings });
}

/**
 * At start-up (`serve`): the policy file this process loaded becomes the
 * policy in force if the file changed since it was last adopted. The first
 * start records it silently; a later start with a changed file applies it like
 * any other (a `policy-changed` event by `policy-file`). A restart with the
 * same file keeps a policy applied since over the API, and says so.
 */
export async function adoptPolicyFile(
  deps: PolicyDeps,
  log: (message: string) => void = () => undefined,
): Promise<void> {
  const loaded = deps.policies.current;
  const file = loaded.policy.hash;
  const active = await deps.store.read.policies.active();
  const record = (expected: string | undefined) =>
    deps.store.transaction(async (tx) => {
      await tx.policies.activate(
        {
          hash: file,
          appliedAt: active?.appliedAt ?? deps.clock.now().toISOString(),
          appliedBy: active?.appliedBy ?? POLICY_FILE_ACTOR,
          fileHash: file,
        },
        expected,
      );
    });
  if (!active) return void (await record(undefined));
  if (active.hash === file) {
    if (active.fileHash !== file) await record(active.hash);
    return;
  }
  if (active.fileHash === file) {
    log(
      `the policy file is not the policy in force (${active.hash.slice(0, 12)}…, applied by ${active.appliedBy} at ${active.appliedAt}); keeping that one. Apply the file with SIGHUP or \`changeboard policy apply\` to put it in force`,
    );
    return syncPolicy(deps, log);
  }
  // What was in force before is the policy to compare with: stand it in, then apply the file.
  const stored = await deps.store.read.policies.find(active.hash);
  const before = stored && parsePolicy(stored.source, deps.env);
  if (!before?.ok) return replaceUnreadable(deps, active.hash, loaded);
  deps.policies.swap({ policy: before.policy, source: before.source, warnings: before.warnings });
  try {
    await applyPolicy(deps, POLICY_FILE_ACTOR, loaded.source);
  } catch (error) {
    deps.policies.swap(loaded);
    throw error;
  }
}

/**
 * The policy in force no longer loads (missing from the archive, or refused by
 * a newer Changeboard's checks): the file takes its place, and the chain says
 * so all the same.
 */
async function replaceUnreadable(
  deps: PolicyDeps,
  unreadable: string,
  file: LoadedPolicy,
): Promise<void> {
  const now = deps.clock.now().toISOString();
  await deps.store.transaction(async (tx) => {
    await tx.policies.remember({ hash: file.policy.hash, source: file.source }, now);
    const activated = await tx.policies.activate(
      {
        hash: file.policy.hash,
        appliedAt: now,
        appliedBy: POLICY_FILE_ACTOR,
        fileHash: file.policy.hash,
      },
      unreadable,
    );
    if (!activated)
      throw new AppError(
        'stale_version',
        'another policy was applied at the same moment; start again',
      );
    await tx.events.append(
      [
        {
          changeId: NO_CHANGE,
          type: 'policy-changed',
          actor: POLICY_FILE_ACTOR,
          data: {
            from: unreadable,
            to: file.policy.hash,
            summary: ['the policy in force could not be read here; the policy file took its place'],
            flagged: [],
          },
        },
      ],
      { at: now, policyHash: file.policy.hash },
    );
  });
}

/**
 * Pending and approved changes the policy would now ask more of, and pending
 * ones with a requirement nobody could meet under it, oldest first.
 */
async function changesInFlight(
  store: Store,
  policy: Policy,
): Promise<{ flagged: string[]; stranded: string[] }> {
  const flagged: number[] = [];
  const stranded: number[] = [];
  let beforeId: number | undefined;
  for (;;) {
    const page = await store.read.changes.list({
      states: FLAGGED_STATES,
      limit: 200,
      ...(beforeId !== undefined && { beforeId }),
    });
    for (const change of page) {
      if (requirementsAddedSince(policy, change).length > 0) flagged.push(change.id);
      if (groupsStrandedBy(policy, change).length > 0) stranded.push(change.id);
    }
    if (page.length < 200) break;
    beforeId = page.at(-1)!.id;
  }
  const ids = (list: number[]) => list.sort((a, b) => a - b).map(formatChangeId);
  return { flagged: ids(flagged), stranded: ids(stranded) };
}

/** One applied policy, as the history lists it. */
export interface AppliedPolicy {
  readonly hash: string;
  readonly previous: string | null;
  readonly appliedAt: string;
  readonly appliedBy: string | null;
  readonly summary: string[];
  readonly flagged: string[];
  /** The `policy-changed` event that records it; null for a policy loaded before any was applied. */
  readonly eventId: number | null;
}

/**
 * The policy versions, newest first: each applied one from its `policy-changed`
 * event, then those that were only ever loaded from the file (before the first
 * apply), by when they were first seen.
 */
export async function listPolicyHistory(
  deps: Pick<PolicyDeps, 'store'>,
): Promise<{ inForce: string | null; items: AppliedPolicy[] }> {
  const [events, archived, active] = await Promise.all([
    deps.store.read.events.listForChange(NO_CHANGE),
    deps.store.read.policies.listAll(),
    deps.store.read.policies.active(),
  ]);
  const applied: AppliedPolicy[] = events
    .filter((event) => event.type === 'policy-changed')
    .map((event) => ({
      hash: String(event.data.to),
      previous: typeof event.data.from === 'string' ? event.data.from : null,
      appliedAt: event.at,
      appliedBy: event.actor,
      summary: (event.data.summary as string[] | undefined) ?? [],
      flagged: (event.data.flagged as string[] | undefined) ?? [],
      eventId: event.id,
    }));
  const recorded = new Set(applied.map((item) => item.hash));
  const loaded: AppliedPolicy[] = archived
    .filter((policy) => !recorded.has(policy.hash))
    .map((policy) => ({
      hash: policy.hash,
      previous: null,
      appliedAt: policy.firstSeenAt,
      appliedBy: null,
      summary: [],
      flagged: [],
      eventId: null,
    }));
  return {
    inForce: active?.hash ?? null,
    items: [...applied.reverse(), ...loaded.reverse()],
  };
}
