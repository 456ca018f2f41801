import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import {
  buildWebApp,
  freePort,
  hasChromium,
  openBrowser,
  type BrowserPages,
} from './_util/browser.js';
import { sqlite } from './_util/databases.js';

/**
 * A newcomer's first minutes in demo mode, in Chromium: sign in as someone of the
 * example from the sign-in page, find the approval request in the demo inbox,
 * press Approve in the e-mail and confirm, and see the decision on the change.
 */
describe.skipIf(!hasChromium)('demo mode in Chromium', () => {
  let t: TestApp;
  let url: string;
  let webRoot: string;
  let browser: BrowserPages;

  beforeAll(async () => {
    const port = await freePort();
    [webRoot, browser] = await Promise.all([buildWebApp(), openBrowser()]);
    t = await startTestApp(sqlite, {
      demo: true,
      // Cookies expire by the browser's clock, so the server's must be today too.
      clock: new ManualClock(new Date()),
      env: { PUBLIC_URL: `http://127.0.0.1:${port}` },
      server: { webRoot },
    });
    url = await t.listen(port);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  const newPage = () => browser.newPage();

  it('signs in as someone of the example with one click', async () => {
    const page = await newPage();
    await page.goto(`${url}/sign-in`);
    await page.getByRole('heading', { name: 'Sign in as someone of the example' }).waitFor();
    await page.getByRole('button', { name: /Priya/ }).click();
    await page.getByRole('heading', { level: 1, name: 'All changes' }).waitFor();
    await expect(page.getByRole('link', { name: 'Demo inbox' }).isVisible()).resolves.toBe(true);
  });

  it('approves from the e-mail in the demo inbox', async () => {
    // An emergency is sent at once, whatever the hour: Lee is one of its on-call leads.
    const change = await submittedChange(t, 'priya', { type: 'emergency' });
    await t.ctx.dispatcher.runOnce();

    const lee = await newPage();
    await lee.goto(`${url}/sign-in`);
    await lee.getByRole('link', { name: 'demo inbox' }).first().click();
    await lee.getByRole('heading', { level: 1, name: 'Demo inbox' }).waitFor();
    const messages = lee.getByRole('list', { name: 'Messages' });
    // Another e-mail first: the page shows whichever is open, not the first it showed.
    const mail = lee.frameLocator('iframe[title^="E-mail"]');
    await messages
      .getByRole('button', { name: /Ana Costa/ })
      .first()
      .click();
    await mail.getByText('Hello Ana Costa,').waitFor();
    await messages
      .getByRole('button', { name: /Lee Wong/ })
      .first()
      .click();
    await mail.getByText('Hello Lee Wong,').waitFor();
    await mail.getByText(change.id).first().waitFor();
    await mail.getByRole('link', { name: 'Approve' }).click();

    await lee.getByRole('heading', { name: new RegExp(`Approve ${change.id}`) }).waitFor();
    await lee.getByText('You are deciding as Lee Wong').waitFor();
    await lee.getByRole('button', { name: `Approve ${change.id}` }).click();
    await lee.getByText(`You approved ${change.id}`).waitFor();

    const after = (await t.call('priya', 'GET', `/changes/${change.id}`)).body;
    expect(after.decisions).toEqual([
      expect.objectContaining({ person: 'lee', verdict: 'approve' }),
    ]);
    expect(browser.pageErrors).toEqual([]);
  });

  it('shows the Teams card of the same change', async () => {
    const page = await newPage();
    await page.goto(`${url}/demo/inbox`);
    await page
      .getByRole('button', { name: /change-board/ })
      .first()
      .click();
    await page.getByRole('link', { name: 'Open change' }).waitFor();
    await expect(page.getByText('Requester').first().isVisible()).resolves.toBe(true);
  });
});
