import type { Server } from 'node:http';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/shared/clock.js';
import { startTestApp, type TestApp } from './_util/app.js';
import type { Browser as ChromiumBrowser } from 'playwright-core';
import { freePort, hasChromium, launchChromium } from './_util/browser.js';
import { databaseKinds, sqlite } from './_util/databases.js';
import { sessionCookieOf } from './_util/web.js';

const CLIENT_ID = 'changeboard';
const CLIENT_SECRET = 'a-client-secret-for-tests-only-0123456789';
const PUBLIC_URL = 'http://changeboard.test';
/** Accounts of the identity provider: the e-mail decides who it is in Changeboard. */
const ACCOUNTS: Record<string, { email: string; email_verified: boolean }> = {
  'priya-sso': { email: 'PRIYA@example.com', email_verified: true },
  stranger: { email: 'stranger@example.com', email_verified: true },
  unverified: { email: 'lee@example.com', email_verified: false },
};

/** A real OpenID provider on 127.0.0.1, with its development login form. */
async function startProvider(publicUrl = PUBLIC_URL): Promise<{ issuer: string; server: Server }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${publicUrl}/api/v1/auth/oidc/callback`],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    cookies: { keys: ['cookie-key-for-tests-only'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    // Consent is given once for all: the test signs in, it does not click through consent.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    findAccount: (_ctx, id) => {
      const account = ACCOUNTS[id];
      return account ? { accountId: id, claims: () => ({ sub: id, ...account }) } : undefined;
    },
  });
  const server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { issuer, server };
}

/** Just enough of a browser: follows redirects by hand and keeps cookies per host. */
class Browser {
  readonly jar = new Map<string, Map<string, string>>();

  cookieHeader(url: URL): string {
    return [...(this.jar.get(url.host) ?? new Map<string, string>())]
      .map(([k, v]) => `${k}=${v}`)
      .join('; ');
  }

  remember(url: URL, setCookies: string[]): void {
    const cookies = this.jar.get(url.host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(url.host, cookies);
  }
}

describe.each(databaseKinds)('OpenID Connect sign-in on $name', (kind) => {
  let t: TestApp;
  let provider: { issuer: string; server: Server };
  const browser = new Browser();

  beforeAll(async () => {
    provider = await startProvider();
    t = await startTestApp(kind, {
      clock: new ManualClock(new Date()),
      env: {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_CLIENT_SECRET: CLIENT_SECRET,
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => provider.server.close(resolve));
  });

  /** One step of the browser: Changeboard in-process, the provider over HTTP. */
  async function visit(
    href: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<{ status: number; location?: string; body: string }> {
    const url = new URL(href, PUBLIC_URL);
    const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
    const headers: Record<string, string> = { cookie: browser.cookieHeader(url) };
    if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (url.origin === PUBLIC_URL) {
      const res = await t.app.inject({
        method: (init.method ?? 'GET') as 'GET',
        url: url.pathname + url.search,
        headers,
        ...(body ? { payload: body } : {}),
      });
      const set = res.headers['set-cookie'];
      browser.remember(url, set === undefined ? [] : Array.isArray(set) ? set : [set]);
      const location = res.headers.location;
      return {
        status: res.statusCode,
        ...(typeof location === 'string' ? { location } : {}),
        body: res.body,
      };
    }
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      redirect: 'manual',
      ...(body ? { body } : {}),
    });
    browser.remember(url, res.headers.getSetCookie());
    const location = res.headers.get('location');
    return {
      status: res.status,
      ...(location ? { location: new URL(location, url).href } : {}),
      body: await res.text(),
    };
  }

  /** Start at Changeboard, log in at the provider as `account`, end back at Changeboard. */
  async function signInAs(account: string, returnTo = '/changes/CHG-1') {
    browser.jar.clear();
    let step = await visit(`/api/v1/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`);
    expect(step.status).toBe(302);
    expect(step.location).toMatch(new RegExp(`^${provider.issuer}/auth\\?`));
    const authorize = new URL(step.location!);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    for (let i = 0; i < 10 && step.location; i++) {
      const target = new URL(step.location);
      if (target.origin === PUBLIC_URL && target.pathname === '/api/v1/auth/oidc/callback') {
        return visit(step.location);
      }
      step = await visit(step.location);
      const interaction = /\/interaction\/([\w-]+)/.exec(target.pathname);
      if (interaction && step.status === 200) {
        step = await visit(`${provider.issuer}/interaction/${interaction[1]}`, {
          method: 'POST',
          form: { prompt: 'login', login: account, password: 'any' },
        });
      }
    }
    throw new Error(`the sign-in did not come back to Changeboard: ${JSON.stringify(step)}`);
  }

  it('says OpenID Connect is available', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/methods' });
    expect(res.json()).toEqual({ email: true, oidc: true });
  });

  it('signs a person of the policy in by their e-mail (code flow with PKCE)', async () => {
    const back = await signInAs('priya-sso', '/changes/CHG-1');
    expect(back.status).toBe(302);
    expect(back.location).toBe('/changes/CHG-1');
    const cookie = [...(browser.jar.get('changeboard.test') ?? [])].find(
      ([k]) => k === 'cb_session',
    );
    expect(cookie).toBeDefined();
    const session = await t.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { cookie: `cb_session=${cookie![1]}` },
    });
    expect(session.json()).toMatchObject({ person: { id: 'priya' }, via: 'oidc' });
  });

  it('refuses someone who is not in the policy, and an unverified address', async () => {
    for (const [account, reason] of [
      ['stranger', 'stranger@example.com is not anyone in this Changeboard'],
      ['unverified', 'has not verified lee@example.com'],
    ] as const) {
      const back = await signInAs(account);
      expect(back.status).toBe(302);
      expect(back.location).toMatch(/^\/sign-in\?error=/);
      expect(new URL(back.location!, PUBLIC_URL).searchParams.get('error')).toContain(reason);
      expect(browser.jar.get('changeboard.test')?.has('cb_session') ?? false).toBe(false);
    }
  });

  it('refuses a callback that was not started in this browser', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/callback?code=abc&state=def',
    });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toMatch(/^\/sign-in\?error=/);
    expect(sessionCookieOf(res)).toBeUndefined();
  });

  it('never redirects to another site after signing in', async () => {
    for (const returnTo of [
      '//evil.example/steal',
      '/\t/evil.example/steal',
      '/\\evil.example',
      'https://evil.example/',
      '/%09/evil.example',
    ]) {
      const back = await signInAs('priya-sso', returnTo);
      expect(new URL(back.location!, PUBLIC_URL).origin, returnTo).toBe(PUBLIC_URL);
    }
    expect((await signInAs('priya-sso', '//evil.example/steal')).location).toBe('/');
  });

  it('answers line breaks in returnTo with a redirect of this site, never a 500', async () => {
    const start = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/oidc/start?returnTo=%2Fchanges%0D%0ASet-Cookie%3A%20x%3D1',
    });
    expect(start.statusCode).toBe(302);
    const back = await signInAs('priya-sso', '/changes\r\nSet-Cookie: x=1');
    expect(back.status).toBe(302);
    expect(back.location).toBe('/changesSet-Cookie:%20x=1');
  });
});

describe.skipIf(!hasChromium)('OpenID Connect sign-in in Chromium', () => {
  let t: TestApp;
  let provider: { issuer: string; server: Server };
  let browser: ChromiumBrowser;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    [provider, browser] = await Promise.all([startProvider(base), launchChromium()]);
    t = await startTestApp(sqlite, {
      clock: new ManualClock(new Date()),
      env: {
        PUBLIC_URL: base,
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_CLIENT_SECRET: CLIENT_SECRET,
      },
    });
    await t.listen(port);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((resolve) => provider.server.close(resolve));
  });

  it('stays on this site whatever returnTo says', async () => {
    for (const returnTo of [
      '/%09/evil.example/steal',
      '//evil.example/steal',
      '/%5Cevil.example',
    ]) {
      const context = await browser.newContext();
      const offSite: string[] = [];
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.hostname === '127.0.0.1') return route.continue();
        // The provider's development login page asks for a web font; only where the browser goes counts.
        if (route.request().isNavigationRequest()) offSite.push(url.href);
        return route.abort();
      });
      const page = await context.newPage();
      await page.goto(`${base}/api/v1/auth/oidc/start?returnTo=${returnTo}`);
      await page.fill('input[name=login]', 'priya-sso');
      await page.fill('input[name=password]', 'any');
      await Promise.all([
        page.waitForURL((url) => url.origin === base && !url.pathname.startsWith('/api/')),
        page.click('button[type=submit]'),
      ]);
      expect(offSite, returnTo).toEqual([]);
      expect(new URL(page.url()).origin).toBe(base);
      await context.close();
    }
  }, 60_000);
});

describe.each(databaseKinds)('without OpenID Connect on $name', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 404 at its endpoints', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/start' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});
