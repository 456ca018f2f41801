import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submittedChange } from './_util/app.js';
import { startBrowserApp, type BrowserApp } from './_util/browser-app.js';
import { hasChromium, warnNoChromium } from './_util/browser.js';

if (!hasChromium) warnNoChromium();

/**
 * In Chromium against a real server: an approver still finds a change started
 * early among the changes they can approve now, saying it started early; and
 * the calendar shows the policy's recurring freeze (every Friday from 15:00
 * London) in words, with its next occurrences, and on the days it falls on.
 */
describe.skipIf(!hasChromium)('early start and recurring freezes, in Chromium', () => {
  let w: BrowserApp;
  beforeAll(async () => {
    w = await startBrowserApp();
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  it('lists a change started early as waiting on the approvers still open', async () => {
    const change = await submittedChange(w.t, 'priya', {
      type: 'emergency',
      title: 'Hotfix card retries',
    });
    expect((await w.t.call('lee', 'POST', `/changes/${change.id}/approve`)).status).toBe(200);
    expect((await w.t.call('priya', 'POST', `/changes/${change.id}/start`)).body.state).toBe(
      'in_progress',
    );

    const tom = await w.newPage();
    await w.signIn(tom, 'tom');
    await tom.goto(`${w.url}/?view=waiting`);
    const waiting = tom.getByRole('region', { name: /Changes you can approve now/ });
    const card = waiting.locator(`[data-change-id="${change.id}"]`);
    await card.getByText('Hotfix card retries').waitFor();
    await card.getByText(/^Started early, still waiting for /).waitFor();
    await tom.close();
  });

  it('shows the recurring freeze in words, its next occurrences, and the days it falls on', async () => {
    const kim = await w.newPage();
    await w.signIn(kim, 'kim');
    await kim
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Calendar' })
      .click();
    const bar = kim.locator('[data-freeze="Friday afternoons"]');
    await bar
      .getByText(
        /Fridays at 15:00 \(Europe\/London\), for 9 hours: only emergency and standard changes may start\./,
      )
      .waitFor();
    await expect.poll(async () => bar.locator('time').count()).toBe(3);
    const first = await bar.locator('time').first().getAttribute('datetime');
    expect(new Date(first!).getUTCDay()).toBe(5);

    // Next week's Friday is marked, from 15:00 London (UTC in winter, 14:00 UTC in summer).
    await kim.getByRole('button', { name: /Next week/ }).click();
    const friday = kim.locator('.day').nth(4);
    await friday.getByText(/^Friday afternoons from 1[45]:00$/).waitFor();
    expect(
      await kim
        .locator('.day')
        .nth(3)
        .getByText(/Friday afternoons/)
        .count(),
    ).toBe(0);
    await kim.close();
  });
});
