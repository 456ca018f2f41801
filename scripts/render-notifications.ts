// Renders what approvers really receive, for the README: `npm run screenshots` runs it after
// the app's screenshots. A change is submitted through the real pipeline (policy rules → outbox
// → deliverers) to a local Teams receiver and a real SMTP server; the Adaptive Card that arrives
// is drawn with Microsoft's adaptivecards renderer and the e-mail as it is, in headless Chromium.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { completeAnswers, startTestApp, submittedChange } from '../tests/_util/app.js';
import { hasChromium, launchChromium } from '../tests/_util/browser.js';
import { sqlite } from '../tests/_util/databases.js';
import { startHttpReceiver, startSmtpServer } from '../tests/_util/receivers.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const ADAPTIVE_CARDS = createRequire(import.meta.url).resolve(
  'adaptivecards/dist/adaptivecards.min.js',
);

if (!hasChromium) {
  console.error('render-notifications: /usr/bin/chromium is missing (apt-get install chromium)');
  process.exit(1);
}
mkdirSync(OUT, { recursive: true });
const [teams, smtp] = await Promise.all([startHttpReceiver(), startSmtpServer()]);
const t = await startTestApp(sqlite, {
  env: {
    TEAMS_WEBHOOK_URL: teams.url,
    SMTP_URL: smtp.url,
    ALLOW_PRIVATE_TARGETS: 'true',
    PUBLIC_URL: 'https://changeboard.example.com',
  },
});
const browser = await launchChromium();
try {
  t.clock.set('2026-11-30T15:00:00Z'); // a Monday afternoon: Lee in New York is at work
  await submittedChange(t, 'priya', {
    title: 'Raise payment retry limit from 3 to 5',
    description:
      'Card payments fail on the third retry during provider brown-outs. The provider recommends 5.',
    answers: completeAnswers({ risk: 'high' }),
    plannedStart: '2026-12-01T10:00:00Z',
    plannedEnd: '2026-12-01T10:30:00Z',
  });
  await t.ctx.dispatcher.runOnce();
  const [mail] = await smtp.waitFor(1);
  const card = (teams.requests[0]!.json as { attachments: { content: unknown }[] }).attachments[0]!
    .content;

  const page = await browser.newPage({
    viewport: { width: 560, height: 400 },
    deviceScaleFactor: 2,
  });
  await page.setContent(
    '<!doctype html><html><body style="margin:0;padding:16px;background:#f5f5f5;font-family:Segoe UI,Helvetica,Arial,sans-serif"><div id="card" style="background:#fff;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2);padding:4px;width:500px"></div></body></html>',
  );
  await page.addScriptTag({ path: ADAPTIVE_CARDS });
  // Runs in the page (no DOM types here): Microsoft's renderer draws the card as Teams would.
  await page.evaluate(
    `(() => {
      const card = new AdaptiveCards.AdaptiveCard();
      card.parse(${JSON.stringify(card)});
      document.getElementById('card').appendChild(card.render());
    })()`,
  );
  await page.locator('#card').screenshot({ path: `${OUT}teams-card.png` });

  await page.setViewportSize({ width: 720, height: 900 });
  await page.setContent(String(mail!.html));
  await page.screenshot({ path: `${OUT}approval-email.png`, fullPage: true });
  console.log('wrote docs/screenshots/teams-card.png and docs/screenshots/approval-email.png');
} finally {
  await browser.close();
  await t.close();
  await teams.close();
  await smtp.close();
}
