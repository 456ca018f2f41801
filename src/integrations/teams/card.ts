import type { Change, Decision } from '../../domain/change.js';
import type { Policy } from '../../domain/policy.js';
import { escapeMarkdown } from '../../shared/markdown-text.js';
import type { ChangeSummary } from '../../notifications/templates/summary.js';

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** What every Action.Execute of a card carries: the change, and the round and version it showed. */
export interface CardData {
  readonly changeId: number;
  readonly round: number;
  readonly version: number;
}

/** What this viewer may do on the card, or why not. */
export interface CardViewer {
  /** Approve and Reject, with the reason box, for someone who may decide now. */
  readonly canDecide: boolean;
  /** A line for this viewer alone: why they may not decide, what went wrong, what they did. */
  readonly notice?: string;
  readonly noticeIsError?: boolean;
}

export interface CardInput {
  readonly policy: Policy;
  readonly change: Change;
  readonly decisions: readonly Decision[];
  readonly summary: ChangeSummary;
  /** Teams users (Entra object ids) whose clients refresh the card when they look at it. */
  readonly refreshFor: readonly string[];
}

/**
 * An Adaptive Card (1.5) with Universal Actions. The card posted to the channel
 * shows the change as it stands to everyone; `refresh` has Teams ask the bot
 * again for each approver who looks at it (userIds), and the bot answers with
 * the card for that person (cardFor): the buttons that apply to them.
 */
export function teamsBotCard(input: CardInput, viewer?: CardViewer): Record<string, unknown> {
  const { change, summary } = input;
  const data: CardData = { changeId: change.id, round: change.round, version: change.version };
  const name = (id: string) => input.policy.people.get(id)?.name ?? id;
  const decided = input.decisions.map(
    (d) =>
      `${name(d.person)} ${d.verdict === 'approve' ? 'approved' : 'rejected'}${d.standIn ? ` (${name(d.standIn)} standing in)` : ''}`,
  );
  const facts = [
    { title: 'State', value: summary.state },
    { title: 'Requester', value: summary.requester },
    { title: 'Services', value: summary.services },
    { title: 'Type', value: summary.type },
    ...(summary.risk ? [{ title: 'Risk', value: summary.risk }] : []),
    ...(summary.planned ? [{ title: 'Planned', value: summary.planned }] : []),
    ...(decided.length ? [{ title: 'Decided', value: decided.join('; ') }] : []),
    ...(summary.stillNeeded.length
      ? [{ title: 'Still needed', value: summary.stillNeeded.join('; ') }]
      : []),
    ...(summary.needsDiscussion.length
      ? [{ title: 'Discuss at', value: summary.needsDiscussion.join(', ') }]
      : []),
    ...(summary.conflicts.length
      ? [{ title: 'Conflicts', value: summary.conflicts.join('; ') }]
      : []),
  ].map((fact) => ({ title: fact.title, value: escapeMarkdown(fact.value) }));
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: escapeMarkdown(`${summary.id} · ${summary.title}`),
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
    },
    { type: 'FactSet', facts },
  ];
  if (viewer?.notice)
    body.push({
      type: 'TextBlock',
      text: escapeMarkdown(viewer.notice),
      wrap: true,
      color: viewer.noticeIsError ? 'Attention' : 'Accent',
      id: 'notice',
    });
  const actions: Record<string, unknown>[] = [];
  if (viewer?.canDecide) {
    body.push({
      type: 'Input.Text',
      id: 'comment',
      label: 'Comment (required to reject)',
      placeholder: 'Why you approve or reject',
      isMultiline: true,
      maxLength: 2000,
    });
    actions.push(
      { type: 'Action.Execute', title: 'Approve', verb: 'approve', data, style: 'positive' },
      { type: 'Action.Execute', title: 'Reject', verb: 'reject', data, style: 'destructive' },
    );
  }
  actions.push({ type: 'Action.OpenUrl', title: 'Open change', url: summary.url });
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    ...(input.refreshFor.length > 0 && {
      refresh: {
        action: { type: 'Action.Execute', title: 'Refresh', verb: 'refresh', data },
        // Teams names its users by MRI: 8:orgid: and the Entra object id. At most 60.
        userIds: input.refreshFor.slice(0, 60).map((id) => `8:orgid:${id}`),
      },
    }),
    body,
    actions,
  };
}

/** The card as a message activity's attachment. */
export function cardMessage(card: Record<string, unknown>): Record<string, unknown> {
  return { type: 'message', attachments: [{ contentType: ADAPTIVE_CARD, content: card }] };
}
