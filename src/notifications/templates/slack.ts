import { truncate } from '../../shared/text.js';
import type { ChangeSummary } from './summary.js';

/** Block Kit for a Slack incoming webhook: header, the facts as fields, a button to the change. */
export function slackMessage(title: string, summary: ChangeSummary): Record<string, unknown> {
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
  blocks.push({
    type: 'actions',
    elements: [
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
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
