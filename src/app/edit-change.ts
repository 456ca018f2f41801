import { isDeepStrictEqual } from 'node:util';
import type { AnswerValue, Change } from '../domain/change.js';
import {
  checkContent,
  CONTENT_KEYS,
  subjectOf,
  type ChangeContent,
} from '../domain/change-content.js';
import { authorize } from '../domain/authorization.js';
import { invalidInput } from '../domain/errors.js';
import type { NewEvent } from '../domain/events.js';
import { assertCanPerform } from '../domain/lifecycle.js';
import { meetingsFor } from '../domain/meetings.js';
import type { Person } from '../domain/policy.js';
import { requirementsForApproval } from './approval-rules.js';
import { normaliseTime } from './create-change.js';
import {
  assertVersion,
  evaluateChange,
  getChangeForUpdate,
  recordEvents,
  saveChange,
  type AppDeps,
} from './deps.js';

export interface ChangePatch {
  /** The version the edit is based on; an older one means someone else changed it meanwhile (409). */
  readonly version: number;
  readonly title?: string;
  readonly description?: string;
  readonly type?: string;
  readonly services?: readonly string[];
  /** Merged into the stored answers; `null` removes an answer. */
  readonly answers?: Readonly<Record<string, AnswerValue | null>>;
  readonly plannedStart?: string | null;
  readonly plannedEnd?: string | null;
  readonly links?: ChangeContent['links'];
}

/**
 * Edits a draft, or a pending change. A pending change's approvals were given
 * for what it said before, so any edit re-computes its requirements and
 * withdraws the approvals given so far, saying so on the timeline.
 */
export async function editChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  patch: ChangePatch,
): Promise<Change> {
  const now = deps.clock.now().toISOString();
  return deps.store.transaction(async (tx) => {
    const change = await getChangeForUpdate(tx, id);
    const decisions = await tx.changes.listDecisions(change.id, change.round);
    const evaluation = evaluateChange(deps.policy, change, decisions);
    authorize(actor, 'edit', { change, decisions, evaluation, approvers: [] });
    assertCanPerform(change.state, 'edit');
    assertVersion(change, patch.version);

    const content = applyPatch(change, patch);
    const issues = checkContent(deps.policy, content);
    if (issues.length > 0) throw invalidInput(issues);
    const diff = diffContent(change, content);
    if (Object.keys(diff).length === 0) return change;

    let next: Change = {
      ...change,
      ...content,
      meetings: meetingsFor(deps.policy, subjectOf(content)),
      version: change.version + 1,
      updatedAt: now,
    };
    const edited = {
      changeId: id,
      type: 'edited' as const,
      actor: actor.id,
      data: { changes: diff },
    };
    const events: NewEvent[] = [edited];

    if (change.state === 'pending') {
      const requirements = requirementsForApproval(deps.policy, next);
      next = { ...next, requirements, round: change.round + 1, requestedAt: now };
      // The new round is in the history, so `audit verify` can replay it.
      events[0] = { ...edited, data: { ...edited.data, round: next.round, requirements } };
      const withdrawn = decisions.filter((d) => d.verdict === 'approve').map((d) => d.person);
      if (withdrawn.length > 0) {
        events.push({
          changeId: id,
          type: 'approvals-withdrawn',
          actor: actor.id,
          data: { reason: `edited: ${Object.keys(diff).join(', ')}`, withdrawn, requirements },
        });
      }
      if (evaluateChange(deps.policy, next, []).allMet) {
        next = { ...next, state: 'approved' };
        events.push({
          changeId: id,
          type: 'approved',
          actor: actor.id,
          data: { reason: 'no approval is required for this change any more' },
        });
      }
    }

    await saveChange(tx, next, change);
    await recordEvents(tx, deps, next, events, now);
    return next;
  });
}

function applyPatch(change: Change, patch: ChangePatch): ChangeContent {
  const answers: Record<string, AnswerValue> = { ...change.answers };
  for (const [key, value] of Object.entries(patch.answers ?? {})) {
    if (value === null) delete answers[key];
    else answers[key] = value;
  }
  return {
    title: patch.title?.trim() ?? change.title,
    description: patch.description ?? change.description,
    type: patch.type ?? change.type,
    services: patch.services ?? change.services,
    answers,
    plannedStart:
      patch.plannedStart === undefined ? change.plannedStart : normaliseTime(patch.plannedStart),
    plannedEnd:
      patch.plannedEnd === undefined ? change.plannedEnd : normaliseTime(patch.plannedEnd),
    links: patch.links ?? change.links,
  };
}

/** `{ title: { from, to }, 'answers.risk': { from, to } }`: what the timeline and the audit trail show. */
function diffContent(
  before: ChangeContent,
  after: ChangeContent,
): Record<string, { from: unknown; to: unknown }> {
  const diff: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of CONTENT_KEYS) {
    if (key === 'answers') continue;
    if (!isDeepStrictEqual(before[key], after[key]))
      diff[key] = { from: before[key], to: after[key] };
  }
  const answerKeys = new Set([...Object.keys(before.answers), ...Object.keys(after.answers)]);
  for (const key of answerKeys) {
    const from = before.answers[key];
    const to = after.answers[key];
    if (from !== to) diff[`answers.${key}`] = { from: from ?? null, to: to ?? null };
  }
  return diff;
}
