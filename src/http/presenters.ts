import type { ChangeWithDecisions } from '../app/read-changes.js';
import { allowedActions } from '../domain/authorization.js';
import { EVERYONE_PRESENT, type Presence } from '../domain/absence.js';
import { earlyStartAllowances, evaluateChange } from '../domain/approval.js';
import { formatChangeId, type Change } from '../domain/change.js';
import { plannedWindowWarning, subjectOf } from '../domain/change-content.js';
import { freezesOverlapping } from '../domain/freezes.js';
import type { Conflicts } from '../domain/conflicts.js';
import { attendeesFor, attendeesOf, DISCUSSABLE_STATES, heldBy } from '../domain/meetings.js';
import { type Field, type Person, type Policy, type ReviewPolicy } from '../domain/policy.js';
import { reviewAllowances, reviewPolicyFor } from '../domain/reviews.js';
import { requirementsAddedSince } from '../domain/policy-drift.js';
import {
  computeRequirements,
  explainRequirements,
  type ApprovalEvaluation,
} from '../domain/requirements.js';
import { findTemplate } from '../domain/standard-changes.js';
import { renderMarkdown } from './markdown.js';
import {
  CARD_FIELDS,
  type ChangeCardJson,
  type ChangeViewJson,
  type SessionViewJson,
} from './contract/index.js';
import type { Static } from 'typebox';
import type {
  FieldView,
  GateView,
  GithubDeliveryList,
  PolicyView,
  ReviewPolicyView,
} from './contract/index.js';
import type { GithubDelivery } from '../app/ports.js';
import type { GateAnswer } from '../app/check-gate.js';

export interface PresentContext {
  readonly policy: Policy;
  readonly publicUrl: string;
  /** What depends on the time (whether the planned window is over) is worked out as it is shown. */
  readonly now: () => Date;
}

/**
 * The one JSON shape of a change (PRODUCT.md), whatever route returns it.
 * `actions` are the viewer's: empty when there is no viewer (e.g. a webhook).
 */
export function presentChange(
  ctx: PresentContext,
  item: ChangeWithDecisions,
  viewer?: Person,
  presence: Presence = EVERYONE_PRESENT,
): ChangeViewJson {
  const presented = presentedFor(ctx, item, presence);
  return {
    ...presented.view,
    windowWarning: plannedWindowWarning(item.change, ctx.now()),
    heldBy: heldByOf(ctx, item.change),
    review: presentReview(ctx, item.change),
    actions: actionsOf(ctx.policy, presented, item, viewer),
    onBehalfOptions: onBehalfOptions(presented, viewer),
  };
}

/**
 * presentChange as JSON text, for pages of many changes: what every viewer
 * sees is serialised once per version of the change, only the viewer's
 * actions each time.
 */
export function presentChangeJson(
  ctx: PresentContext,
  item: ChangeWithDecisions,
  viewer?: Person,
  presence: Presence = EVERYONE_PRESENT,
): string {
  const presented = presentedFor(ctx, item, presence);
  presented.json ??= JSON.stringify(presented.view);
  const actions = JSON.stringify(actionsOf(ctx.policy, presented, item, viewer));
  const warning = JSON.stringify(plannedWindowWarning(item.change, ctx.now()));
  const held = JSON.stringify(heldByOf(ctx, item.change));
  const review = JSON.stringify(presentReview(ctx, item.change));
  const onBehalf = JSON.stringify(onBehalfOptions(presented, viewer));
  return `${presented.json.slice(0, -1)},"windowWarning":${warning},"heldBy":${held},"review":${review},"actions":${actions},"onBehalfOptions":${onBehalf}}`;
}

/** A change as its card on the board shows it, as JSON text: the same for every viewer, so kept per version. */
export function presentChangeCardJson(
  ctx: PresentContext,
  item: ChangeWithDecisions,
  presence: Presence = EVERYONE_PRESENT,
): string {
  const presented = presentedFor(ctx, item, presence);
  presented.cardJson ??= JSON.stringify(cardOf(ctx.policy, presented.view));
  // Whether a review is overdue depends on the time: added as it is shown.
  return `${presented.cardJson.slice(0, -1)},"review":${JSON.stringify(presentReview(ctx, item.change))}}`;
}

function cardOf(policy: Policy, view: Presented['view']): ChangeCardJson {
  // `review` depends on the time: presentChangeCardJson adds it.
  const card = Object.fromEntries(
    CARD_FIELDS.filter((field) => field !== 'review').map((field) => [field, view[field]]),
  ) as unknown as ChangeCardJson;
  const choice = new Set(policy.fields.filter((f) => f.type === 'choice').map((f) => f.id));
  const answers = Object.entries(view.answers).filter(([field]) => choice.has(field));
  return { ...card, answers: Object.fromEntries(answers) };
}

