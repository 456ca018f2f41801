import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserApp, type BrowserApp } from './_util/browser-app.js';
import { hasChromium, warnNoChromium } from './_util/browser.js';

if (!hasChromium) warnNoChromium();

/**
 * The standard change catalog in Chromium: a standard change starts from the
 * example's template (rotate-tls-cert), which fills in its services and answers
 * and shows the answer it locks (risk) read-only; it is approved on submit and
 * its page names the template. Someone not among its requesters sees it
 * disabled, saying who may use it.
 */
describe.skipIf(!hasChromium)('standard changes in the web app, in Chromium', () => {
  let w: BrowserApp;
  beforeAll(async () => {
    w = await startBrowserApp();
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  it('a requester files a standard change from the catalog', async () => {
    const page = await w.newPage();
    await w.signIn(page, 'priya');
    await page.getByRole('link', { name: 'New change' }).click();
    await page.getByRole('heading', { level: 1, name: 'New change' }).waitFor();
    await page.getByLabel('Title').fill('Rotate the payments certificate');
    // No template to choose until the type is pre-approved.
    const catalog = page.getByRole('group', { name: /^Standard change/ });
    expect(await catalog.count()).toBe(0);
    await page.getByRole('radio', { name: /^Standard \(pre-approved\)/ }).check();
    await catalog.waitFor();

    // Submitting without a template says so at the template.
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    const summary = page.getByRole('alert');
    await summary.getByText('Standard change — choose the standard change this is').waitFor();

    await catalog
      .getByRole('radio', { name: /Rotate a TLS certificate before it expires/ })
      .check();
    // Its services and answers are filled in; the locked risk is read-only, saying why.
    expect(await page.getByRole('checkbox', { name: /Marketing website/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: /Payments API/ }).isChecked()).toBe(true);
    expect(await page.getByLabel(/How do we roll it back/).inputValue()).toBe(
      'Re-deploy the previous certificate',
    );
    const risk = page.getByRole('group', { name: /^Risk/ });
    expect(await risk.getByRole('radio', { name: 'low' }).isChecked()).toBe(true);
    expect(await risk.getByRole('radio', { name: 'high' }).isDisabled()).toBe(true);
    await risk
      .getByText('Set by the template “Rotate a TLS certificate before it expires”.')
      .waitFor();

    // The website is not part of this change: the template allows fewer services.
    await page.getByRole('checkbox', { name: /Marketing website/ }).uncheck();
    await page.getByLabel(/Where are the test results/).fill('https://ci.example.com/run/12');
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await page.waitForURL(/\/changes\/CHG-\d+$/);
    const id = /CHG-\d+/.exec(page.url())![0];
    await page.locator('.badge', { hasText: 'Approved' }).waitFor();
    // The page names the template and the version it was approved under.
    await page
      .getByText(/^Rotate a TLS certificate before it expires \(version [0-9a-f]{12}\)$/)
      .waitFor();

    const stored = (await w.t.call('priya', 'GET', `/changes/${id}`)).body;
    expect(stored).toMatchObject({
      state: 'approved',
      type: 'standard',
      services: ['payments'],
      answers: { risk: 'low', testResults: 'https://ci.example.com/run/12' },
      template: { id: 'rotate-tls-cert', current: true },
    });
  });

  it('someone outside its requester groups sees the template disabled, saying who may', async () => {
    const page = await w.newPage();
    await w.signIn(page, 'tom');
    await page.getByRole('link', { name: 'New change' }).click();
    await page.getByRole('radio', { name: /^Standard \(pre-approved\)/ }).check();
    const template = page
      .getByRole('group', { name: /^Standard change/ })
      .getByRole('radio', { name: /Rotate a TLS certificate before it expires/ });
    await template.waitFor();
    expect(await template.isDisabled()).toBe(true);
    await page
      .getByText(/Only for members of web-owners, payments-owners, on-call-leads\./)
      .waitFor();
  });
});
