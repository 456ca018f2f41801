import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submittedChange } from './_util/app.js';
import { startBrowserApp, type BrowserApp } from './_util/browser-app.js';
import { hasChromium, warnNoChromium } from './_util/browser.js';

if (!hasChromium) warnNoChromium();

/**
 * In Chromium against a real server: an approver asks the requester a question
 * from the change page, with an @mention; the timeline marks it as a question,
 * highlights the mention and names who was notified. The requester is offered
 * no question to themselves, and their answer says whose question it answers.
 */
describe.skipIf(!hasChromium)('questions and mentions on the change page, in Chromium', () => {
  let w: BrowserApp;
  beforeAll(async () => {
    w = await startBrowserApp();
  }, 120_000);
  afterAll(async () => {
    await w?.close();
  });

  it('asks the requester a question, and shows it as one', async () => {
    const change = await submittedChange(w.t, 'priya', { title: 'Raise the card retry limit' });

    const lee = await w.newPage();
    await w.signIn(lee, 'lee');
    await lee.goto(`${w.url}/changes/${change.id}`);
    await lee.getByLabel('Add a comment').fill('Is the rollback tested? cc @kim');
    await lee
      .getByRole('checkbox', { name: /Ask Priya Shah \(the requester\) a question/ })
      .check();
    await lee.getByRole('button', { name: 'Ask', exact: true }).click();

    const question = lee.locator('.event-question');
    await question.getByText('asked the requester a question').waitFor();
    await question.locator('.question-badge', { hasText: 'Question' }).waitFor();
    expect(await question.locator('mark.mention').textContent()).toBe('@kim');
    await question.getByText('Notified Kim Park').waitFor();
    // Asking decided nothing: Lee may still approve or reject.
    await lee.getByRole('button', { name: 'Approve' }).waitFor();
    await lee.close();

    const priya = await w.newPage();
    await w.signIn(priya, 'priya');
    await priya.goto(`${w.url}/changes/${change.id}`);
    await priya.locator('.event-question').waitFor();
    expect(await priya.getByRole('checkbox', { name: /a question/ }).count()).toBe(0);
    await priya.getByLabel('Add a comment').fill('Yes, on staging yesterday.');
    await priya.getByRole('button', { name: 'Comment', exact: true }).click();
    await priya.getByText('answered the question of Lee Wong').waitFor();
    await priya.close();

    const events = (await w.t.call('kim', 'GET', `/changes/${change.id}/events`)).body.items;
    expect(events.slice(-2).map((e: { data: unknown }) => e.data)).toEqual([
      { body: 'Is the rollback tested? cc @kim', question: true, mentions: ['kim'] },
      { body: 'Yes, on staging yesterday.', answering: ['lee'] },
    ]);
  });
});
