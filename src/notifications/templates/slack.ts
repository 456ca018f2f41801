import { truncate } from '../../shared/text.js';
import type { ChangeSummary } from './summary.js';

/** The Slack app's additions to a message: where the change stands, and buttons to decide. */
export interface SlackAppParts {
  /** Where the change stands now, kept current by chat.update (templates/state-line.ts). */
  readonly status?: string;
  /** Approve and Reject for this change's approval round (buttons only the Slack app can receive). */
  readonly decide?: { readonly changeId: number; readonly round: number };
}

/** The action ids of the Slack app's buttons, and what their `value` carries. */
export const SLACK_ACTIONS = {
  approve: 'changeboard-approve',
  reject: 'changeboard-reject',
} as const;

export function decisionValue(changeId: number, round: number): string {
  return `${changeId}:${round}`;
}

/**
 * Block Kit: header, the facts as fields, a button to the change. For an
 * incoming webhook as it is; the Slack app adds the status and Approve / Reject.
 */
export function slackMessage(
  title: string,
  summary: ChangeSummary,
  app: SlackAppParts = {},
): Record<string, unknown> {
  const fields = [
    ['Requester', summary.requester],
    ['Services', summary.services],
    ['Type', summary.type],
    ...(summary.risk ? [['Risk', summary.risk]] : []),
    ...(summary.planned ? [['Planned', summary.planned]] : []),
    ['State', summary.state],
  ].map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${escape(value!)}` }));
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, 150), emoji: false } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*<${summary.url}|${escape(`${summary.id} · ${summary.title}`)}>*`,
      },
      fields: fields.slice(0, 10),
    },
  ];
  if (summary.stillNeeded.length) {
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `Still needed: ${escape(summary.stillNeeded.join('; '))}` },
      ],
    });
  }
  if (summary.conflicts.length) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: escape(summary.conflicts.join('; ')) }],
    });
  }
  if (app.status) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${escape(app.status)}*` } });
  }
  const decide = app.decide && decisionValue(app.decide.changeId, app.decide.round);
  blocks.push({
    type: 'actions',
    elements: [
      ...(decide
        ? [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Approve' },
              style: 'primary',
              action_id: SLACK_ACTIONS.approve,
              value: decide,
            },
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Reject' },
              style: 'danger',
              action_id: SLACK_ACTIONS.reject,
              value: decide,
            },
          ]
        : []),
      {
        type: 'button',
        text: { type: 'plain_text', text: 'Open change' },
        url: summary.url,
        action_id: 'open-change',
      },
    ],
  });
  // `text` is the notification and screen-reader fallback; it is mrkdwn too.
  return { text: escape(`${title}: ${summary.id} ${summary.title}`), blocks };
}

/**
 * Slack's mrkdwn turns `<…>` into links and mentions (`<!channel>`,
 * `<https://evil.example|Approve>`); Slack asks for exactly these three escapes.
 */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
