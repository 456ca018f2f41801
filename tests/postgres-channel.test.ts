import { describe, expect, it } from 'vitest';
import { envelopes, openPostgresChannel } from '../src/storage/postgres-channel.js';
import { postgres } from './_util/databases.js';

const carried = (texts: string[]) =>
  texts.flatMap((t) => {
    const envelope = JSON.parse(t) as { payloads?: unknown[]; payload?: unknown };
    return envelope.payloads ?? [envelope.payload];
  });

describe('NOTIFY envelopes', () => {
  it('carries payloads together, each envelope under NOTIFY’s 8000 bytes', () => {
    const payloads = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify({ id: i, title: 'x'.repeat(300) }),
    );
    const texts = envelopes('me', payloads);
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) expect(Buffer.byteLength(text)).toBeLessThan(8000);
    expect(carried(texts)).toEqual(payloads.map((p) => JSON.parse(p) as unknown));
    expect(envelopes('me', [])).toEqual([]);
  });

  it('sends one alone as every earlier version reads it, and one too large alone', () => {
    expect(envelopes('me', ['{"id":1}'])).toEqual(['{"from":"me","payload":{"id":1}}']);
    const large = JSON.stringify({ id: 2, note: 'z'.repeat(9_000) });
    const texts = envelopes('me', ['{"id":1}', large, '{"id":3}']);
    // The large one fails alone at NOTIFY's limit; its neighbours travel without it.
    expect(texts).toHaveLength(3);
    expect(carried(texts)).toEqual([{ id: 1 }, JSON.parse(large), { id: 3 }]);
  });
});

describe.skipIf(!postgres)('a NOTIFY channel on PostgreSQL', () => {
  it('hands another process every payload sent in one turn, in order, and never its own', async () => {
    const database = await postgres!.create();
    const heard: { a: unknown[]; b: unknown[] } = { a: [], b: [] };
    const a = openPostgresChannel(database.url, 'changeboard_test', (p) => heard.a.push(p));
    const b = openPostgresChannel(database.url, 'changeboard_test', (p) => heard.b.push(p));
    try {
      // Both listening: a first payload gets through.
      const started = Date.now();
      while (heard.b.length === 0 && Date.now() - started < 10_000) {
        a.notify({ ping: true });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const sent = Array.from({ length: 300 }, (_, i) => ({ id: i, note: 'y'.repeat(100) }));
      for (const payload of sent) a.notify(payload);
      const notPings = () => heard.b.filter((p) => !(p as { ping?: true }).ping);
      while (notPings().length < sent.length && Date.now() - started < 20_000)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(notPings()).toEqual(sent);
      expect(heard.a).toEqual([]);
    } finally {
      await a.close();
      await b.close();
      await database.drop();
    }
  });
});
