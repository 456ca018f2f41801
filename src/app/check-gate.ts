import { formatChangeId } from '../domain/change.js';
import { coversCommits, mayStillBeApproved, shortSha } from '../domain/pull-requests.js';
import { checkChangeAgainstHistory } from './audit.js';
import { freezesBlockingAt } from '../domain/freezes.js';
import { heldBy } from '../domain/meetings.js';
import { formatInZone } from '../shared/format-instant.js';
import { evaluateChange } from '../domain/approval.js';
import { currentPresence } from './absences.js';
import type { AppDeps } from './deps.js';
import type { Readers } from './ports.js';
import { getChange, type ChangeWithDecisions } from './read-changes.js';

export type GateQuery =
  { readonly repository: string; readonly sha: string } | { readonly changeId: number };

export interface GateAnswer {
  /** An approved change (or one being implemented, or done) covers the commit. */
  readonly covered: boolean;
  /** Waiting cannot change the answer: covered, or the change was rejected, withdrawn or failed. */
  readonly final: boolean;
  readonly reason: string;
  /** The freeze that keeps an approved change from deploying now, if one does. */
  readonly freeze?: { readonly name: string; readonly from: string; readonly to: string };
  readonly change: ChangeWithDecisions | null;
}

/** A pipeline's question: may this commit (or this change) be deployed now? */
export async function checkGate(
  deps: Pick<AppDeps, 'policy' | 'clock'>,
  repos: Readers,
  query: GateQuery,
): Promise<GateAnswer> {
  let found: ChangeWithDecisions;
  if ('changeId' in query) {
    found = await getChange(repos, query.changeId);
  } else {
    const change = await repos.changes.findLatestForCommit(query.repository, query.sha);
    if (!change) {
      return {
        covered: false,
        final: false,
        reason: `no change covers ${query.repository}@${shortSha(query.sha)} yet`,
        change: null,
      };
    }
    found = { change, decisions: await repos.changes.listDecisions(change.id, change.round) };
  }
  const { change, decisions } = found;
  const id = formatChangeId(change.id);
  const covered = coversCommits(change.state);
  if (covered) {
    // The state the gate trusts must be the one its history gives, not a row edited since.
    const disagreements = await checkChangeAgainstHistory(repos, change);
    if (disagreements.length > 0)
      return {
        covered: false,
        final: false,
        reason: `${id} is stored as ${change.state.replace('_', ' ')}, but that disagrees with its audit history (${disagreements[0]}); nothing may deploy on it until \`changeboard audit verify\` is clean`,
        change: found,
      };
  }
  if (covered) {
    // Approved is not enough inside a freeze that does not allow its type: nothing deploys then.
    const now = deps.clock.now();
    const [freeze] = freezesBlockingAt(deps.policy, change, now);
    if (freeze)
      return {
        covered: false,
        final: false,
        reason: `${id} is ${change.state.replace('_', ' ')}, but the freeze "${freeze.name}" is on until ${freeze.to.toISOString()} and does not allow ${change.type} changes${freeze.services.length ? ` to ${freeze.services.join(', ')}` : ''}`,
        freeze: { name: freeze.name, from: freeze.from.toISOString(), to: freeze.to.toISOString() },
        change: found,
      };
  }
  let reason = `${id} is ${change.state === 'draft' ? 'a draft' : change.state.replace('_', ' ')}`;
  if (change.state === 'pending') {
    const presence = await currentPresence(repos, deps.policy, deps.clock.now());
    const waitingFor = [
      ...evaluateChange(deps.policy, change, decisions, presence).eligibleApprovers,
    ].filter((person) => !presence.awayNow(person));
    const meetings = heldBy(deps.policy, change).map((meeting) => {
      const next = meeting.schedule?.next(deps.clock.now(), 1)[0];
      return next && meeting.schedule
        ? `${meeting.name} on ${formatInZone(next.start, meeting.schedule.timezone)} ${meeting.schedule.timezone}`
        : meeting.name;
    });
    const waiting = [...waitingFor, ...meetings];
    if (waiting.length > 0) reason += `, waiting for ${waiting.join(', ')}`;
  } else if (change.state === 'draft') {
    reason += change.requester
      ? `: ${change.requester} has not submitted it yet`
      : ': it is unassigned and not submitted yet';
  }
  return { covered, final: !mayStillBeApproved(change.state), reason, change: found };
}
