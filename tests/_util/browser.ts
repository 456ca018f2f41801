import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

/** Debian's Chromium; `.ci/run` installs it when missing (npx playwright install cannot work here). */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function warnNoChromium(): void {
  console.error(
    [
      '',
      '#'.repeat(78),
      `#  BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}.`,
      '#  Install it with: apt-get install -y chromium   (CI installs it and runs them).',
      '#'.repeat(78),
      '',
    ].join('\n'),
  );
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Chromium for one test file: each page in a context of its own (its own cookies), every page error kept. */
export interface BrowserPages {
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** Uncaught errors of every page so far: a test ends by expecting none. */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserPages> {
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  return {
    pageErrors,
    async newPage(options = {}) {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 860 },
        ...options,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on('pageerror', (error) => pageErrors.push(error.message));
      return page;
    },
    async close() {
      for (const context of contexts) await context.close();
      await browser.close();
    },
  };
}

const WEB_CONFIG = fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url));

/** Builds the web app into a fresh folder, so a browser test never runs a stale build. */
export async function buildWebApp(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'changeboard-web-build-'));
  const { build } = await import('vite');
  // The production build, as `npm run build` makes it: Vitest sets NODE_ENV=test, which would
  // give React's development JSX runtime on one side and its production build on the other.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      configFile: WEB_CONFIG,
      logLevel: 'warn',
      mode: 'production',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  return outDir;
}

/** A free port on 127.0.0.1, so PUBLIC_URL (and with it the CSRF origin check) can be known before the server starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
