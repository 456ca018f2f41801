import { describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../app/ports.js';
import { oneByOne, type DeliveryOutcome } from './deliverer.js';

const message = (id: string, changeId: number | null) => ({ id, changeId }) as OutboxMessage;

describe('oneByOne', () => {
  it('sends one change’s messages in order, different changes side by side, a few at a time', async () => {
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    const deliverer = oneByOne(
      'teams',
      async (m): Promise<DeliveryOutcome> => {
        inFlight++;
        most = Math.max(most, inFlight);
        log.push(`start ${m.id}`);
        // Later messages finish sooner: order within a change must not depend on timing.
        await new Promise((resolve) => setTimeout(resolve, 30 - Number(m.id.slice(1))));
        log.push(`end ${m.id}`);
        inFlight--;
        return m.id === 'm4' ? { ok: false, permanent: false, reason: 'busy' } : { ok: true };
      },
      { changesAtOnce: 2 },
    );
    const messages = [
      message('m1', 1),
      message('m2', 2),
      message('m3', 1),
      message('m4', 3),
      message('m5', null),
      message('m6', 1),
    ];
    const outcomes = await deliverer.deliver(messages);
    // Each outcome in its message's place.
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, false, true, true]);
    expect(most).toBe(2);
    const order = (id: string) => log.indexOf(`start ${id}`);
    for (const [before, after] of [
      ['m1', 'm3'],
      ['m3', 'm6'],
    ] as const)
      expect(log.indexOf(`end ${before}`)).toBeLessThan(order(after));
    // Change 2 did not wait for change 1's three messages.
    expect(order('m2')).toBeLessThan(order('m3'));
  });

  it('fails only the message whose send threw, and holds back the rest of its change', async () => {
    const sent: string[] = [];
    const deliverer = oneByOne(
      'slack',
      async (m): Promise<DeliveryOutcome> => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (m.id === 'card') throw new Error('the database timed out');
        if (m.id === 'other')
          return { ok: false, permanent: false, reason: '429', retryAfterMs: 900 };
        sent.push(m.id);
        return { ok: true };
      },
      { changesAtOnce: 8 },
    );
    const outcomes = await deliverer.deliver([
      message('card', 1),
      message('a', 2),
      message('update', 1),
      message('other', 3),
      message('other-update', 3),
      message('b', 4),
    ]);
    // Every other change's messages went once; nothing was sent after the deliverer answered.
    expect(sent.sort()).toEqual(['a', 'b']);
    expect(outcomes).toEqual([
      { ok: false, permanent: false, reason: 'unexpected error: the database timed out' },
      { ok: true },
      { ok: false, permanent: false, reason: 'waits for an earlier message about the same change' },
      { ok: false, permanent: false, reason: '429', retryAfterMs: 900 },
      {
        ok: false,
        permanent: false,
        reason: 'waits for an earlier message about the same change',
        retryAfterMs: 900,
      },
      { ok: true },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toHaveLength(2);
  });

  it('sends strictly one after the other by default', async () => {
    const log: string[] = [];
    const deliverer = oneByOne('github-status', async (m) => {
      log.push(`start ${m.id}`);
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.push(`end ${m.id}`);
      return { ok: true };
    });
    await deliverer.deliver([message('a', 1), message('b', 2)]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });
});
