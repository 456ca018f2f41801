import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InsightsJson } from '../src/http/contract/index.js';
import { query } from '../web/src/api/client.js';
import {
  boardHref,
  formatMinutes,
  formatNumber,
  formatRate,
  insightsParams,
  readInsightsFilters,
} from '../web/src/lib/insights.js';
import { completeAnswers, submittedChange } from './_util/app.js';
import { startBrowserApp, type BrowserApp } from './_util/browser-app.js';
import { hasChromium, warnNoChromium } from './_util/browser.js';

if (!hasChromium) warnNoChromium();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The insights page in Chromium against a real server: a few changes decided
 * at known pace, then the page's figures, charts and tables are read and held
 * to the API's own answer, fetched with the same session.
 */
describe.skipIf(!hasChromium)('the insights page, in Chromium', () => {
  let w: BrowserApp;
  beforeAll(async () => {
    w = await startBrowserApp();
    await seed();
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  const act = async (who: string, id: string, action: string, body: object = {}) => {
    const response = await w.t.call(who, 'POST', `/changes/${id}/${action}`, body);
    expect(response.status, `${who} ${action} ${id}: ${JSON.stringify(response.body)}`).toBe(200);
  };

  /**
   * A history: four alike changes approved (one carried out), a riskier one
   * rejected, and a website change that failed.
   */
  async function seed(): Promise<void> {
    for (const minutes of [30, 90, 300]) {
      const change = await submittedChange(w.t, 'priya', { title: `Rotate keys after ${minutes}` });
      w.t.clock.advance(minutes * MINUTE);
      await act('lee', change.id as string, 'approve');
    }
    const rejected = await submittedChange(w.t, 'priya', {
      title: 'Disable retries',
      answers: completeAnswers({ risk: 'high' }),
    });
    w.t.clock.advance(2 * HOUR);
    await act('lee', rejected.id as string, 'reject', { comment: 'Retries hide the outage' });

    const done = await submittedChange(w.t, 'priya', { title: 'Raise the pool size' });
    w.t.clock.advance(45 * MINUTE);
    await act('lee', done.id as string, 'approve');
    await act('priya', done.id as string, 'start');
    w.t.clock.advance(20 * MINUTE);
    await act('priya', done.id as string, 'complete');

    const failed = await submittedChange(w.t, 'ana', {
      title: 'New pricing page copy',
      services: ['website'],
    });
    w.t.clock.advance(3 * HOUR);
    await act('dev', failed.id as string, 'approve');
    await act('ana', failed.id as string, 'start');
    await act('ana', failed.id as string, 'fail');
  }

  /** The page's URL and the API's query for the same filters. */
  function period(extra = '') {
    const now = w.t.clock.now().getTime();
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const search = `from=${day(now - 2 * 86_400_000)}&to=${day(now + 86_400_000)}${extra}`;
    const params = insightsParams(readInsightsFilters(new URLSearchParams(search), now));
    return {
      search,
      api: `/api/v1/insights${query({ ...params })}`,
    };
  }

  async function apiInsights(page: Page, url: string): Promise<InsightsJson> {
    return page.evaluate(async (path) => {
      const response = await fetch(path, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      return (await response.json()) as InsightsJson;
    }, url);
  }

  const figureValue = (page: Page, id: string) =>
    page.locator(`[data-figure="${id}"] .figure-value`).innerText();
  const figureLink = (page: Page, id: string) =>
    page.locator(`[data-figure="${id}"] .figure-link a`).getAttribute('href');

  it('draws the charts and shows the API’s numbers, each linked to its changes', async () => {
    const page = await w.newPage({ permissions: ['clipboard-read', 'clipboard-write'] });
    await w.signIn(page, 'kim');

    // From the main navigation: the page's chunk loads on demand.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Insights' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Is async working?' }).waitFor();
    await page.locator('.insights-body').waitFor();

    const { search, api } = period('&minChanges=3');
    await page.goto(`${w.url}/insights?${search}`);
    await page.locator('[data-figure="total"]').waitFor();
    const insights = await apiInsights(page, api);

    // The seeded history, as the API counts it.
    expect(insights.total.count).toBe(6);
    expect(insights.rates.approval).toMatchObject({ numerator: 5, denominator: 6 });
    expect(insights.changeFailureRate).toMatchObject({ numerator: 1, denominator: 2 });
    expect(
      insights.promotionCandidates.candidates.length,
      JSON.stringify(insights.promotionCandidates.nearMisses),
    ).toBeGreaterThan(0);

    // Headline figures: the same numbers, worded as the page words them, linked to the board.
    const { timeToDecision, rates, changeFailureRate, emergencyLeadTime, deployments } = insights;
    const { reviews, meetings } = insights;
    const figures: [id: string, value: string, changes: string, count: number][] = [
      ['total', String(insights.total.count), insights.total.changes, insights.total.count],
      [
        'timeToDecision',
        formatMinutes(timeToDecision.overall.p50Minutes),
        timeToDecision.overall.changes,
        timeToDecision.overall.count,
      ],
      [
        'approvalRate',
        formatRate(rates.approval.rate),
        rates.approval.changes,
        rates.approval.numerator,
      ],
      [
        'rejectionRate',
        formatRate(rates.rejection.rate),
        rates.rejection.changes,
        rates.rejection.numerator,
      ],
      [
        'changeFailureRate',
        formatRate(changeFailureRate.rate),
        changeFailureRate.changes,
        changeFailureRate.numerator,
      ],
      [
        'emergencyLeadTime',
        formatMinutes(emergencyLeadTime.p50Minutes),
        emergencyLeadTime.changes,
        emergencyLeadTime.count,
      ],
      [
        'deploymentFrequency',
        formatNumber(deployments.perWeek),
        deployments.changes,
        deployments.count,
      ],
      [
        'deploymentLeadTime',
        formatMinutes(deployments.leadTime.p50Minutes),
        deployments.leadTime.changes,
        deployments.leadTime.count,
      ],
      ['reviewsDone', String(reviews.done.count), reviews.done.changes, reviews.done.count],
      [
        'reviewsOverdue',
        String(reviews.overdue.count),
        reviews.overdue.changes,
        reviews.overdue.count,
      ],
      [
        'decidedAsync',
        String(meetings.decidedAsync.count),
        meetings.decidedAsync.changes,
        meetings.decidedAsync.count,
      ],
    ];
    for (const [id, value, changes, count] of figures) {
      expect(await figureValue(page, id), id).toBe(value);
      if (count === 0)
        expect(await page.locator(`[data-figure="${id}"] .figure-link`).innerText()).toBe(
          'No changes',
        );
      else expect(await figureLink(page, id), id).toBe(boardHref(changes));
    }
    expect(await figureValue(page, 'approvalRate')).toBe('83.3%');

    // Three charts drawn, each with its caption and its table.
    expect(await page.locator('.chart-canvas canvas').count()).toBe(3);
    for (const name of [
      'Time to decision, week by week',
      'Time to decision per approver group',
      'The meeting it replaced',
    ])
      await page.getByRole('figure', { name }).waitFor();

    const weekly = page.getByRole('table', {
      name: /Time to decision, week by week/,
      includeHidden: true,
    });
    for (const week of insights.weekly) {
      const row = weekly.locator(`tr[data-week="${week.weekStart}"] td`);
      expect(await row.nth(0).textContent()).toBe(formatMinutes(week.timeToDecisionP50Minutes));
      expect(await row.nth(1).textContent()).toBe(formatMinutes(week.timeToDecisionP90Minutes));
      expect(await row.nth(2).textContent()).toBe(String(week.created));
    }

    // Opening the disclosure shows the table to everyone.
    const groupsFigure = page.getByRole('figure', { name: 'Time to decision per approver group' });
    await groupsFigure.getByText('The numbers as a table').click();
    const groups = groupsFigure.getByRole('table', { name: 'Time to decision per approver group' });
    await groups.waitFor();
    expect(await groups.locator('tbody tr').count()).toBe(insights.timeToDecision.byGroup.length);
    for (const group of insights.timeToDecision.byGroup) {
      const row = groups.locator(`tr[data-group="${group.group}"] td`);
      expect(await row.nth(0).textContent()).toBe(String(group.count));
      expect(await row.nth(1).textContent()).toBe(formatMinutes(group.p50Minutes));
      expect(await row.nth(2).textContent()).toBe(formatMinutes(group.p90Minutes));
    }

    const cf = insights.meetingCounterfactual;
    expect(await page.locator('[data-value="totalSaved"]').innerText()).toBe(
      formatMinutes(cf.totalSavedMinutes),
    );
    expect(await page.locator('[data-value="medianSaved"]').innerText()).toBe(
      formatMinutes(cf.medianSavedMinutes),
    );
    const replay = page.locator('table[data-table="counterfactual"]');
    expect(await replay.locator('tbody tr').count()).toBe(cf.items.length);
    for (const item of cf.items)
      expect(await replay.locator(`tr[data-change="${item.id}"] td`).nth(3).textContent()).toBe(
        formatMinutes(item.savedMinutes),
      );

    // The candidate's entry, ready to paste, and its copy button.
    const candidate = insights.promotionCandidates.candidates[0]!;
    const card = page.locator(`[data-candidate="${candidate.entry.id}"]`);
    expect(await card.locator('pre').textContent()).toBe(candidate.yaml);
    await card.getByRole('button', { name: 'Copy the entry' }).click();
    await card.getByRole('status').getByText('Copied.', { exact: false }).waitFor();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(candidate.yaml);

    // A count's link opens the board on just the changes it counts.
    const rejected = insights.counts.byState.find((c) => c.state === 'rejected')!;
    await page.locator('[data-count-state="rejected"] a').click();
    await page.getByRole('heading', { level: 1, name: 'All changes' }).waitFor();
    await page.locator('[data-filter="scope"]', { hasText: /· Rejected$/ }).waitFor();
    const cards = page.locator('[data-change-id]');
    await cards.first().waitFor();
    expect(
      await cards.evaluateAll((all) => all.map((c) => c.getAttribute('data-change-id'))),
    ).toEqual(rejected.changeIds);

    expect(w.browser.pageErrors).toEqual([]);
  });

  it('keeps its filters in the URL and answers them', async () => {
    const page = await w.newPage();
    await w.signIn(page, 'kim');
    const { search, api } = period('&service=website');
    await page.goto(`${w.url}/insights?${search}`);
    await page.locator('[data-figure="total"]').waitFor();
    const insights = await apiInsights(page, api);
    expect(insights.total.count).toBe(1);
    expect(await figureValue(page, 'total')).toBe('1');
    const filters = page.getByRole('search', { name: 'Filter insights' });
    expect(await filters.getByRole('combobox').first().inputValue()).toBe('website');

    // Another type, chosen on the page, lands in the URL.
    await filters.getByRole('combobox').nth(1).selectOption('emergency');
    await page.waitForURL(/type=emergency/);
    await page.locator('[data-figure="total"] .figure-value', { hasText: /^0$/ }).waitFor();

    await page.getByRole('button', { name: 'Last 12 weeks, everything' }).click();
    await page.waitForURL((url) => url.pathname === '/insights' && url.search === '');

    // A figure's link opens the board on the changes behind it.
    await page.goto(`${w.url}/insights?${search}`);
    await page.getByRole('link', { name: 'Changes: the changes behind it on the board' }).click();
    await page.getByRole('heading', { level: 1, name: 'All changes' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    expect(new URL(page.url()).searchParams.get('service')).toBe('website');
    await page.locator('[data-filter="scope"]', { hasText: /^Created / }).waitFor();
    const cards = page.locator('[data-change-id]');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(insights.total.count);
    expect(w.browser.pageErrors).toEqual([]);
  });
});
