import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, getDocumentProxy } from 'unpdf';
import { createSignInLink } from '../src/app/sign-in.js';
import { ManualClock } from '../src/shared/clock.js';
import { completeAnswers, startTestApp, submittedChange, type TestApp } from './_util/app.js';
import {
  freePort,
  hasChromium,
  openBrowser,
  warnNoChromium,
  type BrowserPages,
} from './_util/browser.js';
import { sqlite } from './_util/databases.js';

if (!hasChromium) warnNoChromium();

const MINUTE = 60_000;

/** What the test reads in the page (the tests are type-checked without the DOM's types). */
interface PageGlobals {
  getComputedStyle(element: unknown): { backgroundColor: string };
}

interface EventJson {
  id: number;
  type: string;
  actor: string;
  at: string;
  policyHash: string;
  hash: string;
}

/**
 * The evidence report as an auditor gets it: opened in Chromium by someone
 * signed in (the session cookie, the server's own headers and its
 * Content-Security-Policy), printed to PDF, and the PDF read back: it holds
 * every decision, who gave it and for whom, when, and the hashes.
 */
describe.skipIf(!hasChromium)('the evidence report in Chromium, printed to PDF', () => {
  let t: TestApp;
  let url: string;
  let browser: BrowserPages;
  beforeAll(async () => {
    const port = await freePort();
    // Session cookies expire by the browser's clock, so the server's must be today too.
    t = await startTestApp(sqlite, {
      clock: new ManualClock(new Date()),
      env: { PUBLIC_URL: `http://127.0.0.1:${port}` },
    });
    url = await t.listen(port);
    browser = await openBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const act = async (who: string, id: string, action: string, body?: Record<string, unknown>) => {
    const res = await t.call(who, 'POST', `/changes/${id}/${action}`, body);
    expect(res.status, `${who} ${action}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  };

  it('prints every decision, who gave it, for whom, when, and the hashes', async () => {
    const until = new Date(t.clock.now().getTime() + 7 * 24 * 60 * MINUTE).toISOString();
    expect((await t.call('sam', 'PUT', '/people/sam/absence', { until })).status).toBe(200);
    const change = await submittedChange(t, 'priya', {
      type: 'emergency',
      title: 'Hotfix checkout timeouts <b>now</b>',
      plannedStart: null,
      plannedEnd: null,
      answers: completeAnswers({ risk: 'high' }),
    });
    t.clock.advance(4 * MINUTE);
    await act('lee', change.id, 'approve', { comment: 'Paged in, looks right' });
    await act('priya', change.id, 'start');
    t.clock.advance(4 * MINUTE);
    await act('tom', change.id, 'approve');
    t.clock.advance(3 * MINUTE);
    await act('kim', change.id, 'approve', { comment: 'Covering for Sam' });
    await act('priya', change.id, 'complete');
    await act('priya', change.id, 'review', {
      answers: { whatHappened: 'Checkout timed out under load' },
    });
    await act('priya', change.id, 'verify');
    await t.call('sam', 'DELETE', '/people/sam/absence');
    const events = (await t.call('ana', 'GET', `/changes/${change.id}/events`)).body
      .items as EventJson[];

    // Ana signs in with a link, as the web app does, and opens the report in her browser.
    const page = await browser.newPage({ timezoneId: 'UTC', locale: 'en-GB' });
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const signedIn = await page.request.post(`${url}/api/v1/auth/email/verify`, {
      data: { token: await createSignInLink(t.ctx, 'ana') },
      headers: { origin: url },
    });
    expect(signedIn.status()).toBe(200);
    const response = await page.goto(`${url}/api/v1/changes/${change.id}/evidence`);
    expect(response?.status()).toBe(200);
    await page
      .getByRole('heading', { level: 1, name: `${change.id}: Hotfix checkout timeouts <b>now</b>` })
      .waitFor();
    // The stylesheet applies under the server's Content-Security-Policy: no violation reported.
    const verdict = page.locator('.verdict');
    const background = await verdict.evaluate(
      (el) => (globalThis as unknown as PageGlobals).getComputedStyle(el).backgroundColor,
    );
    expect(background).toBe('rgb(218, 251, 225)');
    expect(consoleErrors).toEqual([]);
    expect(await page.locator('script, img, link, iframe').count()).toBe(0);

    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const document = await getDocumentProxy(new Uint8Array(pdf));
    const { text } = await extractText(document, { mergePages: true });
    // Lines wrap on paper: words are compared with spaces collapsed, hashes and times with none.
    const words = text.replace(/\s+/g, ' ');
    const compact = text.replace(/\s+/g, '');

    expect(words).toContain(`${change.id}: Hotfix checkout timeouts <b>now</b>`);
    expect(words).toContain('Approved by Lee Wong (lee)');
    expect(words).toContain('Approved by Tom Becker (tom)');
    expect(words).toContain('Approved by Kim Park (kim), for Sam Rivera (sam)');
    expect(words).toContain('standing in while Sam Rivera (sam) was away');
    expect(words).toContain('Paged in, looks right');
    expect(words).toContain('Covering for Sam');
    expect(words).toContain('because Emergency (ECAB) changes need it, from different people');
    expect(words).toContain('Checkout timed out under load');
    expect(words).toContain('The history is intact');
    expect(words).toContain('changeboard audit verify');
    for (const decision of events.filter((e) => e.type === 'approval-granted')) {
      expect(compact).toContain(`When${decision.at}`);
      expect(compact).toContain(decision.policyHash);
    }
    for (const event of events) expect(compact).toContain(event.hash);
    expect(browser.pageErrors).toEqual([]);
  });
});
