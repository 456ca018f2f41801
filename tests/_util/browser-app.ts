import { rmSync } from 'node:fs';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { createSignInLink, signInUrl } from '../../src/app/sign-in.js';
import { ManualClock } from '../../src/shared/clock.js';
import { startTestApp, type TestApp, type TestAppOptions } from './app.js';
import { buildWebApp, freePort, openBrowser, type BrowserPages } from './browser.js';
import { sqlite } from './databases.js';

/** The built web app served by a real server on a real port, and Chromium to open it with. */
export interface BrowserApp {
  readonly t: TestApp;
  /** http://127.0.0.1:<port>, the server's PUBLIC_URL. */
  readonly url: string;
  readonly browser: BrowserPages;
  /** A page of its own (its own cookies), in UTC and British English unless told otherwise. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Signs `person` in with a sign-in link, as `npm start` prints them; the board is open after. */
  signIn(page: Page, person: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBrowserApp(options: TestAppOptions = {}): Promise<BrowserApp> {
  const port = await freePort();
  const [webRoot, browser] = await Promise.all([buildWebApp(), openBrowser()]);
  const t = await startTestApp(sqlite, {
    // Cookies expire by the browser's clock, so the server's must be today too.
    clock: new ManualClock(new Date()),
    ...options,
    env: { PUBLIC_URL: `http://127.0.0.1:${port}`, ...options.env },
    server: { webRoot, ...options.server },
  });
  const url = await t.listen(port);
  return {
    t,
    url,
    browser,
    newPage: (pageOptions = {}) =>
      browser.newPage({ timezoneId: 'UTC', locale: 'en-GB', ...pageOptions }),
    async signIn(page, person) {
      await page.goto(signInUrl(url, await createSignInLink(t.ctx, person)));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'All changes' }).waitFor();
    },
    async close() {
      await browser.close();
      await t.close();
      rmSync(webRoot, { recursive: true, force: true });
    },
  };
}
