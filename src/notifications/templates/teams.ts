import { escapeMarkdown } from '../../shared/markdown-text.js';
import type { ChangeSummary } from './summary.js';

/**
 * An Adaptive Card (1.5) for a Teams Workflows webhook: the facts an approver
 * scans first and one button to the change page. Only Action.OpenUrl: Teams
 * webhooks cannot post back.
 */
export function teamsMessage(title: string, summary: ChangeSummary): Record<string, unknown> {
  const facts = [
    { title: 'Requester', value: summary.requester },
    { title: 'Services', value: summary.services },
    { title: 'Type', value: summary.type },
    ...(summary.risk ? [{ title: 'Risk', value: summary.risk }] : []),
    ...(summary.planned ? [{ title: 'Planned', value: summary.planned }] : []),
    { title: 'State', value: summary.state },
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
  const card = {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      {
        type: 'TextBlock',
        text: escapeMarkdown(title),
        weight: 'Bolder',
        size: 'Medium',
        wrap: true,
      },
      {
        type: 'TextBlock',
        text: escapeMarkdown(`${summary.id} · ${summary.title}`),
        wrap: true,
        spacing: 'Small',
      },
      { type: 'FactSet', facts },
    ],
    actions: [{ type: 'Action.OpenUrl', title: 'Open change', url: summary.url }],
  };
  return {
    type: 'message',
    attachments: [
      { contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: card },
    ],
  };
}
