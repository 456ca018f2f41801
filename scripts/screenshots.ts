// Takes the README's screenshots (docs/screenshots/*.png) of the real app in headless Chromium:
// `npm run screenshots`. Seeds a few changes through the API, signs in with a link, and shoots
// the board, the change page, the form and the calendar, on a laptop and a phone.
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { scheduledMessages } from '../src/app/demo-inbox.js';
import { seedDemoHistory } from '../src/cli/demo/seed-history.js';
import { mintExternalLink } from '../src/app/external-links.js';
import { createSignInLink, signInUrl } from '../src/app/sign-in.js';
import { ManualClock } from '../src/shared/clock.js';
import { completeAnswers, startTestApp, type TestApp } from '../tests/_util/app.js';
import {
  EDGE_TEMPLATE,
  EDGE_TEMPLATE_POLICY,
  TLS_TEMPLATE,
} from '../tests/_util/standard-changes.js';
import { buildWebApp, freePort, hasChromium, launchChromium } from '../tests/_util/browser.js';
import { sqlite } from '../tests/_util/databases.js';

const OUT = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

/** Monday of next week, 00:00 UTC: the seeded changes are planned in that week. */
function nextMonday(): Date {
  const now = new Date();
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  day.setUTCDate(day.getUTCDate() + ((8 - day.getUTCDay()) % 7 || 7));
  return day;
}

async function seed(t: TestApp, monday: Date): Promise<Record<string, string>> {
  const at = (dayOffset: number, hour: number, minute = 0) =>
    new Date(monday.getTime() + ((dayOffset * 24 + hour) * 60 + minute) * 60_000).toISOString();
  const ids: Record<string, string> = {};
  const create = async (
    key: string,
    person: string,
    body: Record<string, unknown>,
    submit = true,
  ) => {
    const created = await t.call(person, 'POST', '/changes', body);
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    ids[key] = (created.body as { id: string }).id;
    if (submit) await t.call(person, 'POST', `/changes/${ids[key]}/submit`, {});
  };
  await create('retry', 'priya', {
    title: 'Raise payment retry limit from 3 to 5',
    description:
      'Card payments that fail with a **gateway timeout** are retried 3 times today; the provider recommends 5.\n\n- configuration only, no code change\n- watch `payment_retry_total` on the payments dashboard\n- rollback: set `RETRY_LIMIT=3` and redeploy',
    type: 'normal',
    services: ['payments'],
    answers: completeAnswers({ risk: 'high' }),
    plannedStart: at(1, 10),
    plannedEnd: at(1, 10, 30),
    links: [
      { title: 'PR #812', url: 'https://github.com/example-corp/payments-api/pull/812' },
      { title: 'Provider guidance', url: 'https://docs.example.com/retries' },
    ],
  });
  await create('keys', 'priya', {
    title: 'Rotate payment provider API keys',
    description: 'Quarterly key rotation, following the runbook.',
    type: 'normal',
    services: ['payments'],
    answers: completeAnswers({ risk: 'medium' }),
    plannedStart: at(1, 10, 15),
    plannedEnd: at(1, 11),
  });
  await t.call('lee', 'POST', `/changes/${ids.keys}/approve`, { comment: 'Runbook checked.' });
  await create('copy', 'ana', {
    title: 'New pricing page copy',
    type: 'standard',
    template: TLS_TEMPLATE,
    services: ['website'],
    answers: completeAnswers(),
    plannedStart: at(2, 9),
    plannedEnd: at(2, 9, 15),
  });
  await create('tls', 'ana', {
    title: 'Drop TLS 1.0 and 1.1 on the CDN',
    type: 'normal',
    services: ['website'],
    answers: completeAnswers({ risk: 'medium' }),
    plannedStart: at(3, 14),
    plannedEnd: at(3, 15),
  });
  await create('queue', 'priya', {
    title: 'Move payment webhooks to the new queue',
    type: 'normal',
    services: ['payments'],
    answers: completeAnswers(),
    plannedStart: at(0, 8),
    plannedEnd: at(0, 9),
  });
  await t.call('lee', 'POST', `/changes/${ids.queue}/approve`, {});
  await t.call('priya', 'POST', `/changes/${ids.queue}/start`, {});
  await create('db', 'lee', {
    title: 'PostgreSQL minor version upgrade',
    type: 'normal',
    services: ['payments'],
    answers: completeAnswers(),
    plannedStart: at(4, 7),
    plannedEnd: at(4, 8),
  });
  await create('cache', 'ana', {
    title: 'Purge the image cache after the logo change',
    type: 'standard',
    template: TLS_TEMPLATE,
    services: ['website'],
    answers: completeAnswers(),
    plannedStart: at(-3, 16),
    plannedEnd: at(-3, 16, 10),
  });
  await t.call('ana', 'POST', `/changes/${ids.cache}/start`, {});
  await t.call('ana', 'POST', `/changes/${ids.cache}/complete`, { comment: 'Done at 16:07' });
  await t.call('priya', 'POST', `/changes/${ids.retry}/comments`, {
    body: 'Load test results are attached to the PR: p99 latency unchanged.',
  });
  return ids;
}

