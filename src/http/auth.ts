import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  authenticateSession,
  csrfTokenFor,
  isCsrfTokenValid,
  type SignInDeps,
} from '../app/sign-in.js';
import { authenticateCalendarFeed, authenticateToken } from '../app/tokens.js';
import { AppError } from '../domain/errors.js';
import type { Person, Policy } from '../domain/policy.js';
import type { NewSession } from '../app/sign-in.js';
import type { SessionViewJson } from './contract/index.js';
import { presentSession } from './presenters.js';
import type { AuthenticationDeps } from './deps.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Person;
    /** How the caller authenticated; set with `actor`. */
    authenticatedBy?:
      | { via: 'token' }
      | { via: 'email' | 'oidc' | 'demo'; sessionToken: string; expiresAt: string };
  }
  interface FastifyContextConfig {
    /**
     * The route (a read) also takes a calendar feed link's secret as `?feed=`:
     * calendar apps subscribe to a URL and cannot send a header.
     */
    calendarFeed?: boolean;
  }
}

export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `__Host-` pins the cookie to this exact origin, but browsers accept it only over https. */
export function sessionCookieName(publicUrl: string): string {
  return isHttps(publicUrl) ? '__Host-cb_session' : 'cb_session';
}

export function isHttps(publicUrl: string): boolean {
  return publicUrl.startsWith('https:');
}

export function setSessionCookie(
  reply: FastifyReply,
  publicUrl: string,
  token: string,
  expiresAt: string,
): void {
  void reply.setCookie(sessionCookieName(publicUrl), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(publicUrl),
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply, publicUrl: string): void {
  void reply.clearCookie(sessionCookieName(publicUrl), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(publicUrl),
  });
}

/**
 * Resolves the caller: `Authorization: Bearer <token>` (scripts), else the
 * session cookie (the web app). Every /api/v1 route but sign-in and the OpenAPI
 * document needs one. A state-changing request made with the cookie must also
 * pass the CSRF checks; bearer tokens are never sent by a browser on its own,
 * so they are not subject to them.
 */
export function authentication(ctx: AuthenticationDeps) {
  const deps: SignInDeps = ctx;
  const tokenDeps = {
    policy: ctx.policy,
    clock: ctx.clock,
    store: ctx.store,
    tokenCache: ctx.tokenCache,
  };
  const cookieName = sessionCookieName(ctx.config.publicUrl);
  return async (request: FastifyRequest): Promise<void> => {
    const feed = request.routeOptions.config.calendarFeed
      ? (request.query as { feed?: unknown }).feed
      : undefined;
    if (typeof feed === 'string') {
      request.actor = await authenticateCalendarFeed(tokenDeps, feed);
      request.authenticatedBy = { via: 'token' };
      return;
    }
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match)
        throw new AppError('unauthenticated', 'the Authorization header must be "Bearer <token>"');
      request.actor = await authenticateToken(tokenDeps, match[1]!);
      request.authenticatedBy = { via: 'token' };
      return;
    }
    const sessionToken = request.cookies[cookieName];
    if (!sessionToken)
      throw new AppError(
        'unauthenticated',
        'sign in, or send an API token as "Authorization: Bearer <token>"',
      );
    const { person, session } = await authenticateSession(deps, sessionToken);
    if (!SAFE_METHODS.has(request.method)) {
      assertSameOrigin(ctx.config.publicUrl, request);
      const given = request.headers[CSRF_HEADER];
      if (!isCsrfTokenValid(sessionToken, typeof given === 'string' ? given : undefined))
        throw new AppError(
          'csrf_rejected',
          `a request made with the session cookie must carry the ${CSRF_HEADER} header from GET /api/v1/session`,
        );
    }
    request.actor = person;
    request.authenticatedBy = {
      via: session.via === 'oidc' || session.via === 'demo' ? session.via : 'email',
      sessionToken,
      expiresAt: session.expiresAt,
    };
  };
}

/**
 * Fetch Metadata and Origin: a browser says where a request came from, and a
 * cross-site page cannot forge either header. Requests without them (old
 * browsers, scripts) are left to the CSRF token.
 */
export function assertSameOrigin(publicUrl: string, request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin')
    throw new AppError('csrf_rejected', `a ${String(site)} request may not change anything here`);
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== new URL(publicUrl).origin)
    throw new AppError(
      'csrf_rejected',
      `requests from ${origin} may not change anything here (expected ${new URL(publicUrl).origin})`,
    );
}

export function csrfTokenOf(request: FastifyRequest): string | null {
  const auth = request.authenticatedBy;
  return auth && auth.via !== 'token' ? csrfTokenFor(auth.sessionToken) : null;
}

export function actorOf(request: FastifyRequest): Person {
  if (!request.actor) throw new AppError('unauthenticated', 'not signed in');
  return request.actor;
}

/**
 * The answer to a sign-in that started a session: the HttpOnly cookie, and the
 * session as GET /session shows it (with its CSRF token).
 */
export function answerNewSession(
  policy: Policy,
  publicUrl: string,
  request: FastifyRequest,
  reply: FastifyReply,
  session: NewSession,
  via: 'email' | 'oidc' | 'demo',
): SessionViewJson {
  setSessionCookie(reply, publicUrl, session.token, session.expiresAt);
  request.authenticatedBy = { via, sessionToken: session.token, expiresAt: session.expiresAt };
  return presentSession(policy, session.person, {
    via,
    csrfToken: csrfTokenOf(request),
    expiresAt: session.expiresAt,
  });
}
