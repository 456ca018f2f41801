import type { LightMyRequestResponse } from 'fastify';
import { createSignInLink } from '../../src/app/sign-in.js';
import type { TestApp } from './app.js';

/** What a browser of the web app holds after signing in: the session cookie and the CSRF token. */
export interface BrowserSession {
  readonly cookie: string;
  readonly csrf: string;
}

export const SAME_ORIGIN = { origin: 'http://changeboard.test', 'sec-fetch-site': 'same-origin' };

export function sessionCookieOf(response: LightMyRequestResponse): string | undefined {
  const cookie = response.cookies.find((c) => c.name.endsWith('cb_session'));
  return cookie ? `${cookie.name}=${cookie.value}` : undefined;
}

/** Signs `person` in through a sign-in link, as the web app does. */
export async function signIn(t: TestApp, person: string): Promise<BrowserSession> {
  const token = await createSignInLink(t.ctx, person);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/email/verify',
    headers: SAME_ORIGIN,
    payload: { token },
  });
  const cookie = sessionCookieOf(res);
  if (res.statusCode !== 200 || !cookie) throw new Error(`sign-in failed: ${res.body}`);
  return { cookie, csrf: res.json<{ csrfToken: string }>().csrfToken };
}

/** A request as the web app sends it: cookie, same-origin fetch metadata and (unless told otherwise) the CSRF token. */
export async function browserCall(
  t: TestApp,
  session: BrowserSession,
  method: string,
  path: string,
  body?: unknown,
  options: { csrf?: string | null; headers?: Record<string, string> } = {},
) {
  const csrf = options.csrf === undefined ? session.csrf : options.csrf;
  const res = await t.app.inject({
    method: method as 'GET',
    url: `/api/v1${path}`,
    headers: {
      cookie: session.cookie,
      ...SAME_ORIGIN,
      ...(csrf ? { 'x-csrf-token': csrf } : {}),
      ...options.headers,
    },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  const isJson = String(res.headers['content-type'] ?? '').includes('json');
  // Test code reads whatever the API answered.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const parsed: any = res.body && isJson ? JSON.parse(res.body) : res.body;
  return { status: res.statusCode, body: parsed, response: res };
}
