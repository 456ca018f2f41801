import type { AnswerValue, Answers, Change } from '../change.js';
import { CONDITION_KEYWORDS, type Condition, type Policy } from '../policy.js';
import type { Timeline } from './timeline.js';

/**
 * Promotion candidates: classes of change that always get approved and never
 * fail, whose approvals could become a pre-approved standard change ("trust
 * your team", with evidence). A class is the type, the services (as a set) and
 * the answers that drive requirements: the fields the type's approval rules and
 * the meetings' conditions test. Changes already raised from a template are
 * standard already and left out; drafts, pending and withdrawn changes are
 * counted as `open` and neither qualify nor disqualify a class, unless they were
 * rejected once. A change counts by its final outcome, and a rejection in any
 * round (or by an approver after it started) disqualifies its class.
 */

export interface ChangeClass {
  readonly type: string;
  readonly services: readonly string[];
  readonly answers: Answers;
}

export interface StandardChangeDraft {
  readonly id: string;
  readonly title: string;
  readonly services: readonly string[];
  readonly answers: Answers;
  readonly locked: readonly string[];
  readonly requesters: readonly string[];
  /** For a human to fill in: who accepts the template. */
  readonly approvedBy: null;
  readonly approvedOn: string;
}

export interface ClassTally extends ChangeClass {
  /** Decided changes (approved or rejected): what `minChanges` counts. */
  readonly ids: readonly number[];
  readonly approved: readonly number[];
  readonly rejected: readonly number[];
  /** Failed (rolled back) after approval. */
  readonly failed: readonly number[];
  readonly open: readonly number[];
}

export interface PromotionCandidate extends ClassTally {
  readonly entry: StandardChangeDraft;
}

export interface NearMiss extends ClassTally {
  readonly reason: string;
}

export interface PromotionInput {
  readonly changes: readonly Change[];
  readonly timelines: ReadonlyMap<number, Timeline>;
  readonly policy: Pick<Policy, 'changeTypes' | 'meetings' | 'groups' | 'standardChanges'>;
  readonly minChanges: number;
  /** `YYYY-MM-DD`, the entry's `approvedOn`. */
  readonly today: string;
}

/** The answer fields that decide requirements of a change of this type: `when:` keys of its rules and of meetings. */
export function drivingFields(
  policy: Pick<Policy, 'changeTypes' | 'meetings'>,
  type: string,
): readonly string[] {
  const fields = new Set<string>();
  const add = (when: Condition | undefined) => {
    for (const key of Object.keys(when ?? {}))
      if (!(CONDITION_KEYWORDS as readonly string[]).includes(key)) fields.add(key);
  };
  for (const rule of policy.changeTypes.get(type)?.approvals ?? []) add(rule.when);
  for (const meeting of policy.meetings) add(meeting.when);
  return [...fields].sort();
}

function classOf(change: Change, fields: readonly string[]): ChangeClass {
  const answers: Record<string, AnswerValue> = {};
  for (const field of fields) {
    const value = change.answers[field];
    if (value !== undefined) answers[field] = value;
  }
  return { type: change.type, services: [...change.services].sort(), answers };
}

/** A class as one comparable string (the store groups by it). */
export const keyOf = (c: ChangeClass) =>
  JSON.stringify([c.type, c.services, Object.entries(c.answers)]);

/** The class a change falls in, as its key. */
export const classKeyOf = (change: Change, fields: readonly string[]): string =>
  keyOf(classOf(change, fields));

/** The class back from its key. */
export function classFromKey(key: string): ChangeClass {
  const [type, services, answers] = JSON.parse(key) as [string, string[], [string, AnswerValue][]];
  return { type, services, answers: Object.fromEntries(answers) };
}

/** Biggest first, then by key. */
function byClassSize(a: ClassTally, b: ClassTally): number {
  return b.ids.length - a.ids.length || keyOf(a).localeCompare(keyOf(b));
}

/** Some of a class's changes: how many, and the first of them by id. */
export interface Counted {
  readonly count: number;
  readonly ids: readonly number[];
}

export const counted = (ids: readonly number[]): Counted => ({ count: ids.length, ids });

/** Why a class that qualifies by size is not a candidate, or null when it is one. */
export function disqualified(rejected: Counted, failed: Counted): string | null {
  const reasons = [
    rejected.count > 0 && `${rejected.count} rejected (${listed(rejected)})`,
    failed.count > 0 && `${failed.count} failed (${listed(failed)})`,
  ].filter((r): r is string => typeof r === 'string');
  return reasons.length > 0 ? reasons.join('; ') : null;
}

