// Renders the Teams bot's card for the README (`npx tsx scripts/render-teams-bot.ts`): a change
// is submitted through the real pipeline (subscriber → outbox → the bot's deliverer, Microsoft's
// SDK) to a local Bot Connector; the card it posts, and the card the bot answers when Lee's Teams
// refreshes it, are drawn with Microsoft's adaptivecards renderer in headless Chromium.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  EXAMPLE_POLICY,
  completeAnswers,
  startTestApp,
  submittedChange,
} from '../tests/_util/app.js';
import { hasChromium, launchChromium } from '../tests/_util/browser.js';
import { sqlite } from '../tests/_util/databases.js';
import { FakeMicrosoft, TEAMS_APP_ID, TEAMS_TENANT, teamsEnv } from '../tests/_util/teams.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const ADAPTIVE_CARDS = createRequire(import.meta.url).resolve(
  'adaptivecards/dist/adaptivecards.min.js',
);
const LEE = 'aaaaaaaa-1111-4111-8111-111111111111';
const CONVERSATION = '19:payments@thread.tacv2';

if (!hasChromium) {
  console.error('render-teams-bot: /usr/bin/chromium is missing (apt-get install chromium)');
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });
const ms = new FakeMicrosoft();
await ms.start();
const policy = EXAMPLE_POLICY.replace(
  '    timezone: America/New_York\n',
  `    timezone: America/New_York\n    teams: ${LEE}\n`,
)
  .replace(
    'channels:\n',
    `channels:\n  ops-teams:\n    type: teams\n    conversation: "${CONVERSATION}"\n`,
  )
  .replace('    notify: [change-board]\n  website:', '    notify: [ops-teams]\n  website:');
const t = await startTestApp(sqlite, {
  policy,
  env: { ...teamsEnv(ms), PUBLIC_URL: 'https://changeboard.example.com' },
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
  })) as { id: string; version: number };
  await t.ctx.dispatcher.runOnce();
  const posted = ms.posts()[0]!.json as { attachments: { content: unknown }[] };
  const refreshed = await t.app.inject({
    method: 'POST',
    url: '/api/v1/integrations/teams/messages',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ms.token()}` },
    payload: {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: 'f:refresh',
      channelId: 'msteams',
      serviceUrl: `${ms.base}/`,
      from: { id: `29:${LEE}`, aadObjectId: LEE },
      recipient: { id: `28:${TEAMS_APP_ID}` },
      conversation: { id: CONVERSATION, conversationType: 'channel', tenantId: TEAMS_TENANT },
      value: {
        action: {
          type: 'Action.Execute',
          verb: 'refresh',
          data: {
            changeId: Number(String(change.id).replace(/^CHG-/, '')),
            round: 1,
            version: change.version,
          },
        },
      },
    },
  });
  const cards = {
    'teams-bot-channel.png': posted.attachments[0]!.content,
    'teams-bot-approver.png': refreshed.json<{ value: unknown }>().value,
  };
  const page = await browser.newPage({
    viewport: { width: 560, height: 400 },
    deviceScaleFactor: 2,
  });
  for (const [file, card] of Object.entries(cards)) {
    await page.setContent(
      '<!doctype html><html><body style="margin:0;padding:16px;background:#f5f5f5;font-family:Segoe UI,Helvetica,Arial,sans-serif"><div id="card" style="background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2);padding:4px;width:500px"></div></body></html>',
    );
    await page.addScriptTag({ path: ADAPTIVE_CARDS });
    await page.evaluate(
      `(() => {
        const card = new AdaptiveCards.AdaptiveCard();
        card.parse(${JSON.stringify(card)});
        document.getElementById('card').appendChild(card.render());
      })()`,
    );
    await page.locator('#card').screenshot({ path: `${OUT}${file}` });
  }
  console.log(
    `wrote ${Object.keys(cards)
      .map((f) => `docs/screenshots/${f}`)
      .join(' and ')}`,
  );
} finally {
  await browser.close();
  await t.close();
  await ms.close();
}
