import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeAnswers, submittedChange } from './_util/app.js';
import { startBrowserApp, type BrowserApp } from './_util/browser-app.js';
import { hasChromium, warnNoChromium } from './_util/browser.js';
import { EDGE_TEMPLATE, EDGE_TEMPLATE_POLICY } from './_util/standard-changes.js';

if (!hasChromium) warnNoChromium();

/**
 * The meetings that remain, in Chromium against a real server: Kim (change
 * managers, who attend both of the example's meetings) finds a held edge change
 * on the Acme Hosting CAB's agenda, reads on the change page that it waits for
 * the CAB, records the CAB's approval on the agenda page (after the server
 * refuses a rejection without minutes), and the board's "Needs discussion"
 * filter then lists what meetings still have to discuss, not the approved one.
 */
describe.skipIf(!hasChromium)('meetings in the web app, in Chromium', () => {
  let w: BrowserApp;
  beforeAll(async () => {
    w = await startBrowserApp({ policy: EDGE_TEMPLATE_POLICY });
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  /** A standard (pre-approved) change to edge: only the supplier's CAB holds it. */
  const edgeChange = (title: string) =>
    submittedChange(w.t, 'priya', {
      title,
      type: 'standard',
      template: EDGE_TEMPLATE,
      services: ['edge'],
      answers: completeAnswers(),
    });

  it('an attendee records the CAB’s outcome from its agenda, which releases the hold', async () => {
    const held = await edgeChange('Raise the CDN cache TTL');
    const later = await edgeChange('Enable HTTP/3 at the edge');
    expect(held).toMatchObject({ state: 'pending', heldBy: [{ id: 'acme-hosting-cab' }] });
    const risky = await submittedChange(w.t, 'priya', {
      title: 'Rotate the payments HSM keys',
      answers: completeAnswers({ risk: 'high' }),
    });
    expect(risky.needsDiscussion).toEqual(['Weekly risk review']);

    const kim = await w.newPage();
    await w.signIn(kim, 'kim');
    await kim
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Meetings' })
      .click();
    await kim.getByRole('heading', { level: 1, name: 'Meetings' }).waitFor();
    const cab = kim.getByRole('region', { name: 'Acme Hosting CAB', exact: true });
    await cab.getByText('Thursdays at 14:00 (Europe/London), for 1 hour').waitFor();
    await cab.getByText('Kim Park (you)').waitFor();
    await cab.getByText(/Holds its changes/).waitFor();
    await cab
      .getByRole('heading', { name: /^Next sitting: Thu \d{1,2} \w{3} 14:00 \(Europe\/London\)/ })
      .waitFor();
    // The agenda, oldest first, each change with what the meeting needs to know.
    const items = cab.locator('[data-change-id]');
    await items.first().waitFor();
    const order = await Promise.all(
      (await items.all()).map((element) => element.getAttribute('data-change-id')),
    );
    expect(order).toEqual([held.id, later.id]);
    const item = cab.locator(`[data-change-id="${held.id}"]`);
    await item.getByText('Held', { exact: true }).waitFor();
    await item.getByText('CDN and load balancers (run by Acme Hosting)').waitFor();
    await item.getByText('Priya Shah').waitFor();
    await item.getByText('low risk').waitFor();
    await item.getByText('None needed (pre-approved)').waitFor();
    const review = kim.getByRole('region', { name: 'Weekly risk review', exact: true });
    await review.locator(`[data-change-id="${risky.id}"]`).getByText('high risk').waitFor();
    await review
      .getByText(/Informs/)
      .first()
      .waitFor();

    // The agenda's Markdown and calendar links open with the session cookie alone.
    const markdown = await cab.getByRole('link', { name: 'Markdown' }).getAttribute('href');
    const ics = await cab.getByRole('link', { name: 'Calendar (.ics)' }).getAttribute('href');
    const asMarkdown = await kim.request.get(`${w.url}${markdown!}`);
    expect(asMarkdown.status()).toBe(200);
    expect(await asMarkdown.text()).toContain(`# Agenda: Acme Hosting CAB`);
    const asIcs = await kim.request.get(`${w.url}${ics!}`);
    expect(asIcs.headers()['content-type']).toContain('text/calendar');
    expect(await asIcs.text()).toContain(held.id);

    // The change page says what it waits for, and where its agenda is.
    await item.getByRole('link', { name: 'Raise the CDN cache TTL' }).click();
    await kim.getByRole('heading', { level: 1, name: 'Raise the CDN cache TTL' }).waitFor();
    const notice = kim.getByRole('note').filter({ hasText: 'Waiting for Acme Hosting CAB' });
    await notice
      .getByText(/^Waiting for Acme Hosting CAB on Thu \d{1,2} \w{3} 14:00 \(Europe\/London\)$/)
      .waitFor();
    await notice
      .getByText(
        /cannot be approved before the meeting records its outcome, even though every approval is in/,
      )
      .waitFor();
    await kim.getByRole('button', { name: 'Record the meeting’s outcome' }).waitFor();
    await kim.getByRole('complementary').getByRole('link', { name: 'Acme Hosting CAB' }).click();

    // The agenda page: a rejection needs minutes, in the server's words.
    await kim.getByRole('heading', { level: 1, name: 'Acme Hosting CAB' }).waitFor();
    const form = kim.getByRole('form', { name: `Acme Hosting CAB’s outcome on ${held.id}` });
    await form.getByRole('button', { name: 'Reject' }).click();
    await form.getByRole('alert').getByText('is required to reject').waitFor();
    const minutes = form.getByLabel(/^Minutes/);
    expect(await minutes.getAttribute('aria-invalid')).toBe('true');
    expect((await w.t.call('priya', 'GET', `/changes/${held.id}`)).body.state).toBe('pending');

    await minutes.fill('Fits our change window');
    await form
      .getByLabel(/Link to the meeting’s minutes/)
      .fill('https://wiki.acme-hosting.example/cab');
    await form.getByRole('button', { name: 'Approve' }).click();
    await kim
      .getByRole('status')
      .getByText(`Acme Hosting CAB’s outcome on ${held.id} recorded: approved. It is approved now.`)
      .waitFor();
    const toDiscuss = kim.getByRole('region', { name: /^To discuss/ });
    await toDiscuss.locator(`[data-change-id="${held.id}"]`).waitFor({ state: 'detached' });
    await toDiscuss.locator(`[data-change-id="${later.id}"]`).waitFor();
    const discussed = kim
      .getByRole('region', { name: /^Discussed at this sitting/ })
      .locator(`[data-change-id="${held.id}"]`);
    await discussed.getByText(/^Approved, recorded by Kim Park/).waitFor();
    await discussed.getByText('Fits our change window').waitFor();
    expect((await w.t.call('priya', 'GET', `/changes/${held.id}`)).body).toMatchObject({
      state: 'approved',
      heldBy: [],
      needsDiscussion: [],
    });

    // The change's timeline tells who recorded what for which meeting.
    await discussed.getByRole('link', { name: 'Raise the CDN cache TTL' }).click();
    await kim.locator('.badge', { hasText: 'Approved' }).waitFor();
    await kim.getByText('recorded Acme Hosting CAB’s outcome: approve').waitFor();
    await kim.getByRole('link', { name: 'The meeting’s minutes' }).waitFor();
    expect(await kim.getByRole('note').filter({ hasText: 'Waiting for' }).count()).toBe(0);

    // The board: what meetings still have to discuss, and nothing they have decided.
    await kim.getByRole('link', { name: 'Board', exact: true }).click();
    await kim.getByRole('heading', { level: 1, name: 'All changes' }).waitFor();
    await kim.getByRole('checkbox', { name: 'Needs discussion' }).check();
    await kim.waitForURL(/[?&]needsDiscussion=true/);
    const pending = kim.locator('[data-column="pending"]');
    await pending.locator(`[data-change-id="${risky.id}"]`).getByText('Discuss').waitFor();
    await pending
      .locator(`[data-change-id="${later.id}"]`)
      .getByText('Held for Acme Hosting CAB')
      .waitFor();
    await kim
      .locator('[data-column="approved"]')
      .getByText('No change matches the filters.')
      .waitFor();
    expect(await kim.locator(`[data-change-id="${held.id}"]`).count()).toBe(0);

    // One meeting's agenda on the board, as a link.
    await kim.getByLabel('Meeting').selectOption({ label: 'On Weekly risk review’s agenda' });
    await kim.waitForURL(/[?&]meeting=weekly-risk-review/);
    await pending.locator(`[data-change-id="${later.id}"]`).waitFor({ state: 'detached' });
    await pending.locator(`[data-change-id="${risky.id}"]`).waitFor();
    expect(w.browser.pageErrors).toEqual([]);
  });

  it('someone who does not attend reads the agenda, and records nothing', async () => {
    const change = await edgeChange('Purge the CDN');
    const lee = await w.newPage();
    await w.signIn(lee, 'lee');
    await lee.goto(`${w.url}/meetings/acme-hosting-cab`);
    await lee.getByRole('heading', { level: 1, name: 'Acme Hosting CAB' }).waitFor();
    await lee
      .getByRole('note')
      .getByText(/You do not attend Acme Hosting CAB/)
      .waitFor();
    await lee
      .locator(`[data-change-id="${change.id}"]`)
      .getByText('Held', { exact: true })
      .waitFor();
    expect(await lee.getByRole('form').count()).toBe(0);
    expect(await lee.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    await lee.goto(`${w.url}/changes/${change.id as string}`);
    await lee.getByRole('heading', { level: 1, name: 'Purge the CDN' }).waitFor();
    await lee.getByText(/^Waiting for Acme Hosting CAB on /).waitFor();
    expect(await lee.getByRole('button', { name: 'Record the meeting’s outcome' }).count()).toBe(0);
    expect(w.browser.pageErrors).toEqual([]);
  });
});
