import { setImmediate as turnOfTheEventLoop } from 'node:timers/promises';
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type {
  ClassMember,
  ClassTallyRow,
  InsightsPopulation,
  InsightsStore,
} from '../app/ports/insights.js';
import { CHANGE_STATES, type ChangeState } from '../domain/change.js';
import {
  addUp,
  chunkKeyOf,
  CHUNK_FORMAT,
  replayWaitedOn,
  servicesKeyOf,
  summarise,
  WEEK_MS,
  weekStartMs,
  type Chunk,
  type ChunkKey,
  type Counted,
  type DurationTotal,
  type PeriodTotals,
} from '../domain/insights/chunks.js';
import type { ChangeTimings, GroupMinutes } from '../domain/insights/rollup.js';
import {
  SAMPLE_IDS,
  SAMPLE_ITEMS,
  type CountSummary,
  type DurationSummary,
  type WeekSummary,
} from '../domain/insights/summary.js';
import type { DialectFeatures } from './dialects/features.js';
import type { DatabaseSchema, InsightChunksTable } from './schema.js';

/**
 * The insights' rollup and its sums. Every figure is one aggregate over the
 * period's rows of `change_timings` (with `change_group_timings`,
 * `change_sittings` and `change_services` where it needs them); the ids behind
 * a figure are its first SAMPLE_IDS by id, each a short walk of the primary key.
 */

type InsightChunkRow = Selectable<InsightChunksTable>;
const SAVE_BATCH = 200;

type Sql = RawBuilder<unknown>;

const num = (value: unknown): number => Number(value ?? 0);
const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
const flag = (value: boolean): number => (value ? 1 : 0);

