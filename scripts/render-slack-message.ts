// Renders the Slack app's message for the README, from the real payload: a change is submitted
// through the real pipeline (subscriber → outbox → Slack deliverer, Slack's own SDK) to a local
// stand-in for Slack's Web API; Lee approves with a signed click; the chat.update that follows
// is drawn in headless Chromium with a small Block Kit renderer (Slack publishes none).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SLACK_ACTIONS } from '../src/notifications/templates/slack.js';
import {
  completeAnswers,
  EXAMPLE_POLICY,
  startTestApp,
  submittedChange,
} from '../tests/_util/app.js';
import { hasChromium, launchChromium } from '../tests/_util/browser.js';
import { sqlite } from '../tests/_util/databases.js';
import { blockActions, slackRequest, startFakeSlack } from '../tests/_util/slack.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const TOKEN = 'xoxb-render';
const SECRET = '0123456789abcdef0123456789abcdef';

if (!hasChromium) {
  console.error('render-slack-message: /usr/bin/chromium is missing (apt-get install chromium)');
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });
const slack = await startFakeSlack({
  token: TOKEN,
  users: { U0LEE: 'lee@example.com', U0KIM: 'kim@example.com' },
  channels: { C0PAY: 'payments' },
});
const t = await startTestApp(sqlite, {
  policy: EXAMPLE_POLICY.replace(
    '  audit-sink:\n',
    '  payments-slack:\n    type: slack\n    channel: C0PAY\n  audit-sink:\n',
  ).replace('    notify: [change-board]\n', '    notify: [payments-slack]\n'),
  env: {
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    PUBLIC_URL: 'https://changeboard.example.com',
  },
});
const browser = await launchChromium();
try {
  t.clock.set('2026-11-30T15:00:00Z');
  const change = (await submittedChange(t, 'priya', {
    title: 'Raise payment retry limit from 3 to 5',
    description:
      'Card payments fail on the third retry during provider brown-outs. The provider recommends 5.',
    answers: completeAnswers({ risk: 'high' }),
    plannedStart: '2026-12-01T10:00:00Z',
    plannedEnd: '2026-12-01T10:30:00Z',
  })) as { id: string };
  await t.ctx.dispatcher.runOnce();
  const numeric = Number(change.id.replace('CHG-', ''));
  const [message] = (await t.ctx.store.read.slackMessages.listForChange(numeric)).filter(
    (m) => m.channel === 'C0PAY',
  );
  const click = slackRequest(
    SECRET,
    blockActions({
      user: 'U0LEE',
      actionId: SLACK_ACTIONS.approve,
      value: `${numeric}:1`,
      channel: 'C0PAY',
      messageTs: message!.ts,
    }),
    { timestamp: Math.floor(t.clock.now().getTime() / 1000) },
  );
  await t.app.inject({ method: 'POST', url: '/api/v1/integrations/slack/interactions', ...click });
  await t.ctx.dispatcher.runOnce();
  const update = slack.callsTo('chat.update').find((c) => c.args.channel === 'C0PAY');
  if (!update) throw new Error('no chat.update reached the Slack stand-in');

  const page = await browser.newPage({
    viewport: { width: 640, height: 400 },
    deviceScaleFactor: 2,
  });
  await page.setContent(renderMessage(update.args.blocks as Block[]));
  await page.locator('#message').screenshot({ path: `${OUT}slack-message.png` });
  console.log('wrote docs/screenshots/slack-message.png');
} finally {
  await browser.close();
  await t.close();
  await slack.close();
}

interface Block {
  readonly type: string;
  readonly text?: { readonly type: string; readonly text: string };
  readonly fields?: readonly { readonly text: string }[];
  readonly elements?: readonly {
    readonly type: string;
    readonly text: string | { readonly text: string };
    readonly style?: string;
  }[];
}

/** The blocks this app sends (header, section, context, actions), drawn as Slack's desktop app does. */
function renderMessage(blocks: readonly Block[]): string {
  const body = blocks
    .map((block) => {
      switch (block.type) {
        case 'header':
          return `<div class="header">${block.text!.text}</div>`;
        case 'section':
          return `<div class="section">${block.text ? `<div>${mrkdwn(block.text.text)}</div>` : ''}${
            block.fields
              ? `<div class="fields">${block.fields.map((f) => `<div>${mrkdwn(f.text)}</div>`).join('')}</div>`
              : ''
          }</div>`;
        case 'context':
          return `<div class="context">${(block.elements ?? []).map((e) => mrkdwn(typeof e.text === 'string' ? e.text : e.text.text)).join(' ')}</div>`;
        case 'actions':
          return `<div class="actions">${(block.elements ?? [])
            .map(
              (e) =>
                `<span class="button ${e.style ?? ''}">${typeof e.text === 'string' ? e.text : e.text.text}</span>`,
            )
            .join('')}</div>`;
        default:
          return '';
      }
    })
    .join('');
  return `<!doctype html><html><head><style>
    body { margin: 0; padding: 16px; background: #fff; font: 15px/1.46668 -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #1d1c1d; }
    #message { display: flex; gap: 8px; width: 600px; padding: 8px 20px 8px 16px; }
    .avatar { width: 36px; height: 36px; border-radius: 6px; background: #4a154b; color: #fff; font-weight: 700; display: flex; align-items: center; justify-content: center; flex: none; }
    .name { font-weight: 900; } .app { background: rgba(29,28,29,.13); color: rgba(29,28,29,.7); font-size: 10px; padding: 1px 3px; border-radius: 2px; font-weight: 700; margin: 0 4px; } .time { color: #616061; font-size: 12px; }
    .header { font-size: 18px; font-weight: 900; margin: 4px 0; }
    .section { margin: 6px 0; } .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 8px; }
    .context { color: #616061; font-size: 13px; margin: 6px 0; }
    .actions { display: flex; gap: 8px; margin: 10px 0 4px; }
    .button { border: 1px solid rgba(29,28,29,.3); border-radius: 4px; padding: 3px 12px; font-weight: 700; font-size: 13px; line-height: 26px; }
    .primary { background: #007a5a; border-color: #007a5a; color: #fff; } .danger { color: #e01e5a; border-color: rgba(224,30,90,.6); }
    a { color: #1264a3; text-decoration: none; }
  </style></head><body><div id="message"><div class="avatar">CB</div><div>
    <div><span class="name">Changeboard</span><span class="app">APP</span><span class="time">3:02 PM</span></div>
    ${body}</div></div></body></html>`;
}

/** Slack's mrkdwn as this app writes it: `*bold*`, `<url|text>` links, new lines; text is already escaped (&amp; &lt; &gt;). */
function mrkdwn(text: string): string {
  return text
    .replace(/<([^|>]+)\|([^>]+)>/g, '<a href="$1">$2</a>')
    .replace(/\*([^*\n]+)\*/g, '<b>$1</b>')
    .replace(/\n/g, '<br>');
}
