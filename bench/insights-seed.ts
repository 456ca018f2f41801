import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from '../src/storage/schema.js';
import { ANSWERS } from './seed.js';

/**
 * A year of decided changes for the insights benchmark, written straight into
 * the tables with the events the insights read (created, submitted, approvals,
 * rejections, starts, completions, failures, verifications): a realistic
 * 100,000 changes, not the hours it would take to decide them one request at a
 * time. The events carry no real hashes (the benchmark database is never
 * verified) and the chain's head is left alone.
 */

const MINUTE = 60_000;
const DAY = 1_440 * MINUTE;
const BATCH = 250;

interface SeededEvent {
  type: string;
  actor: string;
  at: number;
  data: Record<string, unknown>;
}

/** Deterministic, so two runs seed the same year. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function seedInsightsYear(
  db: Kysely<DatabaseSchema>,
  count: number,
  options: { readonly now: Date; readonly policyHash: string },
): Promise<void> {
  const next = random(17);
  const start = options.now.getTime() - 365 * DAY;
  const step = (365 * DAY - 2 * DAY) / count;
  let eventId =
    Number(
      (await sql<{ n: unknown }>`select max(id) as n from events`.execute(db)).rows[0]?.n ?? 0,
    ) + 1;
  for (let offset = 0; offset < count; offset += BATCH) {
    const plans = Array.from({ length: Math.min(BATCH, count - offset) }, (_, i) =>
      planChange(offset + i, start + (offset + i) * step, next),
    );
    await db.transaction().execute(async (tx) => {
      const ids = await tx
        .insertInto('changes')
        .values(plans.map((p) => p.row))
        .returning('id')
        .execute();
      await tx
        .insertInto('change_services')
        .values(ids.map((row, i) => ({ change_id: row.id, service: plans[i]!.service })))
        .execute();
      const events = ids.flatMap((row, i) =>
        plans[i]!.events.map((e) => ({
          id: eventId++,
          change_id: row.id,
          type: e.type,
          actor: e.actor,
          at: new Date(e.at).toISOString(),
          data: JSON.stringify(e.data),
          policy_hash: options.policyHash,
          prev_hash: 'bench',
          hash: 'bench',
        })),
      );
      for (let i = 0; i < events.length; i += 1000)
        await tx
          .insertInto('events')
          .values(events.slice(i, i + 1000))
          .execute();
    });
  }
}

function planChange(n: number, createdAt: number, next: () => number) {
  const service = n % 3 === 0 ? 'website' : 'payments';
  const group = service === 'payments' ? 'payments-owners' : 'web-owners';
  const approver = service === 'payments' ? 'lee' : 'dev';
  const requester = service === 'payments' ? 'priya' : 'ana';
  const emergency = n % 20 === 7;
  const risk = (['low', 'low', 'medium', 'high'] as const)[n % 4]!;
  const requirements = [{ group, count: 1, service }];
  const events: SeededEvent[] = [];
  const at = (minutesAfter: number) => createdAt + minutesAfter * MINUTE;
  events.push({ type: 'created', actor: requester, at: at(0), data: {} });
  const submitted = 5 + Math.floor(next() * 60);
  events.push({
    type: 'submitted',
    actor: requester,
    at: at(submitted),
    data: { round: 1, requirements },
  });
  // Most decided within a working day, a long tail over days.
  const waited = Math.round(-Math.log(1 - next()) * (emergency ? 20 : 240));
  const decided = submitted + waited;
  const rejected = next() < 0.06;
  let state: string;
  if (rejected) {
    events.push({
      type: 'approval-rejected',
      actor: approver,
      at: at(decided),
      data: { round: 1, comment: 'Not in this window' },
    });
    events.push({ type: 'rejected', actor: approver, at: at(decided), data: { round: 1 } });
    state = 'rejected';
  } else {
    events.push({
      type: 'approval-granted',
      actor: approver,
      at: at(decided),
      data: { round: 1, countedFor: [group] },
    });
    events.push({ type: 'approved', actor: approver, at: at(decided), data: { round: 1 } });
    state = 'approved';
    if (next() < 0.9) {
      events.push({ type: 'started', actor: requester, at: at(decided + 30), data: {} });
      const failed = next() < 0.04;
      events.push({
        type: failed ? 'failed' : 'completed',
        actor: requester,
        at: at(decided + 90),
        data: {},
      });
      state = failed ? 'failed' : 'completed';
      if (!failed && emergency) {
        events.push({ type: 'verified', actor: requester, at: at(decided + 600), data: {} });
        state = 'verified';
      }
    }
  }
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    service,
    events,
    row: {
      title: `Seeded ${emergency ? 'emergency' : 'change'} ${n}: adjust ${service} settings`,
      description: 'Seeded for the insights benchmark.',
      type: emergency ? 'emergency' : 'normal',
      services: JSON.stringify([service]),
      answers: JSON.stringify({ ...ANSWERS, risk }),
      planned_start: null,
      planned_end: null,
      links: '[]',
      requester,
      state,
      version: events.length,
      round: 1,
      requirements: JSON.stringify(requirements),
      meetings: '[]',
      created_at: iso(at(0)),
      updated_at: iso(events[events.length - 1]!.at),
      submitted_at: iso(at(submitted)),
      requested_at: iso(at(submitted)),
    },
  };
}
