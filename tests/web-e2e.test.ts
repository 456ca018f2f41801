import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSignInLink, signInUrl } from '../src/app/sign-in.js';
import { ManualClock } from '../src/shared/clock.js';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import {
  buildWebApp,
  freePort,
  hasChromium,
  openBrowser,
  type BrowserPages,
  warnNoChromium,
} from './_util/browser.js';
import { sqlite } from './_util/databases.js';
import { startSmtpServer, type MailReceiver } from './_util/receivers.js';

if (!hasChromium) warnNoChromium();

/**
 * The page's globals, for callbacks that run in the page (page.evaluate): the
 * tests are type-checked without the DOM library, and a callback cannot use
 * anything from this file but types.
 */
interface CardElement {
  dataset: { changeId?: string };
}

interface PageGlobals {
  document: { activeElement: unknown };
  notReloaded?: boolean;
}

// .ci/run installs Chromium: in CI a missing browser is a failure, never a silent skip.
describe.runIf(!hasChromium && process.env.CI === 'true')('the browser tests in CI', () => {
  it('have Chromium', () => {
    expect.fail('no Chromium at /usr/bin/chromium: .ci/run should have installed it');
  });
});

/**
 * The "Done means", in a real headless Chromium against a real server:
 * sign in, create and submit through the form (fixing a validation error
 * inline), approve from a second browser under "Waiting on me", watch the
 * requester's board move the card live, a third person without the button
 * gets 403 from the API, and a request without the CSRF token is refused.
 */
