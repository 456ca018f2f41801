import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { allEvents, verifyAuditTrail } from '../src/app/audit.js';
import { parseDatabaseUrl, type DatabaseTarget } from '../src/storage/database-url.js';
import { hashEvent } from '../src/domain/events.js';
import { parsePolicy } from '../src/policy/load.js';
import { openDatabase, type Database } from '../src/storage/database.js';
import { startTestApp, submittedChange, type TestApp } from './_util/app.js';
import { runCli } from './_util/cli.js';
import { databaseKinds } from './_util/databases.js';

describe.each(databaseKinds)('tamper evidence on $name', (kind) => {
  let t: TestApp;
  let raw: Database;

  /** A history of ten events; then a second connection, like an attacker with database access. */
  async function withHistory() {
    t = await startTestApp(kind, { auditOnClose: false });
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

  describe('stored data that disagrees with the history', () => {
    /** The rejected change (CHG-2), approved by an edit of its row; then asked at the gate. */
    async function gateOn(id: number) {
      return (await t.call('kim', 'GET', `/gate?change=CHG-${id}`)).body;
    }
    const audit = () =>
      verifyAuditTrail(t.ctx.store.read, {
        parsePolicy: (source) => {
          const result = parsePolicy(source);
          return result.ok ? result.policy : undefined;
        },
      });

    it('passes an untouched history, and the gate passes its approved change', async () => {
      await withHistory();
      expect(await audit()).toMatchObject({ ok: true, count: 10, changes: 2, policies: 1 });
      expect(await gateOn(1)).toMatchObject({ covered: true });
    });

    it('finds a state edited in the row, and the gate refuses it', async () => {
      await withHistory();
      await raw.db.updateTable('changes').set({ state: 'approved' }).where('id', '=', 2).execute();
      const verdict = await audit();
      expect(verdict).toMatchObject({
        ok: false,
        problems: ['CHG-2: its state is stored as "approved", but its history says "rejected"'],
      });
      expect(verdict).not.toHaveProperty('firstBad');
      expect(await gateOn(2)).toMatchObject({
        covered: false,
        reason: expect.stringContaining('disagrees with its audit history'),
      });
    });

    it('finds a decision inserted into the table, and the gate refuses the change it approves', async () => {
      t = await startTestApp(kind, { auditOnClose: false });
      const change = await submittedChange(t, 'priya');
      raw = openDatabase(parseDatabaseUrl(t.databaseUrl) as DatabaseTarget);
      await raw.db
        .insertInto('decisions')
        .values({
          change_id: change.number,
          round: 1,
          person: 'lee',
          verdict: 'approve',
          comment: null,
          at: '2026-11-02T10:05:00.000Z',
        })
        .execute();
      await raw.db
        .updateTable('changes')
        .set({ state: 'approved', version: change.version + 1 })
        .where('id', '=', change.number)
        .execute();
      const verdict = await audit();
      expect(verdict.ok).toBe(false);
      expect(verdict.ok ? [] : verdict.problems).toEqual(
        expect.arrayContaining([
          `${change.id}: a decision to approve by lee (round 1, 2026-11-02T10:05:00.000Z) is stored but not in its history`,
          expect.stringContaining(`${change.id}: its state is stored as "approved"`),
        ]),
      );
      expect(await gateOn(change.number)).toMatchObject({ covered: false });
    });

    it('finds a stored policy whose text was edited', async () => {
      await withHistory();
      await raw.db
        .updateTable('policies')
        .set({
          source: t.ctx.policySource.replace(
            'payments-owners: [priya, lee]',
            'payments-owners: [priya, lee, tom]',
          ),
        })
        .execute();
      expect(await audit()).toMatchObject({
        ok: false,
        problems: [
          expect.stringMatching(
            /^policy [0-9a-f]{12}…: its stored text no longer matches its hash/,
          ),
        ],
      });
    });

    it('finds a change row inserted without history, and one deleted from under its history', async () => {
      await withHistory();
      const [row] = await raw.db.selectFrom('changes').selectAll().where('id', '=', 1).execute();
      await raw.db
        .insertInto('changes')
        .values({ ...row!, id: 77, state: 'approved' })
        .execute();
      await raw.db.deleteFrom('decisions').where('change_id', '=', 2).execute();
      await raw.db.deleteFrom('change_services').where('change_id', '=', 2).execute();
      await raw.db.deleteFrom('changes').where('id', '=', 2).execute();
      const verdict = await audit();
      expect(verdict.ok ? [] : verdict.problems).toEqual(
        expect.arrayContaining([
          'CHG-77: it has no history at all (the row was inserted)',
          'CHG-2: it has events in the history but no stored change (the row was deleted)',
        ]),
      );
    });

    it('says so on the command line, with exit status 1', async () => {
      await withHistory();
      await raw.db.updateTable('changes').set({ version: 9 }).where('id', '=', 1).execute();
      const result = await runCli(['audit', 'verify'], {
        DATABASE_URL: t.databaseUrl,
        CHANGEBOARD_CONFIG: t.policyFile,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'TAMPERED: CHG-1: its version is stored as 9, but its history says 4',
      );
      expect(result.stderr).toContain('the chain of 10 events is intact');
    });
  });

  it('keeps a copy of each policy version under its hash', async () => {
    t = await startTestApp(kind, { auditOnClose: false });
    const stored = await t.ctx.store.read.policies.find(t.ctx.policy.hash);
    expect(stored?.source).toBe(t.ctx.policySource);
    raw = openDatabase(parseDatabaseUrl(t.databaseUrl) as DatabaseTarget);
    const count = await sql<{ n: number }>`select count(*) as n from policies`.execute(raw.db);
    expect(Number(count.rows[0]!.n)).toBe(1);
  });
});