async function main(): Promise<void> {
  if (!hasChromium)
    throw new Error('no Chromium at /usr/bin/chromium: apt-get install -y chromium');
  mkdirSync(OUT, { recursive: true });
  const [webRoot, browser] = await Promise.all([buildWebApp(), launchChromium()]);
  // `npm run screenshots -- --only insights`: the insights page alone.
  if (process.argv.includes('--only') && process.argv.includes('insights')) {
    try {
      await shootInsights(browser, webRoot);
    } finally {
      await browser.close();
      rmSync(webRoot, { recursive: true, force: true });
    }
    return;
  }
  await shootInsights(browser, webRoot);
  const port = await freePort();
  // Demo mode, as `npm start` runs it: the sign-in page offers the example's people and
  // every message goes to the demo inbox.
  const t = await startTestApp(sqlite, {
    // The example's catalog, and a standard change for edge that only the supplier's CAB holds.
    policy: EDGE_TEMPLATE_POLICY,
    demo: true,
    clock: new ManualClock(new Date()),
    env: { PUBLIC_URL: `http://127.0.0.1:${port}` },
    server: { webRoot },
  });
  const url = await t.listen(port);
  try {
    const monday = nextMonday();
    const ids = await seed(t, monday);
    // Sam is away (Kim, the deputy, decides meanwhile), and Acme Hosting is asked about an edge change.
    await t.call('sam', 'PUT', '/people/sam/absence', {
      until: new Date(monday.getTime() + 14 * 24 * 3_600_000).toISOString(),
      note: 'Conference',
    });
    const cdn = await t.call('ana', 'POST', '/changes', {
      title: 'Raise the CDN cache TTL for images',
      description: 'Images change rarely; a longer TTL cuts origin traffic by half.',
      type: 'normal',
      services: ['edge'],
      answers: completeAnswers({ risk: 'low' }),
      plannedStart: new Date(monday.getTime() + (3 * 24 + 14) * 3_600_000).toISOString(),
      plannedEnd: new Date(monday.getTime() + (3 * 24 + 15) * 3_600_000).toISOString(),
    });
    const cdnId = (cdn.body as { id: string }).id;
    await t.call('ana', 'POST', `/changes/${cdnId}/submit`, {});
    const { context, page } = await signedIn(browser, t, url, 'lee');
    await settle(page);
    await page.screenshot({ path: `${OUT}board.png` });

    await page.goto(`${url}/changes/${ids.retry}`);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Load test results').waitFor();
    await settle(page);
    await page.screenshot({ path: `${OUT}change-page.png`, fullPage: true });

    await page.goto(`${url}/changes/new`);
    await page.getByLabel('Title').fill('Enable 3-D Secure v2 for EU cards');
    await page.getByLabel('Description').fill('Required by PSD2 from 1 January.');
    await page.getByRole('checkbox', { name: /Payments API/ }).check();
    await page
      .getByRole('group', { name: /Has this change been tested/ })
      .getByRole('radio', { name: 'Yes' })
      .check();
    const results = page.getByLabel(/Where are the test results/);
    await results.fill('the staging run');
    await results.blur();
    await page.getByText('must be an http(s) URL').waitFor();
    await page.setViewportSize({ width: 1440, height: 1560 });
    await page.evaluate('window.scrollTo(0, 0)');
    await settle(page);
    await page.screenshot({ path: `${OUT}change-form.png` });
    await page.setViewportSize({ width: 1440, height: 900 });

    await page.goto(`${url}/calendar?week=${monday.toISOString().slice(0, 10)}`);
    await page.getByText(/CHG-\d+ Raise payment retry limit/).waitFor();
    await settle(page);
    await page.screenshot({ path: `${OUT}calendar.png` });

    // Sent now, as with the inbox's "Send now": they would otherwise wait for working hours.
    for (const waiting of await scheduledMessages(t.ctx))
      await t.ctx.store.direct.outbox.sendNow(waiting.id, t.clock.now().toISOString());
    await t.ctx.dispatcher.runOnce();
    await page.goto(`${url}/demo/inbox`);
    await page
      .getByRole('list', { name: 'Messages' })
      .getByRole('button', { name: /Lee Wong.*Your approval is requested/ })
      .first()
      .click();
    const mail = page.frameLocator('iframe[title^="E-mail"]');
    await mail.getByText('Hello Lee Wong,').waitFor();
    await mail.getByRole('link', { name: 'Approve' }).first().waitFor();
    await settle(page);
    await page.screenshot({ path: `${OUT}demo-inbox.png` });

    const visitor = await (
      await browser.newContext({
        viewport: { width: 1440, height: 900 },
        timezoneId: 'UTC',
        locale: 'en-GB',
      })
    ).newPage();
    await visitor.goto(`${url}/sign-in`);
    await visitor.getByRole('heading', { name: 'Sign in as someone of the example' }).waitFor();
    await visitor.screenshot({ path: `${OUT}sign-in.png` });

    const samPage = await context.newPage();
    await samPage.goto(signInUrl(url, await createSignInLink(t.ctx, 'sam')));
    await samPage.getByRole('button', { name: 'Sign in' }).click();
    await samPage.getByRole('heading', { level: 1, name: 'All changes' }).waitFor();
    await samPage.getByRole('button', { name: /Sam Rivera/ }).click();
    await samPage.getByText('Kim Park decides for you meanwhile.').waitFor();
    await settle(samPage);
    await samPage.screenshot({ path: `${OUT}away.png` });

    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      timezoneId: 'UTC',
      locale: 'en-GB',
      isMobile: true,
      hasTouch: true,
    });
    const mobile = await phone.newPage();
    await mobile.goto(signInUrl(url, await createSignInLink(t.ctx, 'lee')));
    await mobile.getByRole('button', { name: 'Sign in' }).click();
    await mobile.getByRole('link', { name: 'Waiting on me' }).click();
    await mobile.getByRole('heading', { level: 1, name: 'Waiting on me' }).waitFor();
    await settle(mobile);
    await mobile.screenshot({ path: `${OUT}board-phone.png` });

    const cdnChange = await t.ctx.store.read.changes.find(Number(cdnId.slice(4)));
    const supplierLink = await mintExternalLink(t.ctx.store.direct, {
      person: 'olu',
      change: cdnChange!,
      now: t.clock.now(),
      ttlMs: t.ctx.policy.externalLinkTtlMs,
    });
    const supplier = await phone.newPage();
    await supplier.goto(`${url}/external/${supplierLink.token}`);
    await supplier.getByRole('heading', { level: 1, name: /Raise the CDN cache TTL/ }).waitFor();
    await supplier.screenshot({ path: `${OUT}supplier-page.png`, fullPage: true });
    await shootAgenda(t, browser, url, monday);
    console.log(`screenshots written to ${OUT}`);
  } finally {
    await browser.close();
    await t.close();
    rmSync(webRoot, { recursive: true, force: true });
  }
}

