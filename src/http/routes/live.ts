import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import type { ServerResponse } from 'node:http';
import type { LiveRouteDeps } from '../deps.js';
import { ErrorBody } from '../contract/index.js';

export interface LiveStreams {
  /** Ends every open stream: called when the server closes, so it does not wait on them. */
  closeAll(): void;
}

/**
 * GET /events/stream: server-sent events. Each committed batch of events on a
 * change arrives as `event: change` with a small JSON body (id, state,
 * version, event types); the board reloads what it shows. A comment line
 * every `heartbeatMs` keeps proxies from closing an idle stream.
 */
export function liveRoutes(
  ctx: LiveRouteDeps,
  options: { heartbeatMs: number },
): { plugin: FastifyPluginCallbackTypebox; streams: LiveStreams } {
  const open = new Map<ServerResponse, () => void>();
  const streams: LiveStreams = {
    closeAll() {
      for (const [response, stop] of [...open]) {
        stop();
        response.end();
      }
    },
  };
  const plugin: FastifyPluginCallbackTypebox = (app, _options, done) => {
    app.get(
      '/events/stream',
      {
        schema: {
          tags: ['live'],
          security: [{ bearer: [] }, { session: [] }],
          summary:
            'Live updates as server-sent events: `event: change`, data `{ changeId, state, version, events, actor, at }`',
          produces: ['text/event-stream'],
          response: { 401: ErrorBody },
        },
      },
      (request, reply) => {
        reply.hijack();
        const response = reply.raw;
        response.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          // Nginx and friends would otherwise buffer the stream.
          'x-accel-buffering': 'no',
        });
        // A reconnecting EventSource waits this long; the board reloads on reconnect.
        response.write('retry: 3000\n\nevent: ready\ndata: {}\n\n');
        const unsubscribe = ctx.live.subscribe((update) => {
          response.write(`event: change\ndata: ${JSON.stringify(update)}\n\n`);
        });
        const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), options.heartbeatMs);
        heartbeat.unref();
        const stop = () => {
          clearInterval(heartbeat);
          unsubscribe();
          open.delete(response);
        };
        open.set(response, stop);
        request.raw.once('close', stop);
      },
    );
    done();
  };
  return { plugin, streams };
}
