import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import {
  endSession,
  findPersonByEmail,
  keepOidcLogin,
  redeemSignInLink,
  requestSignInLink,
  startSession,
  takeOidcLogin,
  type SignInDeps,
} from '../../app/sign-in.js';
import { AppError } from '../../domain/errors.js';
import type { SessionRouteDeps, SignInRouteDeps } from '../deps.js';
import {
  actorOf,
  answerNewSession,
  assertSameOrigin,
  clearSessionCookie,
  csrfTokenOf,
  isHttps,
  setSessionCookie,
} from '../auth.js';
import { presentSession } from '../presenters.js';
import { demoShortcutsAllowed } from './demo.js';
import {
  ErrorBody,
  SessionView,
  SignInEmailBody,
  SignInLinkBody,
  SignInMethodsView,
  SignOutBody,
} from '../contract/index.js';
import ipaddr from 'ipaddr.js';
import { Type } from 'typebox';

const tags = ['session'];
const OIDC_COOKIE = 'cb_oidc';
const OIDC_LOGIN_TTL_MS = 10 * 60_000;
/** Links one requester may ask for one address in a window, and for any addresses. */
const SIGN_IN_EMAILS_PER_ADDRESS = 5;
const SIGN_IN_REQUESTS_PER_CLIENT = 20;
const SIGN_IN_WINDOW_MS = 15 * 60_000;

