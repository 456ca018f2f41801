import { describe, expect, it } from 'vitest';
import {
  ChainVerifier,
  GENESIS_HASH,
  hashEvent,
  type AuditEvent,
  type NewEvent,
} from './events.js';

const POLICY_HASH = 'a'.repeat(64);

/** Builds a valid chain the way storage appends: ids from 1, each linked to the hash before it. */
function buildChain(events: readonly NewEvent[]): AuditEvent[] {
  const chain: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  events.forEach((event, i) => {
    const unsigned = {
      ...event,
      id: i + 1,
      at: `2026-11-02T10:0${i}:00.000Z`,
      policyHash: POLICY_HASH,
      prevHash,
    };
    const hash = hashEvent(unsigned);
    chain.push({ ...unsigned, hash });
    prevHash = hash;
  });
  return chain;
}

const CHAIN = buildChain([
  { changeId: 1, type: 'created', actor: 'priya', data: { title: 'Raise payment retry limit' } },
  {
    changeId: 1,
    type: 'submitted',
    actor: 'priya',
    data: { requirements: [{ group: 'payments-owners', count: 1 }] },
  },
  { changeId: 1, type: 'approval-granted', actor: 'lee', data: { comment: 'ok', round: 1 } },
  { changeId: 1, type: 'approved', actor: 'lee', data: { approvers: ['lee'] } },
  { changeId: 1, type: 'started', actor: 'priya', data: {} },
]);

const last = CHAIN[CHAIN.length - 1]!;
const HEAD = { lastId: last.id, lastHash: last.hash };

/** `head: null` verifies without a recorded head. */
function verify(
  events: readonly AuditEvent[],
  head: { lastId: number; lastHash: string } | null = HEAD,
) {
  const verifier = new ChainVerifier();
  for (const event of events) verifier.push(event);
  return verifier.finish(head ?? undefined);
}

/** Recomputes the hash of an edited event, as a forger who knows the algorithm would. */
function rehash(event: AuditEvent): AuditEvent {
  const { hash: _, ...rest } = event;
  return { ...rest, hash: hashEvent(rest) };
}