/** The changes a reason names; past that, how many more. */
export const LISTED = 20;
const listed = ({ count, ids }: Counted) =>
  ids
    .slice(0, LISTED)
    .map((id) => `CHG-${id}`)
    .join(', ') + (count > LISTED ? ` and ${count - LISTED} more` : '');

export function promotionCandidates(input: PromotionInput): {
  candidates: PromotionCandidate[];
  nearMisses: NearMiss[];
} {
  const classes = new Map<string, { cls: ChangeClass; changes: Change[] }>();
  for (const change of [...input.changes].sort((a, b) => a.id - b.id)) {
    if (change.template) continue;
    const cls = classOf(change, drivingFields(input.policy, change.type));
    const key = keyOf(cls);
    const entry = classes.get(key) ?? { cls, changes: [] };
    entry.changes.push(change);
    classes.set(key, entry);
  }
  const candidates: PromotionCandidate[] = [];
  const nearMisses: NearMiss[] = [];
  const takenIds = new Set((input.policy.standardChanges ?? []).map((s) => s.id));
  for (const { cls, changes } of classes.values()) {
    // Where each change ended (approved, then edited and rejected, is rejected); a rejection in any round, or after a start, disqualifies.
    const outcome = (c: Change) => input.timelines.get(c.id)?.finalOutcome ?? null;
    const everRejected = (c: Change) => input.timelines.get(c.id)?.everRejected === true;
    const decided = changes.filter((c) => outcome(c) !== null);
    if (decided.length < input.minChanges) continue;
    const tally: ClassTally = {
      ...cls,
      ids: decided.map((c) => c.id),
      approved: decided
        .filter((c) => outcome(c) === 'approved' && !everRejected(c))
        .map((c) => c.id),
      rejected: changes
        .filter((c) => outcome(c) === 'rejected' || everRejected(c))
        .map((c) => c.id),
      failed: decided.filter((c) => input.timelines.get(c.id)?.failedAt).map((c) => c.id),
      open: changes.filter((c) => outcome(c) === null).map((c) => c.id),
    };
    const reason = disqualified(counted(tally.rejected), counted(tally.failed));
    if (reason !== null) {
      nearMisses.push({ ...tally, reason });
      continue;
    }
    candidates.push({ ...tally, entry: draftEntry(cls, decided, input, takenIds) });
  }
  return { candidates: candidates.sort(byClassSize), nearMisses: nearMisses.sort(byClassSize) };
}

/** The `standardChanges` entry for a class, from its decided changes (oldest first); `takenIds` keeps ids unique. */
export function draftEntry(
  cls: ChangeClass,
  changes: readonly Pick<Change, 'answers' | 'requester' | 'title'>[],
  input: Pick<PromotionInput, 'policy' | 'today'>,
  takenIds: Set<string>,
): StandardChangeDraft {
  // The answers every change of the class gave alike: a template prefills them.
  const shared: Record<string, AnswerValue> = {};
  const [first, ...rest] = changes;
  for (const [field, value] of Object.entries(first!.answers))
    if (rest.every((c) => c.answers[field] === value)) shared[field] = value;
  const requesters = new Set(
    changes.map((c) => c.requester).filter((r): r is string => r !== null),
  );
  const groups = [...input.policy.groups]
    .filter(([, members]) => members.some((m) => requesters.has(m)))
    .map(([id]) => id)
    .sort();
  const base = slug(
    [cls.type, ...cls.services, ...Object.values(cls.answers).map(String)].join('-'),
  );
  let id = base;
  for (let n = 2; takenIds.has(id); n++) id = `${base}-${n}`;
  takenIds.add(id);
  return {
    id,
    title: mostCommon(changes.map((c) => c.title)),
    services: cls.services,
    answers: shared,
    locked: Object.keys(cls.answers).sort(),
    requesters: groups,
    approvedBy: null,
    approvedOn: input.today,
  };
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'standard-change'
  );
}

/** The title most changes of the class had; on a tie, the latest. */
function mostCommon(titles: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const t of titles) counts.set(t, (counts.get(t) ?? 0) + 1);
  let best = titles[titles.length - 1]!;
  for (const [t, n] of counts) if (n > counts.get(best)!) best = t;
  return best;
}
