import { authorize } from '../domain/authorization.js';
import type { Change, Verdict } from '../domain/change.js';
import { AppError } from '../domain/errors.js';
import type { NewEvent } from '../domain/events.js';
import { assertCanPerform } from '../domain/lifecycle.js';
import type { Person } from '../domain/policy.js';
import {
  assertVersion,
  evaluateChange,
  getChangeForUpdate,
  recordEvents,
  saveChange,
  type AppDeps,
} from './deps.js';

export interface DecisionInput {
  readonly comment?: string;
  /** When given, the decision is refused (409) if the change moved on since the approver looked at it. */
  readonly version?: number;
}

/**
 * Approve or reject. The change row is locked first, so when many approvals race
 * for the last open requirement exactly one of them sees it complete and writes
 * the single `approved` transition; the others find the change approved already.
 */
export async function decideChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  verdict: Verdict,
  input: DecisionInput,
): Promise<Change> {
  const comment = input.comment?.trim() || null;
  if (verdict === 'reject' && !comment) {
    throw new AppError('invalid_input', 'a rejection needs a comment saying why', [
      { path: 'comment', message: 'is required to reject' },
    ]);
  }
  const now = deps.clock.now().toISOString();
  return deps.store.transaction(async (tx) => {
    const change = await getChangeForUpdate(tx, id);
    const decisions = await tx.changes.listDecisions(change.id, change.round);
    const evaluation = evaluateChange(deps.policy, change, decisions);
    assertCanPerform(change.state, verdict);
    authorize(actor, verdict, { change, decisions, evaluation, approvers: [] });
    assertVersion(change, input.version);

    const decision = {
      changeId: id,
      round: change.round,
      person: actor.id,
      verdict,
      comment,
      at: now,
    };
    await tx.changes.insertDecision(decision);
    const events: NewEvent[] = [];
    let next: Change = { ...change, version: change.version + 1, updatedAt: now };

    if (verdict === 'reject') {
      next = { ...next, state: 'rejected' };
      events.push(
        {
          changeId: id,
          type: 'approval-rejected',
          actor: actor.id,
          data: { comment, round: change.round },
        },
        { changeId: id, type: 'rejected', actor: actor.id, data: { comment } },
      );
    } else {
      const after = evaluateChange(deps.policy, change, [...decisions, decision]);
      const countedFor = after.requirements
        .filter((r) => r.approvedBy.includes(actor.id))
        .map((r) => r.group);
      events.push({
        changeId: id,
        type: 'approval-granted',
        actor: actor.id,
        data: { comment, round: change.round, countedFor },
      });
      if (after.allMet) {
        next = { ...next, state: 'approved' };
        events.push({
          changeId: id,
          type: 'approved',
          actor: actor.id,
          data: { approvers: [...new Set(after.requirements.flatMap((r) => r.approvedBy))] },
        });
      }
    }
    await saveChange(tx, next, change);
    await recordEvents(tx, deps, next, events, now);
    return next;
  });
}
