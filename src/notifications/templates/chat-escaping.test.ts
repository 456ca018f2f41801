import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { slackMessage } from './slack.js';
import type { ChangeSummary } from './summary.js';
import { escapeMarkdown } from '../../shared/markdown-text.js';
import { teamsMessage } from './teams.js';

const HOSTILE =
  '[Approve CHG-1 now](https://evil.example/phish) <!channel> <https://evil.example|Approve> **urgent**';

const summary: ChangeSummary = {
  id: 'CHG-1',
  url: 'https://changeboard.test/changes/CHG-1',
  title: HOSTILE,
  state: 'pending',
  description: '',
  requester: 'Priya Shah',
  type: 'Normal',
  services: 'Payments API',
  risk: '[low](https://evil.example/risk)',
  stillNeeded: ['payments-owners (1 more): Lee Wong'],
  answers: [],
  links: [],
  needsDiscussion: [],
  // Another change's title, as typed by its requester.
  conflicts: [`Overlaps CHG-2 ${HOSTILE} (Payments API, Tue 17 Nov 14:00–15:00 UTC)`],
};

// What a CommonMark renderer (Teams' is one) makes of a text: no raw HTML, as Teams.
const commonMark = new MarkdownIt({ html: false, linkify: false });

describe('chat messages show what people typed as text', () => {
  it('Teams: no title, fact or headline becomes a link or emphasis', () => {
    const card = (
      teamsMessage(`Priya submitted ${HOSTILE}`, summary) as {
        attachments: { content: { body: { text?: string; facts?: { value: string }[] }[] } }[];
      }
    ).attachments[0]!.content;
    const texts = card.body.flatMap((item) => [
      ...(item.text ? [item.text] : []),
      ...(item.facts ?? []).map((f) => f.value),
    ]);
    for (const text of texts) {
      const html = commonMark.renderInline(text);
      expect(html).not.toContain('<a ');
      expect(html).not.toContain('<strong>');
    }
    // Still readable: the words are all there once unescaped.
    expect(commonMark.renderInline(card.body[1]!.text!)).toContain(
      '[Approve CHG-1 now](https://evil.example/phish)',
    );
  });

  it('Teams: lists, headings and quotes at the start of a line stay text', () => {
    for (const text of [
      '# Heading',
      '- item',
      '+ item',
      '1. first',
      '2) second',
      '> quote',
      '`code`',
      '~~gone~~',
    ])
      expect(commonMark.render(escapeMarkdown(text)).trim()).toBe(
        `<p>${text.replace('>', '&gt;')}</p>`,
      );
  });

  it('Slack: the fallback text cannot mention a channel or hide a link', () => {
    const message = slackMessage(`Priya submitted ${summary.id}`, summary) as {
      text: string;
      blocks: unknown[];
    };
    expect(message.text).not.toMatch(/<[!@#]|<https?:/);
    expect(message.text).toContain('&lt;!channel&gt;');
    expect(JSON.stringify(message.blocks)).not.toContain('<!channel>');
  });
});
