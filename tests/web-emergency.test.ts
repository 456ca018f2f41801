import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submittedChange } from './_util/app.js';
import { startBrowserApp, type BrowserApp } from './_util/browser-app.js';
import { hasChromium, warnNoChromium } from './_util/browser.js';

if (!hasChromium) warnNoChromium();

const MINUTE = 60_000;

/**
 * The seed's emergency, in Chromium against a real server: Priya raises it,
 * the on-call lead (Lee) approves and she starts the fix at once, security and
 * the CTO approve while it is under way, she completes it, the page asks for
 * the review (its form made from the policy's review questions), she files it,
 * verifies the change, and the clock says "Created → verified in 27 min".
 */
describe.skipIf(!hasChromium)('an emergency in the web app, in Chromium', () => {
  let w: BrowserApp;
  beforeAll(async () => {
    w = await startBrowserApp();
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  const act = (who: string, id: string, action: string) =>
    w.t.call(who, 'POST', `/changes/${id}/${action}`, {});

  it('starts early, takes the other approvals during the fix, and is verified once reviewed', async () => {
    const change = await submittedChange(w.t, 'priya', {
      title: 'Hotfix checkout timeouts',
      type: 'emergency',
      plannedStart: null,
      plannedEnd: null,
    });
    w.t.clock.advance(4 * MINUTE);
    expect((await act('lee', change.id, 'approve')).status).toBe(200);
    w.t.clock.advance(MINUTE);

    const priya = await w.newPage();
    await w.signIn(priya, 'priya');
    await priya.goto(`${w.url}/changes/${change.id}`);
    await priya.getByRole('heading', { level: 1, name: 'Hotfix checkout timeouts' }).waitFor();
    await priya.getByRole('button', { name: 'Start' }).click();
    const start = priya.getByRole('form', { name: `Start ${change.id}` });
    await start.getByRole('button', { name: 'Start implementing' }).click();
    await priya.locator('.badge', { hasText: 'In progress' }).waitFor();
    await priya
      .getByRole('note')
      .filter({ hasText: 'Started early: still waiting for security, cto' })
      .getByText('The change cannot be verified until they are in.', { exact: false })
      .waitFor();

    // Security and the CTO decide while the fix is under way.
    w.t.clock.advance(4 * MINUTE);
    expect((await act('tom', change.id, 'approve')).status).toBe(200);
    w.t.clock.advance(3 * MINUTE);
    expect((await act('sam', change.id, 'approve')).status).toBe(200);
    w.t.clock.advance(8 * MINUTE);
    await priya.reload();
    await priya.getByRole('button', { name: 'Complete' }).click();
    await priya
      .getByRole('form', { name: `Complete ${change.id}` })
      .getByRole('button', { name: 'Mark complete' })
      .click();
    await priya.locator('.badge', { hasText: 'Completed' }).waitFor();

    // The review the emergency owes: due in two days, its questions from the policy.
    const review = priya.getByRole('region', { name: 'Post-implementation review' });
    await review
      .getByText(/^Due in 2 days\. The change cannot be verified until it is filed\.$/)
      .waitFor();
    const form = review.getByRole('form', { name: 'File the review' });
    await form.getByRole('button', { name: 'File the review' }).click();
    const whatHappened = form.getByLabel(/What happened, and how did we find out\?/);
    await form.getByText('needs an answer').waitFor();
    // The first question to fix has the focus.
    await whatHappened.locator(':scope:focus').waitFor();
    await whatHappened.fill('Checkout timed out under load; the on-call alert paged Lee');
    await form.getByLabel(/Follow-up actions/).fill('https://tracker.example.com/OPS-12');
    w.t.clock.advance(5 * MINUTE);
    await form.getByRole('button', { name: 'File the review' }).click();
    await review.getByText(/^Filed by Priya Shah/).waitFor();
    await review.getByText('Checkout timed out under load; the on-call alert paged Lee').waitFor();
    await priya
      .getByText('Priya Shah filed the post-implementation review', { exact: false })
      .waitFor();

    w.t.clock.advance(2 * MINUTE);
    await priya.getByRole('button', { name: 'Verify' }).click();
    await priya
      .getByRole('form', { name: `Verify ${change.id}` })
      .getByRole('button', { name: 'Verify' })
      .click();
    await priya.locator('.badge', { hasText: 'Verified' }).waitFor();
    const clock = priya.getByRole('region', { name: 'Clock' });
    await clock.getByText('Created → verified in 27 min').waitFor();
    await clock
      .getByText('on-call-leads approved after 4 min, security after 9 min, cto after 12 min')
      .waitFor();
    await clock.getByText('started 5 min after the request').waitFor();
  });

  it('lists the reviews owed on the board', async () => {
    const change = await submittedChange(w.t, 'priya', {
      title: 'Roll back the cache change',
      type: 'emergency',
      plannedStart: null,
      plannedEnd: null,
    });
    await act('ana', change.id, 'approve');
    await act('priya', change.id, 'start');
    await act('priya', change.id, 'fail');

    const priya = await w.newPage();
    await w.signIn(priya, 'priya');
    await priya.getByRole('checkbox', { name: 'Review due' }).check();
    await priya.waitForURL(/reviewDue=true/);
    const card = priya.locator(`[data-change-id="${change.id}"]`);
    await card.getByText('Review due', { exact: true }).waitFor();
    // The first test's change was reviewed: it is not listed.
    expect(await priya.getByText('Hotfix checkout timeouts').count()).toBe(0);
  });
});