describe('hashEvent', () => {
  const event = CHAIN[2]!;
  const { hash: _, ...base } = event;

  it('is a SHA-256 hex digest and stable for the same content', () => {
    expect(hashEvent(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent(base)).toBe(event.hash);
    expect(hashEvent({ ...base, data: { ...base.data } })).toBe(event.hash);
  });

  it('does not depend on key order (canonical JSON)', () => {
    const reordered = {
      prevHash: base.prevHash,
      policyHash: base.policyHash,
      data: { round: 1, comment: 'ok' },
      at: base.at,
      actor: base.actor,
      type: base.type,
      changeId: base.changeId,
      id: base.id,
    };
    expect(hashEvent(reordered)).toBe(event.hash);
  });

  it('changes when any field changes', () => {
    const variants: Omit<AuditEvent, 'hash'>[] = [
      { ...base, id: base.id + 1 },
      { ...base, changeId: 2 },
      { ...base, type: 'approval-rejected' },
      { ...base, actor: 'ana' },
      { ...base, at: '2026-11-02T10:02:00.001Z' },
      { ...base, data: { comment: 'ok!', round: 1 } },
      { ...base, data: { comment: 'ok', round: 2 } },
      { ...base, data: { comment: 'ok', round: 1, extra: null } },
      { ...base, policyHash: 'b'.repeat(64) },
      { ...base, prevHash: GENESIS_HASH },
    ];
    const hashes = variants.map(hashEvent);
    for (const hash of hashes) expect(hash).not.toBe(event.hash);
    expect(new Set(hashes).size).toBe(variants.length);
  });

  it('ignores the hash field itself', () => {
    expect(hashEvent({ ...base, hash: 'forged' } as AuditEvent)).toBe(event.hash);
  });
});

describe('ChainVerifier', () => {
  it('accepts an intact chain and counts its events', () => {
    expect(verify(CHAIN)).toEqual({ ok: true, count: 5 });
    expect(verify(CHAIN, null)).toEqual({ ok: true, count: 5 });
  });

  it('accepts an empty chain', () => {
    expect(verify([], null)).toEqual({ ok: true, count: 0 });
    expect(verify([], { lastId: 0, lastHash: GENESIS_HASH })).toEqual({ ok: true, count: 0 });
  });

  it('names an edited event', () => {
    const edited = CHAIN.map((e) => (e.id === 3 ? { ...e, actor: 'mallory' } : e));
    const result = verify(edited);
    expect(result).toMatchObject({ ok: false, count: 2, break: { eventId: 3 } });
    expect(!result.ok && result.break.reason).toBe(
      'its content does not match its hash: the event was edited',
    );
  });

  it('names the next event when an edited event was re-hashed', () => {
    const edited = CHAIN.map((e) =>
      e.id === 3 ? rehash({ ...e, data: { comment: 'ok', round: 1, forged: true } }) : e,
    );
    const result = verify(edited);
    expect(result).toMatchObject({ ok: false, count: 3, break: { eventId: 4 } });
    expect(!result.ok && result.break.reason).toContain('prevHash does not match');
  });

  it('names the event after a deleted one', () => {
    const result = verify(CHAIN.filter((e) => e.id !== 2));
    expect(result).toMatchObject({ ok: false, count: 1, break: { eventId: 3 } });
    expect(!result.ok && result.break.reason).toBe(
      'expected event 2 next but found 3: events are missing',
    );
  });

  it('catches a deleted event whose successors were renumbered and re-hashed', () => {
    // Renumbering keeps ids consecutive; the first renumbered event still links to the deleted one.
    const renumbered = CHAIN.filter((e) => e.id !== 2).map((e) =>
      e.id > 2 ? rehash({ ...e, id: e.id - 1 }) : e,
    );
    const result = verify(renumbered, { lastId: 4, lastHash: renumbered[3]!.hash });
    expect(result).toMatchObject({ ok: false, count: 1, break: { eventId: 2 } });
    expect(!result.ok && result.break.reason).toContain('prevHash does not match');
  });

  it('names an inserted event that reuses an id', () => {
    const forged = rehash({ ...CHAIN[2]!, actor: 'mallory' });
    const inserted = [...CHAIN.slice(0, 3), forged, ...CHAIN.slice(3)];
    const result = verify(inserted);
    expect(result).toMatchObject({ ok: false, count: 3, break: { eventId: 3 } });
    expect(!result.ok && result.break.reason).toBe('event 3 appears out of order after event 3');
  });

  it('names the first event after an insertion that was linked in and renumbered', () => {
    const forged = rehash({ ...CHAIN[2]!, id: 3, prevHash: CHAIN[1]!.hash, actor: 'mallory' });
    const shifted = CHAIN.slice(2).map((e) => ({ ...e, id: e.id + 1 }));
    const result = verify([...CHAIN.slice(0, 2), forged, ...shifted]);
    expect(result).toMatchObject({ ok: false, count: 3, break: { eventId: 4 } });
    expect(!result.ok && result.break.reason).toContain('prevHash does not match');
  });

  it('names the first out-of-place event when events are reordered', () => {
    const reordered = [CHAIN[0]!, CHAIN[2]!, CHAIN[1]!, CHAIN[3]!, CHAIN[4]!];
    expect(verify(reordered)).toMatchObject({ ok: false, count: 1, break: { eventId: 3 } });
  });

  it('catches reordering even when the ids were swapped back', () => {
    const reordered = [
      CHAIN[0]!,
      { ...CHAIN[2]!, id: 2 },
      { ...CHAIN[1]!, id: 3 },
      CHAIN[3]!,
      CHAIN[4]!,
    ];
    const result = verify(reordered);
    expect(result).toMatchObject({ ok: false, count: 1, break: { eventId: 2 } });
    expect(!result.ok && result.break.reason).toContain('prevHash does not match');
  });

  it('catches a chain that does not start at the genesis hash', () => {
    const result = verify([{ ...CHAIN[0]!, prevHash: 'f'.repeat(64) }]);
    expect(result).toMatchObject({ ok: false, count: 0, break: { eventId: 1 } });
  });

  it('reports only the first break', () => {
    const broken = CHAIN.map((e) => (e.id === 2 || e.id === 4 ? { ...e, actor: 'mallory' } : e));
    expect(verify(broken)).toMatchObject({ ok: false, count: 1, break: { eventId: 2 } });
  });

  it('catches a removed tail with the recorded head', () => {
    const truncated = CHAIN.slice(0, 3);
    // The chain itself is intact: only the head reveals the loss.
    expect(verify(truncated, null)).toEqual({ ok: true, count: 3 });
    const result = verify(truncated);
    expect(result).toMatchObject({ ok: false, count: 3, break: { eventId: 4 } });
    expect(!result.ok && result.break.reason).toBe(
      'the chain ends at event 3 but the recorded head is event 5: events were removed from the end or the head was altered',
    );
  });

  it('catches an altered head hash', () => {
    const result = verify(CHAIN, { lastId: 5, lastHash: 'e'.repeat(64) });
    expect(result).toMatchObject({ ok: false, count: 5, break: { eventId: 5 } });
  });

  it('catches a head that is behind the chain', () => {
    const result = verify(CHAIN, { lastId: 3, lastHash: CHAIN[2]!.hash });
    expect(result).toMatchObject({ ok: false, break: { eventId: 3 } });
  });
});
