import { request, type IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';
import { signIn } from './_util/web.js';

interface Stream {
  readonly response: IncomingMessage;
  /** Resolves with everything received so far once it contains `text`. */
  waitFor(text: string): Promise<string>;
  /** Resolves when the server ends the stream. */
  ended(): Promise<void>;
  close(): void;
}

function openStream(url: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/events/stream`, { headers }, (response) => {
      let received = '';
      const waiters: { text: string; done: (all: string) => void }[] = [];
      let end: (() => void) | undefined;
      const endedPromise = new Promise<void>((done) => (end = done));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        received += chunk;
        for (const waiter of [...waiters]) {
          if (received.includes(waiter.text)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.done(received);
          }
        }
      });
      response.on('end', () => end?.());
      response.on('close', () => end?.());
      resolve({
        response,
        waitFor: (text) =>
          received.includes(text)
            ? Promise.resolve(received)
            : new Promise((done) => waiters.push({ text, done })),
        ended: () => endedPromise,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe.each(databaseKinds)('GET /events/stream on $name', (kind) => {
  let t: TestApp;
  let url: string;
  beforeEach(async () => {
    t = await startTestApp(kind, { server: { heartbeatMs: 50 } });
    url = await t.listen();
  });
  afterEach(async () => {
    await t.close();
  });

  it('needs a caller', async () => {
    const res = await fetch(`${url}/api/v1/events/stream`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
  });

  it('refuses a token that is not one', async () => {
    const res = await fetch(`${url}/api/v1/events/stream`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(res.status).toBe(401);
  });

  it('pushes a message when a change’s events are committed, and heartbeats', async () => {
    const change = await submittedChange(t, 'priya');
    const session = await signIn(t, 'kim');
    const stream = await openStream(url, { cookie: session.cookie });
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await stream.waitFor('event: ready');
    await t.call('lee', 'POST', `/changes/${change.id}/approve`, { comment: 'ok' });
    const received = await stream.waitFor('"state":"approved"');
    const message = /event: change\ndata: (.*)\n\n/.exec(received)![1]!;
    expect(JSON.parse(message)).toEqual({
      changeId: change.id,
      state: 'approved',
      version: change.version + 1,
      events: ['approval-granted', 'approved'],
      actor: 'lee',
      at: t.clock.now().toISOString(),
    });
    await stream.waitFor(': heartbeat');
    stream.close();
  });

  it('sends nothing for work that was refused', async () => {
    const change = await submittedChange(t, 'priya');
    const stream = await openStream(url, { authorization: `Bearer ${t.tokens.kim}` });
    await stream.waitFor('event: ready');
    expect((await t.call('tom', 'POST', `/changes/${change.id}/approve`, {})).status).toBe(403);
    await t.call('priya', 'POST', `/changes/${change.id}/comments`, { body: 'marker' });
    const received = await stream.waitFor('"events":["commented"]');
    expect(received.match(/event: change/g)).toHaveLength(1);
    stream.close();
  });

  it('ends open streams when the server closes', async () => {
    const stream = await openStream(url, { authorization: `Bearer ${t.tokens.kim}` });
    await stream.waitFor('event: ready');
    await t.app.close();
    await stream.ended();
  });
});