function actionsOf(
  policy: Policy,
  { shown, evaluation }: Presented,
  { decisions }: ChangeWithDecisions,
  viewer: Person | undefined,
): ChangeViewJson['actions'] {
  if (!viewer) return [];
  return allowedActions(viewer, {
    change: shown,
    decisions,
    evaluation,
    approvers: decisions
      .filter((d) => d.verdict === 'approve')
      .flatMap((d) => (d.standIn ? [d.person, d.standIn] : [d.person])),
    attendees: attendeesFor(policy, shown),
    allowances: { ...earlyStartAllowances(policy, shown, evaluation), ...reviewAllowances(shown) },
  });
}

/** The meetings whose outcome a pending change waits for, with their next sitting (it depends on the time, so it is worked out as shown). */
function heldByOf(ctx: PresentContext, change: Change): ChangeViewJson['heldBy'] {
  if (change.state !== 'pending') return [];
  const now = ctx.now();
  return heldBy(ctx.policy, change).map((meeting) => ({
    meeting: meeting.name,
    id: meeting.id,
    next: meeting.schedule?.next(now, 1)[0]?.start.toISOString() ?? null,
    timezone: meeting.schedule?.timezone ?? null,
  }));
}

/**
 * Whose decision the viewer may give, when that is not only their own: the people
 * away they stand in for, and their own id too when they may also decide for
 * themselves. Empty when they decide only as themselves, or not at all.
 */
function onBehalfOptions({ shown, evaluation }: Presented, viewer: Person | undefined): string[] {
  // Pending, or started early with approvals open (none are eligible once every requirement is met).
  if (!viewer || !['pending', 'in_progress', 'completed'].includes(shown.state)) return [];
  const seats = evaluation.capacities.get(viewer.id) ?? [];
  return seats.some((seat) => seat !== viewer.id) ? [...seats] : [];
}

interface Presented {
  /** Everything but the viewer's actions. */
  readonly view: Omit<
    ChangeViewJson,
    'actions' | 'windowWarning' | 'heldBy' | 'review' | 'onBehalfOptions'
  >;
  /** The change as shown: a draft with the requirements it would have if submitted now. */
  readonly shown: Change;
  readonly evaluation: ApprovalEvaluation;
  /** `view` serialised, once it has been asked for. */
  json?: string;
  /** The card, serialised, once it has been asked for. */
  cardJson?: string;
}

/**
 * What every viewer sees of a change depends only on the change, its decisions,
 * the policy and who is away, so it is kept for as long as the same objects come
 * back (ChangeCache hands out the same ones while a change keeps its version)
 * under the same presence (by its key: who is away, who stands in) and policy.
 */
const presented = new WeakMap<
  PresentContext,
  Map<string, WeakMap<ChangeWithDecisions, Presented>>
>();

/** Presences kept apart at once; absences change rarely, so a handful is plenty. */
const PRESENCES_KEPT = 8;

function presentedFor(
  ctx: PresentContext,
  item: ChangeWithDecisions,
  presence: Presence,
): Presented {
  let forContext = presented.get(ctx);
  if (!forContext)
    presented.set(ctx, (forContext = new Map<string, WeakMap<ChangeWithDecisions, Presented>>()));
  // A policy applied since presents the same change differently: keyed by its hash too.
  const key = `${ctx.policy.hash}:${presence.key}`;
  let forPresence = forContext.get(key);
  if (!forPresence) {
    if (forContext.size >= PRESENCES_KEPT) forContext.clear();
    forContext.set(key, (forPresence = new WeakMap()));
  }
  let entry = forPresence.get(item);
  if (!entry) forPresence.set(item, (entry = presentWithoutViewer(ctx, item, presence)));
  return entry;
}