/** A laptop-sized browser signed in as `person` with a link, on the board. */
async function signedIn(browser: Browser, t: TestApp, url: string, person: string) {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  const page = await context.newPage();
  await page.goto(signInUrl(url, await createSignInLink(t.ctx, person)));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'All changes' }).waitFor();
  return { context, page };
}

/**
 * The insights page over the demo's seeded history (`changeboard demo seed`:
 * twelve weeks of changes through the real use cases), as a team sees it on
 * first start, signed in as Kim, a change manager.
 */
async function shootInsights(browser: Browser, webRoot: string): Promise<void> {
  const port = await freePort();
  const now = new Date();
  const t = await startTestApp(sqlite, {
    demo: true,
    clock: new ManualClock(now),
    env: { PUBLIC_URL: `http://127.0.0.1:${port}` },
    server: { webRoot },
  });
  try {
    await seedDemoHistory({ policy: t.ctx.policy, store: t.ctx.store }, { now });
    t.clock.set(now.toISOString());
    const url = await t.listen(port);
    const { context, page } = await signedIn(browser, t, url, 'kim');
    await page.goto(`${url}/insights`);
    await page.locator('[data-figure="total"]').waitFor();
    await settle(page);
    await page.screenshot({ path: `${OUT}insights.png`, fullPage: true });
    await context.close();
  } finally {
    await t.close();
  }
}