export function insightsRepository(
  db: Kysely<DatabaseSchema>,
  features: DialectFeatures,
): InsightsStore {
  /**
   * `t` is a row of the period's population. `byId`: walked in id order, never
   * by the index on created_ms (`+` keeps SQLite off it), so that "the first
   * 200 by id" stops after 200 rows instead of sorting the period.
   */
  function inPopulation(p: InsightsPopulation, byId = false): Sql {
    // PostgreSQL plans the walk from its statistics; an expression would hide them.
    const created = byId && features.name === 'sqlite' ? sql`+t.created_ms` : sql`t.created_ms`;
    return sql.join(
      [
        sql`${created} >= ${p.fromMs}`,
        sql`${created} < ${p.toMs}`,
        ...(p.types.length > 0 ? [sql`t.type in (${sql.join([...p.types])})`] : []),
        ...(p.services.length > 0
          ? [
              sql`exists (select 1 from change_services cs where cs.change_id = t.change_id and cs.service in (${sql.join([...p.services])}))`,
            ]
          : []),
      ],
      sql` and `,
    );
  }

  async function rows<R>(query: Sql): Promise<R[]> {
    const t0 = performance.now();
    const r = (await query.execute(db)).rows as R[];
    if (process.env.PROFILE)
      console.log(
        '  ',
        Math.round(performance.now() - t0),
        query.compile(db).sql.replace(/\s+/g, ' ').slice(0, 90),
      );
    return r;
  }

  /** The first SAMPLE_IDS ids of several figures, each named by `key`, in one round trip. */
  async function sampleIds(
    branches: readonly { key: string; from: Sql; where: Sql; id: Sql }[],
  ): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>(branches.map((b) => [b.key, []]));
    if (branches.length === 0) return out;
    const union = sql.join(
      branches.map(
        (b) =>
          sql`select * from (select cast(${b.key} as text) as k, ${b.id} as id from ${b.from} where ${b.where} order by ${b.id} limit ${SAMPLE_IDS}) s`,
      ),
      sql` union all `,
    );
    for (const row of await rows<{ k: string; id: unknown }>(union))
      out.get(row.k)!.push(num(row.id));
    for (const list of out.values()) list.sort((a, b) => a - b);
    return out;
  }

  /** The rollup rows of `t` that `where` selects, with their groups and sittings. */
  async function timingsWhere(where: Sql): Promise<ChangeTimings[]> {
    const found = await rows<Record<string, unknown>>(
      sql`select t.* from change_timings t where ${where}`,
    );
    if (found.length === 0) return [];
    const groups = new Map<number, GroupMinutes[]>();
    for (const g of await rows<Record<string, unknown>>(
      sql`select g.* from change_group_timings g join change_timings t on t.change_id = g.change_id where ${where}`,
    ))
      pushTo(groups, num(g.change_id), {
        group: String(g.group_id),
        decisionMinutes: numOrNull(g.decision_minutes),
        firstResponseMinutes: numOrNull(g.first_response_minutes),
      });
    const sittings = new Map<number, string[]>();
    for (const r of await rows<{ change_id: unknown; sitting: string }>(
      sql`select s.change_id, s.sitting from change_sittings s join change_timings t on t.change_id = s.change_id where ${where}`,
    ))
      pushTo(sittings, num(r.change_id), r.sitting);
    return found.map((r) =>
      timingsOfRow(r, groups.get(num(r.change_id)) ?? [], sittings.get(num(r.change_id)) ?? []),
    );
  }

  /**
   * The period's sums: the stored chunks of the weeks wholly inside it (a chunk
   * a write cleared is worked out again from its week's rows and kept, unless
   * another write came since), and the changes of the weeks its edges cut.
   */
  async function totalsOf(p: InsightsPopulation): Promise<PeriodTotals> {
    const { firstWhole, endWhole } = wholeWeeksOf(p);
    const wanted = (type: string, servicesKey: string) =>
      (p.types.length === 0 || p.types.includes(type)) &&
      (p.services.length === 0 ||
        (JSON.parse(servicesKey) as string[]).some((s) => p.services.includes(s)));
    const parts: { type: string; chunk: Chunk }[] = [];
    const edges: [number, number][] = [];
    if (firstWhole < endWhole) {
      let stored = db
        .selectFrom('insight_chunks')
        .selectAll()
        .where('week_ms', '>=', firstWhole)
        .where('week_ms', '<', endWhole);
      if (p.types.length > 0) stored = stored.where('type', 'in', [...p.types]);
      const cleared = new Map<number, InsightChunkRow[]>();
      for (const row of await stored.execute()) {
        if (!wanted(row.type, row.services_key)) continue;
        const chunk = parsedChunk(row.data);
        if (chunk !== null) parts.push({ type: row.type, chunk });
        else pushTo(cleared, num(row.week_ms), row);
      }
      for (const [weekMs, chunks] of cleared) parts.push(...(await workOut(weekMs, chunks)));
      edges.push([p.fromMs, firstWhole], [endWhole, p.toMs]);
    } else edges.push([p.fromMs, p.toMs]);
    for (const [fromMs, toMs] of edges) {
      if (fromMs >= toMs) continue;
      const byKey = new Map<string, ChangeTimings[]>();
      for (const t of await timingsWhere(inPopulation({ ...p, fromMs, toMs })))
        pushTo(byKey, t.type, t);
      for (const [type, list] of byKey) parts.push({ type, chunk: summarise(list) });
    }
    return addUp(parts);
  }

  /** Works out the cleared chunks of a week from its rows; keeps each unless a write came since it was read. */
  async function workOut(weekMs: number, cleared: readonly InsightChunkRow[]) {
    const byKey = new Map<string, ChangeTimings[]>();
    for (const t of await timingsWhere(
      sql`t.created_ms >= ${weekMs} and t.created_ms < ${weekMs + WEEK_MS}`,
    ))
      pushTo(byKey, `${t.type}\t${servicesKeyOf(t.services)}`, t);
    const parts: { type: string; chunk: Chunk }[] = [];
    for (const row of cleared) {
      const chunk = summarise(byKey.get(`${row.type}\t${row.services_key}`) ?? []);
      // One statement each: a reader never holds a chunk's lock while waiting for another.
      await db
        .updateTable('insight_chunks')
        .set({ data: JSON.stringify(chunk) })
        .where('week_ms', '=', row.week_ms)
        .where('type', '=', row.type)
        .where('services_key', '=', row.services_key)
        .where('generation', '=', row.generation)
        .execute();
      parts.push({ type: row.type, chunk });
    }
    return parts;
  }

  return {
    async staleIds(population, policyHash, limit, ids) {
      // The population as the board lists it: by the change's own columns, rolled up or not.
      const where = sql.join(
        [
          sql`c.created_at >= ${new Date(population.fromMs).toISOString()}`,
          sql`c.created_at < ${new Date(population.toMs).toISOString()}`,
          ...(population.types.length > 0
            ? [sql`c.type in (${sql.join([...population.types])})`]
            : []),
          ...(population.services.length > 0
            ? [
                sql`exists (select 1 from change_services cs where cs.change_id = c.id and cs.service in (${sql.join([...population.services])}))`,
              ]
            : []),
          sql`(t.change_id is null or t.version <> c.version or t.policy_hash <> ${policyHash})`,
          ...(ids ? [sql`c.id > ${ids.after}`, sql`c.id <= ${ids.upTo}`] : []),
        ],
        sql` and `,
      );
      const found = await rows<{ id: unknown }>(
        sql`select c.id from changes c left join change_timings t on t.change_id = c.id where ${where} order by c.id limit ${limit}`,
      );
      return found.map((r) => num(r.id));
    },

    async save(list, policyHash) {
      for (let i = 0; i < list.length; i += SAVE_BATCH) {
        const batch = list.slice(i, i + SAVE_BATCH);
        await db.transaction().execute(async (tx) => {
          // Two processes catching up at once would write the same rows: one at a time.
          if (features.advisoryLocks)
            await sql`select pg_advisory_xact_lock(hashtext('changeboard_insights'))`.execute(tx);
          const ids = batch.map((r) => r.timings.id);
          const before = await tx
            .selectFrom('change_timings')
            .select(['change_id', 'version', 'created_ms', 'type', 'services_key'])
            .where('change_id', 'in', ids)
            .execute();
          const current = new Map(before.map((r) => [num(r.change_id), num(r.version)]));
          // A row newer than ours (another process caught up since we read) stays.
          const fresh = batch.filter((r) => (current.get(r.timings.id) ?? -1) <= r.version);
          if (fresh.length === 0) return;
          const freshIds = fresh.map((r) => r.timings.id);
          await tx.deleteFrom('change_timings').where('change_id', 'in', freshIds).execute();
          await tx.deleteFrom('change_group_timings').where('change_id', 'in', freshIds).execute();
          await tx.deleteFrom('change_sittings').where('change_id', 'in', freshIds).execute();
          await tx
            .insertInto('change_timings')
            .values(fresh.map((r) => timingRow(r.timings, r.version, policyHash)))
            .execute();
          const groups = fresh.flatMap(({ timings }) =>
            timings.groups.map((g) => ({
              change_id: timings.id,
              group_id: g.group,
              decision_minutes: g.decisionMinutes,
              first_response_minutes: g.firstResponseMinutes,
            })),
          );
          if (groups.length > 0)
            await tx.insertInto('change_group_timings').values(groups).execute();
          const sittings = fresh.flatMap(({ timings }) =>
            [...new Set(timings.sittings)].map((sitting) => ({ change_id: timings.id, sitting })),
          );
          if (sittings.length > 0)
            await tx.insertInto('change_sittings').values(sittings).execute();
          // The chunks these rows were and are in are worked out again when next read.
          const freshSet = new Set(freshIds);
          const touched = new Map<string, ChunkKey>();
          for (const key of [
            ...before
              .filter((r) => freshSet.has(num(r.change_id)))
              .map((r) => ({
                weekMs: weekStartMs(num(r.created_ms)),
                type: r.type,
                servicesKey: r.services_key,
              })),
            ...fresh.map((r) => chunkKeyOf(r.timings)),
          ])
            touched.set(`${key.weekMs}\t${key.type}\t${key.servicesKey}`, key);
          const keys = [...touched].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
          await tx
            .insertInto('insight_chunks')
            .values(
              keys.map(([, k]) => ({
                week_ms: k.weekMs,
                type: k.type,
                services_key: k.servicesKey,
                generation: 1,
                data: null,
              })),
            )
            .onConflict((oc) =>
              oc
                .columns(['week_ms', 'type', 'services_key'])
                .doUpdateSet({ generation: sql`insight_chunks.generation + 1`, data: null }),
            )
            .execute();
        });
      }
    },

    async analyze() {
      for (const table of [
        'change_timings',
        'change_group_timings',
        'change_sittings',
        'insight_chunks',
      ])
        await sql`analyze ${sql.table(table)}`.execute(db);
    },

    async totals(population) {
      return totalsOf(population);
    },

    async workOutCleared(population) {
      const { firstWhole, endWhole } = wholeWeeksOf(population);
      if (firstWhole >= endWhole) return 0;
      const cleared = new Map<number, InsightChunkRow[]>();
      for (const row of await db
        .selectFrom('insight_chunks')
        .selectAll()
        .where('week_ms', '>=', firstWhole)
        .where('week_ms', '<', endWhole)
        .where('data', 'is', null)
        .execute())
        pushTo(cleared, num(row.week_ms), row);
      for (const [weekMs, chunks] of cleared) {
        await workOut(weekMs, chunks);
        // A week is summed on SQLite's only thread: requests go between weeks.
        await turnOfTheEventLoop();
      }
      return [...cleared.values()].reduce((n, list) => n + list.length, 0);
    },

    async figures(population, { nowMs, grid, totals }) {
      const popById = inPopulation(population, true);
      const c = (key: Counted | 'total') => (key === 'total' ? totals.total : totals.counts[key]);
      const reviewsOverdue = totals.reviewsDue.filter((due) => due < nowMs).length;
      // Named figures in the order the in-memory figures sort them (localeCompare, not the database's collation).
      const byName = (a: string, b: string) => a.localeCompare(b);
      const byStateRows = [...totals.byState].map(([k, n]) => ({ k, n }));
      const byTypeRows = [...totals.byType]
        .map(([k, n]) => ({ k, n }))
        .sort((a, b) => byName(a.k, b.k));
      const types = byTypeRows.map((r) => r.k);
      const ttd = totals.durations;
      const keyed = (prefix: string) =>
        [...ttd.keys()]
          .filter((k) => k.startsWith(prefix))
          .map((k) => k.slice(prefix.length))
          .sort(byName);
      const services = keyed('service:');
      const ttdTypes = keyed('type:');
      const groups = [...new Set([...keyed('group:'), ...keyed('first:')])].sort(byName);
      const decided = sql`t.decision_minutes is not null`;

      const timings = sql`change_timings t`;
      const byService = sql`change_timings t join change_services cs on cs.change_id = t.change_id`;
      const byGroup = sql`change_group_timings g join change_timings t on t.change_id = g.change_id`;
      const id = sql`t.change_id`;
      const branch = (key: string, where: Sql, from: Sql = timings, idOf: Sql = id) => ({
        key,
        from,
        where: sql`${popById} and ${where}`,
        id: idOf,
      });
      const yes = sql`1 = 1`;
      const expected = new Map<string, number>([
        ['total', c('total')],
        ...byStateRows.map((r): [string, number] => [`state:${r.k}`, r.n]),
        ...byTypeRows.map((r): [string, number] => [`type:${r.k}`, r.n]),
        ['preApproved', c('preApproved')],
        ['approved', c('approved')],
        ['rejected', c('rejected')],
        ['failed', c('failed')],
        ['deployed', c('deployed')],
        ['reviewsDone', c('reviewsDone')],
        ['reviewsOwed', c('reviewsOwed')],
        ['reviewsOverdue', reviewsOverdue],
        ['discussed', c('discussed')],
        ['decidedInMeeting', c('decidedInMeeting')],
        ['decidedAsync', c('decidedAsync')],
        ['ttd', ttd.get('overall')?.n ?? 0],
        ['lead', ttd.get('lead')?.n ?? 0],
        ['emergency', ttd.get('emergency')?.n ?? 0],
      ]);
      // A figure known to be empty has no ids to look for (a walk that would find none reads the whole period).
      const worthLooking = (b: { key: string }) => expected.get(b.key) !== 0;
      const samples = await sampleIds(
        [
          branch('total', yes),
          ...byStateRows.map((r) => branch(`state:${r.k}`, sql`t.state = ${r.k}`)),
          ...types.map((type) => branch(`type:${type}`, sql`t.type = ${type}`)),
          branch('preApproved', sql`t.pre_approved = 1`),
          branch('approved', sql`t.pre_approved = 0 and t.final_outcome = 'approved'`),
          branch('rejected', sql`t.pre_approved = 0 and t.final_outcome = 'rejected'`),
          branch('failed', sql`t.failed_ms is not null`),
          branch('deployed', sql`(t.failed_ms is not null or t.completed_ms is not null)`),
          branch('reviewsDone', sql`t.reviewed = 1`),
          branch('reviewsOwed', sql`t.review_due_ms is not null and t.reviewed = 0`),
          branch(
            'reviewsOverdue',
            sql`t.review_due_ms is not null and t.reviewed = 0 and t.review_due_ms < ${nowMs}`,
          ),
          branch('discussed', sql`t.sittings > 0`),
          branch('decidedInMeeting', sql`${decided} and t.sittings > 0`),
          branch('decidedAsync', sql`${decided} and t.sittings = 0`),
          branch('ttd', decided),
          ...ttdTypes.map((type) =>
            branch(`ttd-type:${type}`, sql`${decided} and t.type = ${type}`),
          ),
          ...services.map((service) =>
            branch(
              `ttd-service:${service}`,
              sql`${decided} and cs.service = ${service}`,
              byService,
            ),
          ),
          ...groups.flatMap((group) => [
            branch(
              `group:${group}`,
              sql`g.group_id = ${group} and g.decision_minutes is not null`,
              byGroup,
              sql`g.change_id`,
            ),
            branch(
              `first:${group}`,
              sql`g.group_id = ${group} and g.first_response_minutes is not null`,
              byGroup,
              sql`g.change_id`,
            ),
          ]),
          branch('lead', sql`t.lead_minutes is not null`),
          branch('emergency', sql`t.emergency_minutes is not null`),
        ].filter(worthLooking),
      );
      const ids = (key: string) => samples.get(key) ?? [];
      const countOf = (
        key: string,
        n: number,
        extra: Partial<CountSummary> = {},
      ): CountSummary => ({
        count: n,
        ids: ids(key),
        ...extra,
      });
      const durationFrom = (
        key: string,
        figure: DurationTotal | undefined,
        extra: Partial<CountSummary> = {},
      ): DurationSummary => ({
        count: figure?.n ?? 0,
        ids: ids(key),
        ...extra,
        p50: figure?.p50 ?? null,
        p90: figure?.p90 ?? null,
        mean: figure?.mean ?? null,
      });

      const stateCounts = new Map(byStateRows.map((r) => [r.k, num(r.n)]));
      const weekly: WeekSummary[] = [];
      for (let w = 0; w < grid.weeks; w++) {
        const start = grid.firstWeekMs + w * WEEK_MS;
        const n = (kind: string) => totals.weeks.get(`${kind}@${start}`) ?? 0;
        const week = ttd.get(`week:${start}`);
        const p50 = week?.p50 ?? null;
        const p90 = week?.p90 ?? null;
        weekly.push({
          weekStart: new Date(start).toISOString(),
          weekEnd: new Date(start + WEEK_MS).toISOString(),
          created: n('created'),
          submitted: n('submitted'),
          approved: n('approved'),
          rejected: n('rejected'),
          completed: n('completed'),
          failed: n('failed'),
          timeToDecision: { p50, p90 },
        });
      }
      const settled = c('settled');
      const deployed = c('deployed');
      return {
        total: countOf('total', c('total')),
        byState: CHANGE_STATES.filter((s) => stateCounts.has(s)).map((state: ChangeState) => ({
          state,
          ...countOf(`state:${state}`, stateCounts.get(state)!, { states: [state] }),
        })),
        byType: byTypeRows.map((r) => ({ type: r.k, ...countOf(`type:${r.k}`, num(r.n)) })),
        timeToDecision: {
          overall: durationFrom('ttd', ttd.get('overall')),
          byType: ttdTypes.map((type) => ({
            type,
            ...durationFrom(`ttd-type:${type}`, ttd.get(`type:${type}`)),
          })),
          byService: services.map((service) => ({
            service,
            ...durationFrom(`ttd-service:${service}`, ttd.get(`service:${service}`)),
          })),
          byGroup: groups
            .filter((group) => ttd.has(`group:${group}`))
            .map((group) => ({
              group,
              ...durationFrom(`group:${group}`, ttd.get(`group:${group}`)),
            })),
        },
        firstResponseByGroup: groups
          .filter((group) => ttd.has(`first:${group}`))
          .map((group) => ({
            group,
            ...durationFrom(`first:${group}`, ttd.get(`first:${group}`)),
          })),
        preApproved: countOf('preApproved', c('preApproved')),
        approvalRate: {
          numerator: countOf('approved', c('approved')),
          denominator: settled,
          rate: settled === 0 ? null : c('approved') / settled,
        },
        rejectionRate: {
          numerator: countOf('rejected', c('rejected')),
          denominator: settled,
          rate: settled === 0 ? null : c('rejected') / settled,
          states: ['rejected'],
        },
        changeFailureRate: {
          numerator: countOf('failed', c('failed')),
          denominator: deployed,
          rate: deployed === 0 ? null : c('failed') / deployed,
        },
        emergencyLeadTime: durationFrom('emergency', ttd.get('emergency'), {
          states: ['verified'],
        }),
        weekly,
        deployments: {
          ...countOf('deployed', deployed),
          leadTime: durationFrom('lead', ttd.get('lead')),
        },
        reviews: {
          done: countOf('reviewsDone', c('reviewsDone')),
          overdue: countOf('reviewsOverdue', reviewsOverdue),
          owed: countOf('reviewsOwed', c('reviewsOwed'), { reviewDue: true }),
        },
        meetings: {
          sittingsHeld: totals.sittingsHeld,
          discussed: countOf('discussed', c('discussed')),
          decidedInMeeting: countOf('decidedInMeeting', c('decidedInMeeting')),
          decidedAsync: countOf('decidedAsync', c('decidedAsync')),
        },
      };
    },

    async counterfactual(_population, { sittingStarts, agendaLeadTimeMs, totals }) {
      const starts = [...new Set(sittingStarts)].sort((a, b) => a - b);
      const replay = replayWaitedOn(totals, {
        starts,
        agendaLeadTimeMs,
        sample: SAMPLE_IDS,
        items: SAMPLE_ITEMS,
      });
      const named = new Map(
        replay.items.length === 0
          ? []
          : (
              await db
                .selectFrom('changes')
                .select(['id', 'title', 'type'])
                .where(
                  'id',
                  'in',
                  replay.items.map((i) => i.id),
                )
                .execute()
            ).map((c) => [num(c.id), c]),
      );
      return {
        decided: { count: replay.count, ids: replay.ids },
        items: replay.items.map((i) => ({
          id: i.id,
          title: named.get(i.id)?.title ?? '',
          type: named.get(i.id)?.type ?? '',
          emergency: i.emergency,
          outcome: i.outcome,
          submittedAt: new Date(i.submittedMs).toISOString(),
          decidedAt: new Date(i.decidedMs).toISOString(),
          cabAt: new Date(i.cabMs).toISOString(),
          missedAgenda: i.nextMs < i.cabMs,
          savedMinutes: i.savedMinutes,
        })),
        totalSavedMinutes: replay.totalSavedMinutes,
        medianSavedMinutes: replay.medianSavedMinutes,
        faster: replay.faster,
        ecab: replay.ecab,
      };
    },

    async classes(population, minChanges, totals) {
      const tallies = [...totals.classes]
        .filter(([, t]) => t.decided >= minChanges)
        .sort(([, a], [, b]) => a.firstId - b.firstId)
        .map(([k, t]) => ({ k, ...t }));
      if (tallies.length === 0) return [];
      const popById = inPopulation(population, true);
      const inClass = (k: unknown) => sql`${popById} and t.class_key = ${String(k)}`;
      const branches = tallies.flatMap((row, i) => [
        sql`select * from (select cast(${`d${i}`} as text) as k, t.change_id as id from change_timings t where ${inClass(row.k)} and t.final_outcome is not null order by t.change_id limit ${SAMPLE_IDS}) a${sql.raw(String(3 * i))}`,
        ...(row.rejected === 0
          ? []
          : [
              sql`select * from (select cast(${`r${i}`} as text) as k, t.change_id as id from change_timings t where ${inClass(row.k)} and (t.final_outcome = 'rejected' or t.ever_rejected = 1) order by t.change_id limit 21) a${sql.raw(String(3 * i + 1))}`,
            ]),
        ...(row.failed === 0
          ? []
          : [
              sql`select * from (select cast(${`f${i}`} as text) as k, t.change_id as id from change_timings t where ${inClass(row.k)} and t.final_outcome is not null and t.failed_ms is not null order by t.change_id limit 21) a${sql.raw(String(3 * i + 2))}`,
            ]),
      ]);
      const sampled = new Map<string, number[]>();
      for (const row of await rows<{ k: string; id: unknown }>(
        sql.join(branches, sql` union all `),
      ))
        sampled.set(row.k, [...(sampled.get(row.k) ?? []), num(row.id)]);
      const ids = (k: string) => (sampled.get(k) ?? []).sort((a, b) => a - b);
      return tallies.map((row, i): ClassTallyRow => ({
        classKey: row.k,
        decided: { count: row.decided, ids: ids(`d${i}`) },
        approved: row.approved,
        rejected: { count: row.rejected, ids: ids(`r${i}`) },
        failed: { count: row.failed, ids: ids(`f${i}`) },
        open: row.open,
      }));
    },

    async classMembers(population, classKey, limit) {
      const members = await rows<{ answers: string; requester: string | null; title: string }>(sql`
        select c.answers, c.requester, c.title from changes c where c.id in (
          select t.change_id from change_timings t
          where ${inPopulation(population)} and t.class_key = ${classKey} and t.final_outcome is not null
          order by t.change_id desc limit ${limit})
        order by c.id`);
      return members.map((m): ClassMember => ({
        answers: JSON.parse(m.answers) as ClassMember['answers'],
        requester: m.requester,
        title: m.title,
      }));
    },
  };
}

