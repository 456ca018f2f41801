import { isDeepStrictEqual } from 'node:util';
import type { AnswerValue, Change } from '../domain/change.js';
import {
  checkContent,
  CONTENT_KEYS,
  subjectOf,
  type ChangeContent,
} from '../domain/change-content.js';
import { reopenRound, requirementsForApproval } from '../domain/approval.js';
import { invalidInput } from '../domain/errors.js';
import type { NewEvent } from '../domain/events.js';
import { meetingsFor } from '../domain/meetings.js';
import type { Person } from '../domain/policy.js';
import { checkStandardChange, refOf } from '../domain/standard-changes.js';
import { actOnChange, type Acted } from './act-on-change.js';
import { normaliseTime } from './create-change.js';
import type { AppDeps } from './deps.js';

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
  /** The standard change template it is raised from; `null` names none any more. */
  readonly template?: string | null;
}

/**
 * Edits a draft, or a pending change. A pending change's approvals were given
 * for what it said before, so any edit opens a new round: re-computed
 * requirements, the approvals given so far withdrawn, saying so on the timeline.
 */
export function editChange(
  deps: AppDeps,
  actor: Person,
  id: number,
  patch: ChangePatch,
): Promise<Acted> {
  return actOnChange(
    deps,
    { actor, id, action: 'edit', version: patch.version },
    ({ change, decisions }, now) => {
      const content = applyPatch(change, patch);
      const issues = checkContent(deps.policy, content);
      if (issues.length > 0) throw invalidInput(issues);
      // A pending change is sent for approval again: who raises it is checked too, as at submit.
      const standard = checkStandardChange(
        deps.policy,
        content,
        patch.template === undefined ? change.template?.id : patch.template,
        change.state === 'pending' ? { requester: { id: change.requester } } : {},
      );
      const template = standard && refOf(standard);
      const diff = diffContent(change, content);
      if (!isDeepStrictEqual(change.template ?? null, template ?? null))
        diff.template = { from: change.template ?? null, to: template ?? null };
      if (Object.keys(diff).length === 0) return undefined;

      const { template: _before, ...unchanged } = change;
      const edited: Change = {
        ...unchanged,
        ...content,
        ...(template && { template }),
        meetings: meetingsFor(deps.policy, subjectOf(content)),
      };
      const event: NewEvent = {
        changeId: id,
        type: 'edited',
        actor: actor.id,
        data: { changes: diff },
      };
      if (change.state !== 'pending') return { change: edited, events: [event] };
      return reopenRound(deps.policy, edited, decisions, {
        edited: event,
        requirements: requirementsForApproval(deps.policy, edited),
        now,
        withdrawnBecause: `edited: ${Object.keys(diff).join(', ')}`,
        approvedBecause: 'no approval is required for this change any more',
      });
    },
  );
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