describe.skipIf(!hasChromium)('the web app in Chromium', () => {
  let t: TestApp;
  let url: string;
  let webRoot: string;
  let browser: BrowserPages;
  let smtp: MailReceiver;

  beforeAll(async () => {
    const port = await freePort();
    [webRoot, browser, smtp] = await Promise.all([buildWebApp(), openBrowser(), startSmtpServer()]);
    t = await startTestApp(sqlite, {
      // Cookies expire by the browser's clock, so the server's must be today too.
      clock: new ManualClock(new Date()),
      env: { PUBLIC_URL: `http://127.0.0.1:${port}`, SMTP_URL: smtp.url },
      server: { webRoot },
    });
    url = await t.listen(port);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await smtp?.close();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  const newPage = () => browser.newPage({ timezoneId: 'UTC', locale: 'en-GB' });

  /** Signing in with a link, as `npm start` prints them in demo mode. */
  async function signInWithLink(page: Page, person: string): Promise<void> {
    await page.goto(signInUrl(url, await createSignInLink(t.ctx, person)));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'All changes' }).waitFor();
  }

  async function apiFromPage(
    page: Page,
    path: string,
    options: { csrf: boolean; body?: unknown },
  ): Promise<{ status: number; code: string | undefined }> {
    return page.evaluate(
      async ({ path, csrf, body }) => {
        const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
        const res = await fetch(`/api/v1${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(csrf ? { 'x-csrf-token': session.csrfToken } : {}),
          },
          body: JSON.stringify(body ?? {}),
        });
        const json = (await res.json()) as { error?: { code: string } };
        return { status: res.status, code: json.error?.code };
      },
      { path, csrf: options.csrf, body: options.body },
    );
  }

  let changeId: string;
  let requester: Page;

  it('a requester signs in with an e-mailed link and submits a change through the form', async () => {
    requester = await newPage();
    await requester.goto(url);
    await requester.getByLabel('Work e-mail').fill('priya@example.com');
    await requester.getByRole('button', { name: 'E-mail me a sign-in link' }).click();
    await requester.getByText('Check your inbox').waitFor();
    await t.ctx.dispatcher.runOnce();
    const [mail] = await smtp.waitFor(1);
    const link = /(http:\/\/\S+#token=[\w-]+)/.exec(mail!.text!)![1]!;
    await requester.goto(link);
    await requester.getByRole('button', { name: 'Sign in' }).click();
    await requester.getByRole('heading', { level: 1, name: 'All changes' }).waitFor();

    await requester.getByRole('link', { name: 'New change' }).click();
    await requester.getByRole('heading', { level: 1, name: 'New change' }).waitFor();
    await requester.getByLabel('Title').fill('Raise payment retry limit');
    await requester.getByLabel('Description').fill('Raise the **retry limit** from 3 to 5.');
    await requester.getByRole('checkbox', { name: /Payments API/ }).check();
    await requester.getByLabel('Planned start').fill('2026-12-01T10:00');
    await requester.getByLabel('Planned end').fill('2026-12-01T10:30');
    const tested = requester.getByRole('group', { name: /Has this change been tested/ });
    await tested.getByRole('radio', { name: 'Yes' }).check();

    // A wrong answer is flagged as soon as the field is left, in the server's words.
    const results = requester.getByLabel(/Where are the test results/);
    await results.fill('see the CI run');
    await results.blur();
    const urlError = requester.getByText('must be an http(s) URL');
    await urlError.waitFor();
    expect(await results.getAttribute('aria-invalid')).toBe('true');
    await results.fill('https://ci.example.com/run/9');
    await urlError.waitFor({ state: 'detached' });

    await requester.getByLabel(/consequence of not releasing/).fill('Card payments keep failing');
    await requester
      .getByRole('group', { name: /^Risk/ })
      .getByRole('radio', { name: 'low' })
      .check();

    // Submitting without a required answer lists it, and the field says what is missing.
    await requester.getByRole('button', { name: 'Submit for approval' }).click();
    const summary = requester.getByRole('alert').filter({ hasText: 'One thing to fix' });
    await summary.waitFor();
    // Said once, in words: the question, then what is wrong with its answer.
    expect(await summary.getByRole('link').allTextContents()).toEqual([
      'How do we roll it back? — needs an answer',
    ]);
    await summary.getByRole('link', { name: /How do we roll it back/ }).click();
    const rollback = requester.getByLabel(/How do we roll it back/);
    expect(
      await rollback.evaluate(
        (el) => el === (globalThis as unknown as PageGlobals).document.activeElement,
      ),
    ).toBe(true);
    await rollback.fill('Revert the config change');
    await summary.waitFor({ state: 'detached' });

    await requester.getByRole('button', { name: 'Submit for approval' }).click();
    await requester.waitForURL(/\/changes\/CHG-\d+$/);
    changeId = /CHG-\d+/.exec(requester.url())![0];
    await requester.getByRole('heading', { level: 1, name: 'Raise payment retry limit' }).waitFor();
    await requester.locator('.badge', { hasText: 'Pending' }).waitFor();
    // The description is rendered Markdown.
    await requester.locator('.prose strong', { hasText: 'retry limit' }).waitFor();
    // Times say their zone: the viewer's, and Priya's own (Asia/Kolkata) where it differs.
    await requester.getByText('Tue 1 Dec, 10:00 – 10:30 UTC').waitFor();
    await requester.getByText('Priya Shah’s time: Tue 1 Dec, 15:30 – 16:00 GMT+5:30').waitFor();

    const stored = (await t.call('kim', 'GET', `/changes/${changeId}`)).body;
    expect(stored).toMatchObject({
      state: 'pending',
      requester: 'priya',
      services: ['payments'],
      plannedStart: '2026-12-01T10:00:00.000Z',
      answers: { tested: true, testResults: 'https://ci.example.com/run/9', risk: 'low' },
    });

    // Back on the board, which stays open for the rest of the test.
    await requester.getByRole('link', { name: 'Board', exact: true }).click();
    const card = requester.locator(`[data-column="pending"] [data-change-id="${changeId}"]`);
    await card.waitFor();
    // Service names, not ids, and the window with its zone.
    await card.getByText('Payments API').waitFor();
    await card.getByText('Tue 1 Dec, 10:00 – 10:30 UTC').waitFor();
    await card.getByText('Waiting for Lee Wong', { exact: true }).waitFor();
    await requester.getByText('Live', { exact: true }).waitFor();
  });

  it('a third person sees no approve button, and the API answers 403', async () => {
    const third = await newPage();
    await signInWithLink(third, 'tom');
    await third.goto(`${url}/changes/${changeId}`);
    await third.getByRole('heading', { level: 1, name: 'Raise payment retry limit' }).waitFor();
    await third.getByRole('button', { name: 'Comment' }).waitFor();
    expect(await third.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await third.getByRole('button', { name: 'Reject' }).count()).toBe(0);
    const res = await apiFromPage(third, `/changes/${changeId}/approve`, { csrf: true });
    expect(res).toEqual({ status: 403, code: 'forbidden' });
  });

  it('a state-changing request without the CSRF token is refused', async () => {
    const refused = await apiFromPage(requester, `/changes/${changeId}/comments`, {
      csrf: false,
      body: { body: 'no token' },
    });
    expect(refused).toEqual({ status: 403, code: 'csrf_rejected' });
    const accepted = await apiFromPage(requester, `/changes/${changeId}/comments`, {
      csrf: true,
      body: { body: 'with the token' },
    });
    expect(accepted.status).toBe(201);
  });

  it('an approver approves from "Waiting on me", and the requester’s board moves the card live', async () => {
    // Marks this page: a reload would lose the mark.
    await requester.evaluate(() => {
      (globalThis as unknown as PageGlobals).notReloaded = true;
    });

    const approver = await newPage();
    await signInWithLink(approver, 'lee');
    await approver.getByRole('link', { name: 'Waiting on me' }).click();
    await approver.getByRole('heading', { level: 1, name: 'Waiting on me' }).waitFor();
    const card = approver.locator(`[data-column="waiting"] [data-change-id="${changeId}"]`);
    await card.getByRole('link', { name: 'Raise payment retry limit' }).click();
    await approver.getByRole('heading', { level: 1, name: 'Raise payment retry limit' }).waitFor();
    // Who must decide, by name, and why the policy asks for it.
    await approver.getByText('Lee Wong must approve').waitFor();
    await approver.getByText('payments-owners: touches Payments API').waitFor();
    await approver.getByRole('button', { name: 'Approve' }).click();
    const panel = approver.getByRole('form', { name: `Approve ${changeId}` });
    await panel.getByLabel(/Comment/).fill('Limit matches the provider’s guidance');
    await panel.getByRole('button', { name: 'Approve' }).click();
    await approver.locator('.badge', { hasText: 'Approved' }).waitFor();
    await approver
      .getByRole('status')
      .getByText(`You approved ${changeId}. It is approved now.`)
      .waitFor();
    await approver.getByText('Limit matches the provider’s guidance').waitFor();

    await requester.locator(`[data-column="approved"] [data-change-id="${changeId}"]`).waitFor();
    await requester
      .locator(`[data-column="pending"] [data-change-id="${changeId}"]`)
      .waitFor({ state: 'detached' });
    expect(await requester.evaluate(() => (globalThis as unknown as PageGlobals).notReloaded)).toBe(
      true,
    );
    expect(browser.pageErrors).toEqual([]);
  });
  it('the Approved column lists planned work in the order it happens, not by activity', async () => {
    const day = 24 * 3_600_000;
    const plannedIn = async (days: number) => {
      const start = new Date(Date.now() + days * day);
      const change = await submittedChange(t, 'priya', {
        title: `Rotate certificates in ${days} days`,
        type: 'standard',
        template: 'rotate-tls-cert',
        plannedStart: start.toISOString(),
        plannedEnd: new Date(start.getTime() + 3_600_000).toISOString(),
      });
      expect(change.state).toBe('approved');
      return change.id as string;
    };
    // The later one is created last, so newest first would put it on top.
    const sooner = await plannedIn(2);
    const later = await plannedIn(3);
    const page = await newPage();
    await signInWithLink(page, 'kim');
    const column = page.locator('[data-column="approved"]');
    await column.locator(`[data-change-id="${later}"]`).waitFor();
    const order = await column
      .locator('[data-change-id]')
      .evaluateAll((cards) =>
        cards.map((card) => (card as unknown as CardElement).dataset.changeId),
      );
    expect(order.indexOf(sooner)).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(sooner)).toBeLessThan(order.indexOf(later));
    expect(browser.pageErrors).toEqual([]);
  });

  it('someone says they are away, and their deputy approves for them from the web app', async () => {
    const sam = await newPage();
    await signInWithLink(sam, 'sam');
    await sam.getByRole('button', { name: /Sam Rivera/ }).click();
    const form = sam.getByRole('form', { name: 'I’m away' });
    const back = new Date(Date.now() + 14 * 24 * 3_600_000).toISOString().slice(0, 10);
    await form.getByLabel('Back on').fill(back);
    await expect.poll(() => form.getByLabel('Who decides for you').inputValue()).toBe('');
    await form.getByText('Your deputy, Kim Park').waitFor({ state: 'attached' });
    await form.getByLabel('Note').fill('Conference');
    await form.getByRole('button', { name: 'I’m away' }).click();
    await sam.getByRole('button', { name: /Sam Rivera\s*Away/ }).waitFor();
    await sam
      .getByLabel('Who is away')
      .getByText(/Sam Rivera until/)
      .waitFor();

    const change = await submittedChange(t, 'priya', {
      title: 'Hotfix the payment timeout',
      type: 'emergency',
      answers: {
        tested: true,
        testResults: 'https://ci.example.com/run/10',
        consequenceOfNotReleasing: 'Payments time out',
        rollbackPlan: 'Revert',
        risk: 'high',
      },
    });
    const kim = await newPage();
    await signInWithLink(kim, 'kim');
    await kim.getByLabel('Who is away').getByText('(Kim Park decides)').waitFor();
    await kim.goto(`${url}/changes/${change.id as string}`);
    await kim.getByRole('heading', { level: 1, name: 'Hotfix the payment timeout' }).waitFor();
    await kim.getByRole('button', { name: 'Approve' }).click();
    const panel = kim.getByRole('form', { name: `Approve ${change.id as string}` });
    expect(await panel.getByLabel('Whose decision').inputValue()).toBe('sam');
    await panel.getByText('For Sam Rivera (away; you stand in)').waitFor({ state: 'attached' });
    await panel.getByRole('button', { name: 'Approve' }).click();
    await kim.getByText('Approved by Kim Park, for Sam Rivera').waitFor();
    await kim
      .getByRole('listitem')
      .filter({ hasText: 'Kim Park, for Sam Rivera approved' })
      .waitFor();

    await sam.getByRole('button', { name: /Sam Rivera/ }).click();
    await sam.getByText('Kim Park decides for you meanwhile.').waitFor();
    await sam.getByRole('button', { name: 'I’m back' }).click();
    await sam.getByRole('button', { name: 'Sam Rivera', exact: true }).waitFor();
    expect(browser.pageErrors).toEqual([]);
  });

  it('a supplier decides from the link e-mailed to them, on a phone, without signing in', async () => {
    const change = await submittedChange(t, 'priya', {
      title: 'Raise the CDN cache TTL',
      services: ['edge'],
    });
    // Olu's e-mail waits for Olu's working hours: send it now, as the demo inbox would.
    const [invitation] = (
      await t.ctx.store.read.outbox.list({ changeId: Number(change.number), limit: 50 })
    ).filter((m) => m.target === 'olu');
    await t.ctx.store.direct.outbox.sendNow(invitation!.id, t.clock.now().toISOString());
    let mail: Awaited<ReturnType<typeof smtp.waitFor>>[number] | undefined;
    await expect
      .poll(async () => {
        await t.ctx.dispatcher.runOnce();
        mail = smtp.messages.find(
          (m) => m.subject?.includes(change.id as string) && m.text?.includes('/external/'),
        );
        return mail !== undefined;
      })
      .toBe(true);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/external\/cbx_[\w-]+)/.exec(mail!.text!)![1]!;
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'en-GB' });
    await phone.goto(link);
    await phone
      .getByRole('heading', { level: 1, name: `${change.id as string}: Raise the CDN cache TTL` })
      .waitFor();
    await phone.getByText('your decision counts here').waitFor();
    expect(await phone.locator('a[href*="/changes/"]').count()).toBe(0);
    const form = phone.getByRole('form', { name: 'Your decision' });
    await form.getByRole('button', { name: 'Reject' }).click();
    await phone.getByRole('alert').getByText('Say why you reject it').waitFor();
    await phone.getByLabel(/Comment/).fill('Acme agrees; go ahead');
    await phone
      .getByRole('form', { name: 'Your decision' })
      .getByRole('button', { name: `Approve ${change.id as string}` })
      .click();
    await phone
      .getByRole('status')
      .getByText(`You approved ${change.id as string}`)
      .waitFor();
    const after = await t.call('priya', 'GET', `/changes/${change.id as string}`);
    // Approved by its approvers, the edge change still waits for the supplier's CAB (hold).
    expect(after.body.state).toBe('pending');
    expect(after.body.heldBy).toEqual([expect.objectContaining({ meeting: 'Acme Hosting CAB' })]);
    expect(after.body.decisions[0]).toMatchObject({ person: 'olu', via: 'external-link' });

    await phone.goto(link);
    await phone.getByRole('heading', { name: 'This link cannot be used' }).waitFor();
    expect(browser.pageErrors).toEqual([]);
  });

  it('anyone subscribes to the calendar from a calendar app with a link of their own', async () => {
    const page = await newPage();
    await signInWithLink(page, 'ana');
    await page.goto(`${url}/calendar?service=payments`);
    await page.getByRole('button', { name: 'Subscribe in a calendar app' }).click();
    const field = page.getByRole('region', { name: 'Calendar link' }).getByRole('textbox');
    await field.waitFor();
    const link = await field.inputValue();
    expect(link).toMatch(/\/api\/v1\/calendar\.ics\?feed=cbcal_[\w-]+&service=payments$/);

    // A calendar app has no session: the link alone opens the feed.
    const feed = await fetch(link);
    expect(feed.status).toBe(200);
    expect(await feed.text()).toContain('BEGIN:VCALENDAR');

    await page.getByRole('button', { name: 'Get a new link' }).click();
    await expect.poll(() => field.inputValue()).not.toBe(link);
    expect((await fetch(link)).status).toBe(401);
    expect((await fetch(await field.inputValue())).status).toBe(200);
    expect(browser.pageErrors).toEqual([]);
  });
});
