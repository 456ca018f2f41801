import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import ipaddr from 'ipaddr.js';
import { startSession, type SignInDeps } from '../../app/sign-in.js';
import { AppError } from '../../domain/errors.js';
import { answerNewSession, assertSameOrigin } from '../auth.js';
import {
  DemoInbox,
  DemoMessageParams,
  DemoSignInBody,
  ErrorBody,
  SessionView,
} from '../contract/index.js';
import { Type } from 'typebox';
import { scheduledMessages, sendScheduledNow } from '../../app/demo-inbox.js';
import type { DemoRouteDeps } from '../deps.js';

const tags = ['demo'];

/**
 * Demo mode (the bundled example policy): sign in as any of its people with one
 * click, and read what would have been sent. Both open anyone's account, so they
 * answer only on this machine (a loopback client), and not at all outside demo mode.
 */
export function demoRoutes(ctx: DemoRouteDeps): FastifyPluginCallbackTypebox {
  return (app, _options, done) => {
    const deps: SignInDeps = ctx;
    const publicUrl = ctx.config.publicUrl;

    app.post(
      '/auth/demo',
      {
        schema: {
          tags,
          summary: 'Demo mode, on this machine only: sign in as one of the example’s people',
          body: DemoSignInBody,
          response: { 200: SessionView, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        assertDemoHere(ctx, request);
        // Keeps another site from signing a visitor in as someone else (login CSRF).
        assertSameOrigin(publicUrl, request);
        const person = ctx.policy.people.get(request.body.person);
        if (!person)
          throw new AppError(
            'not_found',
            `no person "${request.body.person}" in the example policy; people: ${[...ctx.policy.people.keys()].join(', ')}`,
          );
        const session = await startSession(deps, person, 'demo');
        return answerNewSession(ctx.policy, publicUrl, request, reply, session, 'demo');
      },
    );

    app.get(
      '/demo/inbox',
      {
        schema: {
          tags,
          summary:
            'Demo mode without SMTP_URL, on this machine only: every message that would have been sent, newest first',
          response: { 200: DemoInbox, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request) => {
        assertDemoHere(ctx, request);
        if (!ctx.demoInbox)
          throw new AppError('not_found', 'SMTP_URL is set: e-mail is sent, not kept in an inbox');
        return { items: [...ctx.demoInbox.list()], scheduled: await scheduledMessages(ctx) };
      },
    );

    app.get(
      '/demo/inbox/:id/email',
      {
        schema: {
          tags,
          summary:
            'Demo mode, on this machine only: one kept e-mail as its recipient’s mail program shows it (HTML)',
          params: DemoMessageParams,
          response: {
            200: Type.String({ description: 'The e-mail’s HTML (text/html)' }),
            403: ErrorBody,
            404: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        assertDemoHere(ctx, request);
        const message = ctx.demoInbox?.find(request.params.id);
        if (message?.kind !== 'email' || message.html === undefined)
          throw new AppError('not_found', `no e-mail ${request.params.id} in the demo inbox`);
        // Its own document, so the e-mail's inline styles apply (the web app's policy forbids
        // them) while scripts stay off; links open in the tab, as from a mail program.
        return reply
          .header(
            'content-security-policy',
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; form-action 'none'",
          )
          .header('referrer-policy', 'no-referrer')
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(message.html.replace('<head>', '<head><base target="_top">'));
      },
    );

    app.post(
      '/demo/inbox/:id/send',
      {
        schema: {
          tags,
          summary:
            'Demo mode, on this machine only: send a message now instead of in its recipient’s working hours',
          params: DemoMessageParams,
          response: { 204: Type.Null(), 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        assertDemoHere(ctx, request);
        assertSameOrigin(publicUrl, request);
        if (!ctx.demoInbox)
          throw new AppError('not_found', 'SMTP_URL is set: e-mail is sent, not kept in an inbox');
        await sendScheduledNow(ctx, request.params.id);
        return reply.status(204).send(null);
      },
    );
    done();
  };
}

/** Whether a request may use the demo's shortcuts: demo mode, and a client on this machine. */
export function demoShortcutsAllowed(
  ctx: Pick<DemoRouteDeps, 'config'>,
  request: FastifyRequest,
): boolean {
  return ctx.config.demo && isLoopback(request.ip);
}

function assertDemoHere(ctx: DemoRouteDeps, request: FastifyRequest): void {
  if (!ctx.config.demo)
    throw new AppError('not_found', 'this is not demo mode (a policy file of your own is loaded)');
  if (!isLoopback(request.ip))
    throw new AppError(
      'forbidden',
      'the demo’s shortcuts answer only on the machine Changeboard runs on (open it at localhost)',
    );
}

function isLoopback(ip: string): boolean {
  return ipaddr.isValid(ip) && ipaddr.process(ip).range() === 'loopback';
}