function presentWithoutViewer(
  ctx: PresentContext,
  { change, decisions }: ChangeWithDecisions,
  presence: Presence,
): Presented {
  // A draft has no requirements yet: show what it would need if submitted now.
  const shown: Change =
    change.state === 'draft'
      ? { ...change, requirements: computeRequirements(ctx.policy, subjectOf(change)) }
      : {
          ...change,
          requirements: explainRequirements(ctx.policy, subjectOf(change), change.requirements),
        };
  const evaluation = evaluateChange(ctx.policy, shown, decisions, presence);
  // A change started early still asks for the approvals that are open.
  const startedEarly = earlyStartAllowances(ctx.policy, shown, evaluation).approvalsOpen === true;
  const open = change.state === 'pending' || startedEarly;
  const view = {
    id: formatChangeId(change.id),
    number: change.id,
    url: `${ctx.publicUrl}/changes/${formatChangeId(change.id)}`,
    title: change.title,
    description: change.description,
    descriptionHtml: renderMarkdown(change.description),
    type: change.type,
    services: [...change.services],
    answers: { ...change.answers },
    plannedStart: change.plannedStart,
    plannedEnd: change.plannedEnd,
    links: [...change.links],
    requester: change.requester,
    state: change.state,
    version: change.version,
    requirements: evaluation.requirements.map((r) => ({
      from: r.group,
      ...(r.service ? { service: r.service } : {}),
      count: r.count,
      reason: r.reason ?? '',
      met: r.met,
      approvedBy: [...r.approvedBy],
      canApprove: open ? [...r.canApprove] : [],
      available: !open || r.available,
      ...(open && r.whyUnavailable !== undefined && { whyUnavailable: r.whyUnavailable }),
    })),
    decisions: decisions.map((d) => ({
      person: d.person,
      actor: d.standIn ?? d.person,
      onBehalfOf: d.standIn ? d.person : null,
      via: d.via ?? null,
      verdict: d.verdict,
      comment: d.comment,
      at: d.at,
    })),
    waitingFor: open ? [...evaluation.eligibleApprovers] : [],
    startedEarly,
    rejectedAfterStart:
      change.state !== 'pending' &&
      change.state !== 'rejected' &&
      decisions.some((d) => d.verdict === 'reject'),
    policyAsksMore: requirementsAddedSince(ctx.policy, change).map((r) => ({
      from: r.group,
      ...(r.service ? { service: r.service } : {}),
      count: r.count,
      reason: r.reason ?? '',
    })),
    needsDiscussion: (DISCUSSABLE_STATES as readonly string[]).includes(change.state)
      ? [...change.meetings]
      : [],
    freezeWarnings: freezesOverlapping(ctx.policy, change, {
      start: change.plannedStart,
      end: change.plannedEnd,
    }).map((f) => ({
      name: f.name,
      from: f.from.toISOString(),
      to: f.to.toISOString(),
    })),
    createdAt: change.createdAt,
    updatedAt: change.updatedAt,
    submittedAt: change.submittedAt,
    pullRequest: change.pullRequest ? { ...change.pullRequest } : null,
    template: templateOf(ctx.policy, change),
  };
  return { view, shown, evaluation };
}

/** The template a change was raised from, and whether the catalog still has the version it used. */
function templateOf(policy: Policy, change: Change): ChangeViewJson['template'] {
  if (!change.template) return null;
  const template = findTemplate(policy, change.template.id);
  return {
    id: change.template.id,
    version: change.template.version,
    title: template?.title ?? null,
    current: template?.version === change.template.version,
  };
}

/** A single change's `conflicts`: the other changes first, then the freezes. */
export function presentConflicts(conflicts: Conflicts): NonNullable<ChangeViewJson['conflicts']> {
  return [
    ...conflicts.changes.map(({ change, sharedServices }) => ({
      kind: 'change' as const,
      id: formatChangeId(change.id),
      title: change.title,
      state: change.state,
      services: [...sharedServices],
      // Only a change with a planned start can overlap.
      plannedStart: change.plannedStart ?? '',
      plannedEnd: change.plannedEnd,
    })),
    ...conflicts.freezes.map((f) => ({
      kind: 'freeze' as const,
      name: f.name,
      from: f.from.toISOString(),
      to: f.to.toISOString(),
    })),
  ];
}

export function presentSession(
  policy: Policy,
  person: Person,
  session: { via: SessionViewJson['via']; csrfToken: string | null; expiresAt: string | null },
): SessionViewJson {
  return {
    person: {
      id: person.id,
      name: person.name,
      email: person.email,
      admin: person.admin,
      groups: [...policy.groups]
        .filter(([, members]) => members.includes(person.id))
        .map(([id]) => id),
    },
    ...session,
  };
}

export { presentEvent } from './contract/events.js';
export { presentClock } from './contract/clock.js';

function presentField(f: Field): Static<typeof FieldView> {
  return {
    id: f.id,
    label: f.label,
    ...(f.help ? { help: f.help } : {}),
    type: f.type,
    ...(f.options ? { options: [...f.options] } : {}),
    required: f.required === true,
    ...(typeof f.required === 'object' ? { requiredWhen: { ...f.required.when } } : {}),
  };
}

function presentReviewPolicy(review: ReviewPolicy): Static<typeof ReviewPolicyView> {
  return {
    within: review.within.text,
    withinMinutes: review.within.days * 1440 + Math.round(review.within.ms / 60_000),
    fields: review.fields.map(presentField),
  };
}