/**
 * The Acme Hosting CAB's agenda as Kim (change managers, an attendee) records
 * outcomes on it: two more edge changes wait, one already went through.
 */
async function shootAgenda(t: TestApp, browser: Browser, url: string, monday: Date): Promise<void> {
  const edge = async (title: string, day: number) => {
    const start = new Date(monday.getTime() + (day * 24 + 22) * 3_600_000);
    const created = await t.call('ana', 'POST', '/changes', {
      title,
      type: 'standard',
      template: EDGE_TEMPLATE,
      services: ['edge'],
      answers: completeAnswers(),
      plannedStart: start.toISOString(),
      plannedEnd: new Date(start.getTime() + 3_600_000).toISOString(),
    });
    const id = (created.body as { id: string }).id;
    await t.call('ana', 'POST', `/changes/${id}/submit`, {});
    return id;
  };
  const purged = await edge('Purge the CDN after the logo change', 1);
  await edge('Enable HTTP/3 at the edge', 2);
  await t.call('kim', 'POST', `/changes/${purged}/discussions`, {
    meeting: 'acme-hosting-cab',
    outcome: 'approve',
    minutes: 'Routine; Acme runs it in their Tuesday window.',
  });
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  const kim = await context.newPage();
  await kim.goto(signInUrl(url, await createSignInLink(t.ctx, 'kim')));
  await kim.getByRole('button', { name: 'Sign in' }).click();
  await kim.getByRole('heading', { level: 1, name: 'All changes' }).waitFor();
  await kim.goto(`${url}/meetings/acme-hosting-cab`);
  await kim.getByRole('heading', { level: 1, name: 'Acme Hosting CAB' }).waitFor();
  await kim
    .getByRole('form', { name: /outcome on/ })
    .first()
    .waitFor();
  await settle(kim);
  await kim.screenshot({ path: `${OUT}meetings.png`, fullPage: true });
}

/** Nothing loading any more: no skeletons, and fonts are ready. */
async function settle(page: Page): Promise<void> {
  // Strings: they run in the page, and this script is type-checked without the DOM library.
  await page.waitForFunction("document.querySelectorAll('.skeleton').length === 0");
  await page.evaluate('document.fonts.ready.then(() => undefined)');
}

await main();
