import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { allEvents, verifyAuditTrail } from '../src/app/audit.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../src/config/database-url.js';
import { hashEvent } from '../src/domain/events.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { databaseKinds } from './_util/databases.js';

describe.each(databaseKinds)('tamper evidence on $name', (kind) => {
  let t: TestApp;
  let raw: Database;

  /** A history of ten events; then a second connection, like an attacker with database access. */
  async function withHistory() {
    t = await startTestApp(kind);
    const change = await submittedChange(t, 'priya'); // created, submitted
    await t.call('lee', 'POST', `/changes/${change.id}/approve`, { comment: 'fine' }); // approval-granted, approved
    await t.call('priya', 'POST', `/changes/${change.id}/start`); // started
    await t.call('tom', 'POST', `/changes/${change.id}/comments`, { body: 'watching' }); // commented
    const other = await submittedChange(t, 'ana', { services: ['website'] }); // created, submitted
    await t.call('dev', 'POST', `/changes/${other.id}/reject`, { comment: 'not now' }); // approval-rejected, rejected
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({ ok: true, count: 10 });
    raw = openDatabase(parseDatabaseUrl(t.databaseUrl) as DatabaseTarget);
  }

  afterEach(async () => {
    await raw?.db.destroy();
    await t?.close();
  });

  it('names an edited event', async () => {
    await withHistory();
    await raw.db
      .updateTable('events')
      .set({ data: JSON.stringify({ comment: 'looks great' }) })
      .where('id', '=', 3)
      .execute();
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({
      ok: false,
      firstBad: { eventId: 3, reason: expect.stringContaining('edited') },
    });
  });

  it('names an event whose actor was changed', async () => {
    await withHistory();
    await raw.db.updateTable('events').set({ actor: 'kim' }).where('id', '=', 4).execute();
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({
      ok: false,
      firstBad: { eventId: 4 },
    });
  });

  it('finds a deleted event', async () => {
    await withHistory();
    await raw.db.deleteFrom('events').where('id', '=', 5).execute();
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({
      ok: false,
      firstBad: { eventId: 6, reason: expect.stringContaining('expected event 5') },
    });
  });

  it('finds events deleted from the end', async () => {
    await withHistory();
    await raw.db.deleteFrom('events').where('id', '>=', 9).execute();
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({
      ok: false,
      firstBad: { eventId: 9, reason: expect.stringContaining('removed from the end') },
    });
  });

  it('finds an inserted event, even one with a correct hash of its own', async () => {
    await withHistory();
    // Make room at position 5 and insert a forged, self-consistent event there.
    const events = [];
    for await (const event of allEvents(t.ctx.store.read)) events.push(event);
    await raw.db.deleteFrom('events').where('id', '>=', 5).execute();
    const forged = {
      ...events[3]!,
      id: 5,
      type: 'commented' as const,
      actor: 'kim',
      data: { body: 'forged' },
      prevHash: events[3]!.hash,
    };
    const rows = [
      { ...forged, hash: hashEvent(forged) },
      ...events.slice(4).map((e) => ({ ...e, id: e.id + 1 })),
    ];
    await raw.db
      .insertInto('events')
      .values(
        rows.map((e) => ({
          id: e.id,
          change_id: e.changeId,
          type: e.type,
          actor: e.actor,
          at: e.at,
          data: JSON.stringify(e.data),
          policy_hash: e.policyHash,
          prev_hash: e.prevHash,
          hash: e.hash,
        })),
      )
      .execute();
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({
      ok: false,
      firstBad: { eventId: 6, reason: expect.stringContaining('prevHash') },
    });
  });

  it('finds reordered events', async () => {
    await withHistory();
    await raw.db.updateTable('events').set({ id: 1000 }).where('id', '=', 6).execute();
    await raw.db.updateTable('events').set({ id: 6 }).where('id', '=', 7).execute();
    await raw.db.updateTable('events').set({ id: 7 }).where('id', '=', 1000).execute();
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({
      ok: false,
      firstBad: { eventId: 6 },
    });
  });

  it('is not fooled by a recomputed hash on an edited event', async () => {
    await withHistory();
    // The attacker re-hashes the edited event; the next event's prevHash still points at the original.
    const [original] = await t.ctx.store.read.events.listAll(2, 1);
    const edited = {
      ...original!,
      data: { comment: 'rewritten', round: 1, countedFor: ['payments-owners'] },
    };
    await raw.db
      .updateTable('events')
      .set({ data: JSON.stringify(edited.data), hash: hashEvent(edited) })
      .where('id', '=', 3)
      .execute();
    expect(await verifyAuditTrail(t.ctx.store.read)).toMatchObject({
      ok: false,
      firstBad: { eventId: 4 },
    });
  });

  it('keeps a copy of each policy version under its hash', async () => {
    t = await startTestApp(kind);
    const stored = await t.ctx.store.read.policies.find(t.ctx.policy.hash);
    expect(stored?.source).toBe(t.ctx.policySource);
    raw = openDatabase(parseDatabaseUrl(t.databaseUrl) as DatabaseTarget);
    const count = await sql<{ n: number }>`select count(*) as n from policies`.execute(raw.db);
    expect(Number(count.rows[0]!.n)).toBe(1);
  });
});