/** Sign-in: reachable without being signed in. */
export function signInRoutes(ctx: SignInRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    const deps: SignInDeps = ctx;
    const { oidcClient } = ctx;
    const publicUrl = ctx.config.publicUrl;
    // Counted per requester (their address, or their /64 on IPv6): one client gets a
    // handful of links for one address and a few dozen in all, but a stranger who
    // asks for someone else's address only limits themselves and never locks that
    // person out. Known and unknown addresses are limited alike, so the limit
    // reveals nobody. Behind a proxy, TRUST_PROXY says whose X-Forwarded-For to believe.
    const signInLimits = [
      app.createRateLimit({
        max: SIGN_IN_REQUESTS_PER_CLIENT,
        timeWindow: SIGN_IN_WINDOW_MS,
        keyGenerator: (request) => `sign-in-from:${clientOf(request.ip)}`,
      }),
      app.createRateLimit({
        max: SIGN_IN_EMAILS_PER_ADDRESS,
        timeWindow: SIGN_IN_WINDOW_MS,
        keyGenerator: (request) => {
          const email = (request.body as { email?: unknown } | undefined)?.email;
          const address = typeof email === 'string' ? email.trim().toLowerCase() : '';
          return `sign-in:${clientOf(request.ip)}:${address}`;
        },
      }),
    ];

    app.get(
      '/auth/methods',
      {
        schema: {
          tags,
          summary: 'How people can sign in to the web app',
          response: { 200: SignInMethodsView },
        },
      },
      (request) => ({
        email: true,
        oidc: oidcClient !== undefined,
        ...(demoShortcutsAllowed(ctx, request)
          ? {
              demo: {
                people: [...ctx.policy.people.values()]
                  .filter((person) => !person.external)
                  .map((person) => ({
                    id: person.id,
                    name: person.name,
                    groups: [...ctx.policy.groups]
                      .filter(([, members]) => members.includes(person.id))
                      .map(([group]) => group),
                  })),
                inbox: ctx.demoInbox !== undefined,
              },
            }
          : {}),
      }),
    );

    app.post(
      '/auth/email',
      {
        // Counted per requester (their address, or their /64 on IPv6): one client gets a
        // handful of links for one address and a few dozen in all, but a stranger who
        // asks for someone else's address only limits themselves, never locks that
        // person out. Known and unknown addresses are limited alike, so the limit reveals
        // nobody. Behind a proxy, TRUST_PROXY says whose X-Forwarded-For to believe.
        preHandler: async (request, reply) => {
          for (const limit of signInLimits) {
            const counted = await limit(request);
            if (!counted.isAllowed && counted.isExceeded) {
              void reply.header('retry-after', String(counted.ttlInSeconds));
              throw new AppError(
                'rate_limited',
                `too many sign-in links asked for from here; try again in ${Math.ceil(counted.ttlInSeconds / 60)} minutes`,
              );
            }
          }
        },
        schema: {
          tags,
          summary:
            'E-mail a single-use sign-in link (valid 15 minutes). Answers the same whether or not the address belongs to someone.',
          body: SignInEmailBody,
          response: {
            202: Type.Object({ message: Type.String() }),
            400: ErrorBody,
            403: ErrorBody,
            429: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        assertSameOrigin(publicUrl, request);
        await requestSignInLink(deps, request.body.email);
        return reply.status(202).send({
          message:
            'If this address belongs to someone in the policy, a sign-in link is on its way. It works once, for 15 minutes.',
        });
      },
    );

    app.post(
      '/auth/email/verify',
      {
        schema: {
          tags,
          summary: 'Redeem a sign-in link: starts a session (sets the HttpOnly session cookie)',
          body: SignInLinkBody,
          response: { 200: SessionView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (request, reply) => {
        // Also keeps another site from signing a visitor in as someone else (login CSRF).
        assertSameOrigin(publicUrl, request);
        const session = await redeemSignInLink(deps, request.body.token);
        return answerNewSession(ctx.policy, publicUrl, request, reply, session, 'email');
      },
    );

    app.get(
      '/auth/oidc/start',
      {
        schema: {
          tags,
          summary: 'Start signing in with OpenID Connect: redirects to the identity provider',
          querystring: Type.Object(
            { returnTo: Type.Optional(Type.String({ maxLength: 500 })) },
            { additionalProperties: false },
          ),
          response: { 404: ErrorBody },
        },
      },
      async (request, reply) => {
        if (!oidcClient) throw new AppError('not_found', 'OpenID Connect is not configured');
        const login = await oidcClient.start(`${publicUrl}/api/v1/auth/oidc/callback`);
        const id = await keepOidcLogin(deps, login, {
          returnTo: safeReturnTo(request.query.returnTo, publicUrl),
          ttlMs: OIDC_LOGIN_TTL_MS,
        });
        // Binds the login to this browser; Lax, so it comes back with the provider's top-level redirect.
        void reply.setCookie(OIDC_COOKIE, id, {
          path: '/api/v1/auth/oidc',
          httpOnly: true,
          sameSite: 'lax',
          secure: isHttps(publicUrl),
          maxAge: OIDC_LOGIN_TTL_MS / 1000,
        });
        return reply.redirect(login.url, 302);
      },
    );

    app.get(
      '/auth/oidc/callback',
      {
        schema: { tags, summary: 'Where the identity provider sends the browser back', hide: true },
      },
      async (request, reply) => {
        if (!oidcClient) throw new AppError('not_found', 'OpenID Connect is not configured');
        const fail = (reason: string) => {
          request.log.warn({ reason }, 'OpenID Connect sign-in failed');
          return reply.redirect(`/sign-in?error=${encodeURIComponent(reason)}`, 302);
        };
        const id = request.cookies[OIDC_COOKIE];
        void reply.clearCookie(OIDC_COOKIE, { path: '/api/v1/auth/oidc' });
        const login = id ? await takeOidcLogin(deps, id) : undefined;
        if (!login)
          return fail('The sign-in took too long or was started in another browser; try again.');
        let email: string;
        try {
          const identity = await oidcClient.finish(new URL(request.url, publicUrl), login);
          email = identity.email;
        } catch (error) {
          return fail(
            `The identity provider did not confirm who you are (${(error as Error).message}).`,
          );
        }
        const person = findPersonByEmail(ctx.policy, email);
        if (!person) return fail(`${email} is not anyone in this Changeboard's policy.`);
        const session = await startSession(deps, person, 'oidc');
        setSessionCookie(reply, publicUrl, session.token, session.expiresAt);
        return reply.redirect(safeReturnTo(login.returnTo, publicUrl), 302);
      },
    );
    done();
  };
}

/** The signed-in caller's own session. */
export function sessionRoutes(ctx: SessionRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    const deps: SignInDeps = ctx;
    app.get(
      '/session',
      {
        schema: {
          tags,
          security: [{ bearer: [] }, { session: [] }],
          summary: 'Who is signed in, and the CSRF token for requests made with the session cookie',
          response: { 200: SessionView, 401: ErrorBody },
        },
      },
      (request) => {
        const auth = request.authenticatedBy;
        return presentSession(ctx.policy, actorOf(request), {
          via: auth?.via ?? 'token',
          csrfToken: csrfTokenOf(request),
          expiresAt: auth && auth.via !== 'token' ? auth.expiresAt : null,
        });
      },
    );

    app.post(
      '/session/sign-out',
      {
        schema: {
          tags,
          security: [{ session: [] }],
          summary:
            'Sign out: ends this session (or every session of this person) and clears the cookie',
          body: SignOutBody,
          response: { 204: Type.Null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
        },
      },
      async (request, reply) => {
        const auth = request.authenticatedBy;
        if (!auth || auth.via === 'token')
          throw new AppError(
            'invalid_input',
            'sign-out ends a web session; revoke an API token with `changeboard token revoke <id>`',
          );
        await endSession(deps, auth.sessionToken, { everywhere: request.body.everywhere === true });
        clearSessionCookie(reply, ctx.config.publicUrl);
        return reply.status(204).send(null);
      },
    );
    done();
  };
}

/**
 * Only a page of this site: an open redirect would turn the sign-in into a
 * phishing tool. The value is resolved as a browser would resolve it against
 * PUBLIC_URL (which drops tabs and line breaks, so `/\t/evil.example` is
 * `//evil.example`, another host) and kept only if it stays on this origin;
 * what is kept is the URL's own serialisation, with nothing left to reinterpret.
 */
export function safeReturnTo(value: string | undefined, publicUrl: string): string {
  if (!value) return '/';
  const origin = new URL(publicUrl).origin;
  let target: URL;
  try {
    target = new URL(value, `${origin}/`);
  } catch {
    return '/';
  }
  if (target.origin !== origin || !value.startsWith('/')) return '/';
  return `${target.pathname}${target.search}${target.hash}`;
}

/** Who is asking, for counting: the address, or on IPv6 its /64 (one subscriber's whole network). */
function clientOf(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  return address.kind() === 'ipv6'
    ? `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/64`).toString()}/64`
    : address.toString();
}