function timingRow(t: ChangeTimings, version: number, policyHash: string) {
  return {
    change_id: t.id,
    version,
    policy_hash: policyHash,
    type: t.type,
    state: t.state,
    created_ms: t.createdMs,
    submitted_ms: t.submittedMs,
    decided_ms: t.decidedMs,
    completed_ms: t.completedMs,
    failed_ms: t.failedMs,
    verified_ms: t.verifiedMs,
    outcome: t.outcome,
    final_outcome: t.finalOutcome,
    ever_rejected: flag(t.everRejected),
    pre_approved: flag(t.preApproved),
    emergency: flag(t.emergency),
    decision_minutes: t.decisionMinutes,
    lead_minutes: t.leadMinutes,
    emergency_minutes: t.emergencyMinutes,
    sittings: new Set(t.sittings).size,
    review_due_ms: t.reviewDueMs,
    reviewed: flag(t.reviewed),
    class_key: t.classKey,
    services_key: servicesKeyOf(t.services),
  };
}

function timingsOfRow(
  r: Record<string, unknown>,
  groups: readonly GroupMinutes[],
  sittings: readonly string[],
): ChangeTimings {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    id: num(r.change_id),
    type: String(r.type),
    services: JSON.parse(String(r.services_key)) as string[],
    state: r.state as ChangeState,
    createdMs: num(r.created_ms),
    submittedMs: numOrNull(r.submitted_ms),
    decidedMs: numOrNull(r.decided_ms),
    completedMs: numOrNull(r.completed_ms),
    failedMs: numOrNull(r.failed_ms),
    verifiedMs: numOrNull(r.verified_ms),
    outcome: text(r.outcome) as ChangeTimings['outcome'],
    finalOutcome: text(r.final_outcome) as ChangeTimings['finalOutcome'],
    everRejected: num(r.ever_rejected) === 1,
    preApproved: num(r.pre_approved) === 1,
    emergency: num(r.emergency) === 1,
    decisionMinutes: numOrNull(r.decision_minutes),
    leadMinutes: numOrNull(r.lead_minutes),
    emergencyMinutes: numOrNull(r.emergency_minutes),
    sittings,
    groups,
    reviewDueMs: numOrNull(r.review_due_ms),
    reviewed: num(r.reviewed) === 1,
    classKey: text(r.class_key),
  };
}

/** The weeks wholly inside a period: [firstWhole, endWhole), empty when it spans none. */
function wholeWeeksOf(p: { readonly fromMs: number; readonly toMs: number }) {
  const fromWeek = weekStartMs(p.fromMs);
  return {
    firstWhole: fromWeek === p.fromMs ? fromWeek : fromWeek + WEEK_MS,
    endWhole: weekStartMs(p.toMs),
  };
}

/** A stored chunk, or null when it must be worked out again: cleared, of another format, or unreadable. */
function parsedChunk(data: string | null): Chunk | null {
  if (data === null) return null;
  try {
    const chunk = JSON.parse(data) as Chunk;
    return chunk.format === CHUNK_FORMAT ? chunk : null;
  } catch {
    return null;
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