/** A review owed: its questions, when it is due, whether it is overdue, and once filed, its answers. */
function presentReview(ctx: PresentContext, change: Change): ChangeViewJson['review'] {
  const { review } = change;
  if (!review) return null;
  return {
    due: review.due,
    done: review.doneAt !== null,
    doneAt: review.doneAt,
    by: review.by,
    overdue: review.doneAt === null && ctx.now().toISOString() > review.due,
    answers: review.answers ? { ...review.answers } : null,
    fields: reviewPolicyFor(ctx.policy, change).fields.map(presentField),
  };
}

/** How far ahead a recurring freeze's occurrences are listed, and how many at least and at most. */
const FREEZE_HORIZON_MS = 13 * 7 * 86_400_000;
const FREEZE_OCCURRENCES_AT_LEAST = 3;
const FREEZE_OCCURRENCES_AT_MOST = 100;

/**
 * The policy's recurring freezes, each with its occurrences not over at `now`:
 * those that begin within the next 13 weeks, and at least the next three (a
 * yearly freeze still shows when it comes).
 */
export function presentRecurringFreezes(
  policy: Policy,
  now: Date,
): Static<typeof PolicyView>['recurringFreezes'] {
  const horizon = now.getTime() + FREEZE_HORIZON_MS;
  return policy.recurringFreezes.map((f) => ({
    name: f.name,
    rrule: f.schedule.rrule,
    at: f.schedule.at,
    timezone: f.schedule.timezone,
    durationMinutes: Math.round(f.schedule.durationMs / 60_000),
    allow: [...f.allow],
    services: [...f.services],
    next: f.schedule
      .next(now, FREEZE_OCCURRENCES_AT_MOST)
      .filter((o, i) => i < FREEZE_OCCURRENCES_AT_LEAST || o.start.getTime() < horizon)
      .map((o) => ({ start: o.start.toISOString(), end: o.end.toISOString() })),
  }));
}

/** `now`: from when a recurring freeze's next occurrences are listed (see presentRecurringFreezes). */
export function presentPolicy(policy: Policy, now: Date = new Date()): Static<typeof PolicyView> {
  return {
    organization: policy.organization,
    hash: policy.hash,
    people: [...policy.people.values()].map((p) => ({
      id: p.id,
      name: p.name,
      email: p.email,
      timezone: p.timezone,
      admin: p.admin,
    })),
    groups: Object.fromEntries([...policy.groups].map(([id, members]) => [id, [...members]])),
    fields: policy.fields.map(presentField),
    services: [...policy.services.values()].map((s) => ({
      id: s.id,
      name: s.name,
      repositories: [...s.repositories],
      environments: [...s.environments],
      approvers: s.approvers ?? null,
    })),
    changeTypes: [...policy.changeTypes.values()].map((t) => ({
      id: t.id,
      label: t.label,
      distinctApprovers: t.distinctApprovers,
      keepApprovalsOnPush: t.keepApprovalsOnPush,
      requirePlannedWindow: t.requirePlannedWindow ?? false,
      approvals: t.approvals.map((a) => ({
        from: a.from,
        count: a.count,
        ...(a.when ? { when: { ...a.when } } : {}),
      })),
      review: t.review ? presentReviewPolicy(t.review) : null,
    })),
    failureReview: presentReviewPolicy(policy.failureReview),
    freezes: policy.freezes.map((f) => ({
      name: f.name,
      from: f.from.toISOString(),
      to: f.to.toISOString(),
      allow: [...f.allow],
      services: [...f.services],
    })),
    recurringFreezes: presentRecurringFreezes(policy, now),
    meetings: policy.meetings.map((m) => ({
      id: m.id,
      name: m.name,
      when: { ...m.when },
      hold: m.hold,
      attendees: [...attendeesOf(policy, m)],
    })),
    standardChanges:
      policy.standardChanges?.map((t) => ({
        id: t.id,
        title: t.title,
        services: [...t.services],
        answers: { ...t.answers },
        locked: [...t.locked],
        requesters: [...t.requesters],
        approvedBy: t.approvedBy,
        approvedByName: policy.people.get(t.approvedBy)?.name ?? t.approvedBy,
        approvedOn: t.approvedOn,
        version: t.version,
      })) ?? null,
  };
}

export function presentDelivery(
  delivery: GithubDelivery,
): Static<typeof GithubDeliveryList>['items'][number] {
  return {
    id: delivery.id,
    event: delivery.event,
    action: delivery.action,
    repository: delivery.repository,
    receivedAt: delivery.receivedAt,
    outcome: delivery.outcome,
    message: delivery.message,
    changeId: delivery.changeId === null ? null : formatChangeId(delivery.changeId),
  };
}

export function presentGate(ctx: PresentContext, answer: GateAnswer): Static<typeof GateView> {
  return {
    covered: answer.covered,
    final: answer.final,
    reason: answer.reason,
    freeze: answer.freeze ?? null,
    change: answer.change ? presentChange(ctx, answer.change) : null,
  };
}
