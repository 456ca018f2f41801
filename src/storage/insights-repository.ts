import { sql, type Kysely, type RawBuilder } from 'kysely';
import type {
  ClassMember,
  ClassTallyRow,
  InsightsPopulation,
  InsightsStore,
} from '../app/ports/insights.js';
import { CHANGE_STATES, type ChangeState } from '../domain/change.js';
import type { ChangeTimings } from '../domain/insights/rollup.js';
import { round1 } from '../domain/insights/stats.js';
import {
  SAMPLE_IDS,
  SAMPLE_ITEMS,
  type CountSummary,
  type DurationSummary,
  type WeekSummary,
} from '../domain/insights/summary.js';
import type { DialectFeatures } from './dialects/features.js';
import type { DatabaseSchema } from './schema.js';

/**
 * The insights' rollup and its sums. Every figure is one aggregate over the
 * period's rows of `change_timings` (with `change_group_timings`,
 * `change_sittings` and `change_services` where it needs them); the ids behind
 * a figure are its first SAMPLE_IDS by id, each a short walk of the primary key.
 */

const WEEK_MS = 7 * 86_400_000;
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
    return (await query.execute(db)).rows as R[];
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

  const percentiles = (value: Sql) => features.percentiles(value);
  const parsePercentiles = (text: string | null): [number | null, number | null] => {
    if (text === null) return [null, null];
    const [p50, p90] = JSON.parse(text) as [number, number];
    return [p50, p90];
  };
  const mean = (value: unknown) => (value === null ? null : round1(Number(value)));

  return {
    async staleIds(population, policyHash, limit) {
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
          const current = new Map(
            (
              await tx
                .selectFrom('change_timings')
                .select(['change_id', 'version'])
                .where('change_id', 'in', ids)
                .execute()
            ).map((r) => [num(r.change_id), num(r.version)]),
          );
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
        });
      }
    },

    async analyze() {
      for (const table of ['change_timings', 'change_group_timings', 'change_sittings'])
        await sql`analyze ${sql.table(table)}`.execute(db);
    },

    async figures(population, { nowMs, grid }) {
      const pop = inPopulation(population);
      const popById = inPopulation(population, true);
      // Counts: one pass, by state and type, summed here.
      const countRows = await rows<Record<string, unknown>>(sql`
        select t.state, t.type, count(*) as total,
          sum(t.pre_approved) as pre_approved,
          sum(case when t.pre_approved = 0 and t.final_outcome is not null then 1 else 0 end) as settled,
          sum(case when t.pre_approved = 0 and t.final_outcome = 'approved' then 1 else 0 end) as approved,
          sum(case when t.pre_approved = 0 and t.final_outcome = 'rejected' then 1 else 0 end) as rejected,
          sum(case when t.failed_ms is not null then 1 else 0 end) as failed,
          sum(case when t.failed_ms is not null or t.completed_ms is not null then 1 else 0 end) as deployed,
          sum(t.reviewed) as reviews_done,
          sum(case when t.review_due_ms is not null and t.reviewed = 0 then 1 else 0 end) as reviews_owed,
          sum(case when t.review_due_ms is not null and t.reviewed = 0 and t.review_due_ms < ${nowMs} then 1 else 0 end) as reviews_overdue,
          sum(case when t.sittings > 0 then 1 else 0 end) as discussed,
          sum(case when t.decision_minutes is not null and t.sittings > 0 then 1 else 0 end) as decided_in_meeting,
          sum(case when t.decision_minutes is not null and t.sittings = 0 then 1 else 0 end) as decided_async
        from change_timings t where ${pop} group by t.state, t.type`);
      const c = (key: string) => countRows.reduce((sum, r) => sum + num(r[key]), 0);
      const tally = (column: 'state' | 'type') => {
        const out = new Map<string, number>();
        for (const r of countRows) {
          const k = String(r[column]);
          out.set(k, (out.get(k) ?? 0) + num(r.total));
        }
        return [...out].map(([k, n]) => ({ k, n }));
      };
      const byStateRows = tally('state');
      const byTypeRows = tally('type');

      // Weeks: each thing counted in the week it happened; time to decision by the week of the decision.
      const weekEnd = grid.firstWeekMs + grid.weeks * WEEK_MS;
      const weekOf = (at: Sql) =>
        sql`case when ${at} >= ${grid.firstWeekMs} and ${at} < ${weekEnd} then cast((${at} - ${grid.firstWeekMs}) / ${WEEK_MS} as integer) end`;

      // Every duration figure in one aggregate pass per table: (minutes, figure) pairs, summed by figure.
      const decided = sql`t.decision_minutes is not null`;
      const decidedMinutes = sql`t.decision_minutes`;
      const week = weekOf(sql`t.decided_ms`);
      const durationRows = await rows<{ k: string; n: unknown; p: string | null; m: unknown }>(
        features.durationsByKey([
          {
            from: sql`change_timings t`,
            where: pop,
            pairs: [
              [decidedMinutes, sql`'overall'`],
              [decidedMinutes, sql`'type:' || t.type`],
              [
                sql`case when ${week} is not null then t.decision_minutes end`,
                sql`'week:' || ${week}`,
              ],
              [sql`t.lead_minutes`, sql`'lead'`],
              [sql`t.emergency_minutes`, sql`'emergency'`],
            ],
          },
          {
            from: sql`change_timings t join change_services cs on cs.change_id = t.change_id`,
            where: sql`${pop} and t.decision_minutes is not null`,
            pairs: [[decidedMinutes, sql`'service:' || cs.service`]],
          },
          {
            from: sql`change_group_timings g join change_timings t on t.change_id = g.change_id`,
            where: pop,
            pairs: [
              [sql`g.decision_minutes`, sql`'group:' || g.group_id`],
              [sql`g.first_response_minutes`, sql`'first:' || g.group_id`],
            ],
          },
        ]),
      );
      const ttdRows = durationRows;
      const groupRows = [
        ...new Set(
          durationRows
            .filter((r) => r.k.startsWith('group:') || r.k.startsWith('first:'))
            .map((r) => r.k.slice(r.k.indexOf(':') + 1)),
        ),
      ].map((k) => ({ k }));
      const weekTtd = durationRows
        .filter((r) => r.k.startsWith('week:'))
        .map((r) => ({ w: r.k.slice('week:'.length), p: r.p }));

      // One pass: the weeks each change's steps fell in, as combinations, summed here.
      const weekRows = await rows<Record<string, unknown>>(sql`
        select u.cw, u.sw, u.dw, u.outcome, u.pw, u.fw, count(*) as n from (
          select ${weekOf(sql`t.created_ms`)} as cw, ${weekOf(sql`t.submitted_ms`)} as sw,
            ${weekOf(sql`t.decided_ms`)} as dw, t.outcome, ${weekOf(sql`t.completed_ms`)} as pw,
            ${weekOf(sql`t.failed_ms`)} as fw
          from change_timings t where ${pop}
        ) u group by u.cw, u.sw, u.dw, u.outcome, u.pw, u.fw`);

      const ttd = new Map(ttdRows.map((r) => [r.k, r]));
      const lead = ttd;
      // Named figures in the order the in-memory figures sort them (localeCompare, not the database's collation).
      const byName = (a: string, b: string) => a.localeCompare(b);
      byTypeRows.sort((a, b) => byName(a.k, b.k));
      groupRows.sort((a, b) => byName(a.k, b.k));
      const types = byTypeRows.map((r) => r.k);
      const keyed = (prefix: string) =>
        ttdRows
          .filter((r) => r.k.startsWith(prefix))
          .map((r) => r.k.slice(prefix.length))
          .sort(byName);
      const services = keyed('service:');
      const ttdTypes = keyed('type:');
      const groups = groupRows.map((r) => String(r.k));

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
        ['preApproved', c('pre_approved')],
        ['approved', c('approved')],
        ['rejected', c('rejected')],
        ['failed', c('failed')],
        ['deployed', c('deployed')],
        ['reviewsDone', c('reviews_done')],
        ['reviewsOwed', c('reviews_owed')],
        ['reviewsOverdue', c('reviews_overdue')],
        ['discussed', c('discussed')],
        ['decidedInMeeting', c('decided_in_meeting')],
        ['decidedAsync', c('decided_async')],
        ['ttd', num(ttd.get('overall')?.n)],
        ['lead', num(lead.get('lead')?.n)],
        ['emergency', num(lead.get('emergency')?.n)],
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
      const durationOf = (
        key: string,
        n: unknown,
        p: string | null,
        m: unknown,
        extra: Partial<CountSummary> = {},
      ): DurationSummary => {
        const [p50, p90] = parsePercentiles(p);
        return { count: num(n), ids: ids(key), ...extra, p50, p90, mean: mean(m ?? null) };
      };
      const durationFrom = (
        key: string,
        row: { n: unknown; p: string | null; m: unknown } | undefined,
        extra: Partial<CountSummary> = {},
      ) => durationOf(key, row?.n ?? 0, row?.p ?? null, row?.m ?? null, extra);

      const stateCounts = new Map(byStateRows.map((r) => [r.k, num(r.n)]));
      const weekly: WeekSummary[] = [];
      const perWeek = new Map<string, number>();
      const countIn = (kind: string, week: unknown, n: number) => {
        if (week === null || week === undefined) return;
        const key = `${kind}@${num(week)}`;
        perWeek.set(key, (perWeek.get(key) ?? 0) + n);
      };
      for (const r of weekRows) {
        const n = num(r.n);
        countIn('created', r.cw, n);
        countIn('submitted', r.sw, n);
        if (typeof r.outcome === 'string') countIn(r.outcome, r.dw, n);
        countIn('completed', r.pw, n);
        countIn('failed', r.fw, n);
      }
      const weekP = new Map(weekTtd.map((r) => [num(r.w), parsePercentiles(r.p)]));
      for (let w = 0; w < grid.weeks; w++) {
        const start = grid.firstWeekMs + w * WEEK_MS;
        const n = (kind: string) => perWeek.get(`${kind}@${w}`) ?? 0;
        const [p50, p90] = weekP.get(w) ?? [null, null];
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
        preApproved: countOf('preApproved', c('pre_approved')),
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
        emergencyLeadTime: durationFrom('emergency', lead.get('emergency'), {
          states: ['verified'],
        }),
        weekly,
        deployments: {
          ...countOf('deployed', deployed),
          leadTime: durationFrom('lead', lead.get('lead')),
        },
        reviews: {
          done: countOf('reviewsDone', c('reviews_done')),
          overdue: countOf('reviewsOverdue', c('reviews_overdue')),
          owed: countOf('reviewsOwed', c('reviews_owed'), { reviewDue: true }),
        },
        meetings: {
          sittingsHeld: num(
            (
              await rows<{ n: unknown }>(
                sql`select count(distinct s.sitting) as n from change_sittings s join change_timings t on t.change_id = s.change_id where ${pop}`,
              )
            )[0]?.n,
          ),
          discussed: countOf('discussed', c('discussed')),
          decidedInMeeting: countOf('decidedInMeeting', c('decided_in_meeting')),
          decidedAsync: countOf('decidedAsync', c('decided_async')),
        },
      };
    },

    async decidedRange(population, agendaLeadTimeMs) {
      const [row] = await rows<Record<string, unknown>>(sql`
        select min(t.submitted_ms) as low, max(t.submitted_ms) as last_submitted, max(t.decided_ms) as last_decided
        from change_timings t where ${inPopulation(population)} and t.decision_minutes is not null`);
      if (!row || row.low === null) return null;
      return {
        lowMs: num(row.low),
        highMs: Math.max(num(row.last_submitted) + agendaLeadTimeMs, num(row.last_decided)),
      };
    },

    async counterfactual(population, { sittingStarts, agendaLeadTimeMs }) {
      const starts = [...new Set(sittingStarts)].sort((a, b) => a - b);
      const lastStart = starts[starts.length - 1] ?? Number.NEGATIVE_INFINITY;
      return db.connection().execute(async (conn) => {
        const run = async <R>(query: Sql) => (await query.execute(conn)).rows as R[];
        const next = await sittingLookup(conn, features, starts);
        const cab = next(sql`t.submitted_ms + ${agendaLeadTimeMs}`);
        // A change a CAB would have sat on: decided, and some sitting after its agenda deadline.
        const replayed = sql`${inPopulation(population)} and t.decision_minutes is not null and t.submitted_ms + ${agendaLeadTimeMs} <= ${lastStart}`;
        const replayedById = sql`${inPopulation(population, true)} and t.decision_minutes is not null and t.submitted_ms + ${agendaLeadTimeMs} <= ${lastStart}`;
        const saved = roundedMinutes(sql`${cab} - t.decided_ms`);
        if (!Number.isFinite(lastStart))
          return {
            decided: { count: 0, ids: [] },
            items: [],
            totalSavedMinutes: 0,
            medianSavedMinutes: null,
            faster: 0,
            ecab: { count: 0, ids: [] },
          };
        const [totals] = await run<Record<string, unknown>>(sql`
          select count(*) as n, sum(r.saved) as total, ${percentiles(sql`r.saved`)} as p,
            sum(case when r.saved > 0 then 1 else 0 end) as faster,
            sum(case when r.emergency = 1 and r.saved > 0 then 1 else 0 end) as ecab
          from (select t.emergency, ${saved} as saved from change_timings t where ${replayed}) r`);
        // The samples walk the ids and stop early; the items are the soonest submitted, looked up alone.
        const sample = await run<{ k: string; id: unknown }>(sql`
          select * from (select cast('decided' as text) as k, t.change_id as id from change_timings t
            where ${replayedById} order by t.change_id limit ${SAMPLE_IDS}) a
          union all select * from (select cast('ecab' as text) as k, t.change_id as id from change_timings t
            where ${replayedById} and t.emergency = 1 and ${saved} > 0 order by t.change_id limit ${SAMPLE_IDS}) b`);
        const items = await run<Record<string, unknown>>(sql`
          select t.change_id, t.submitted_ms, t.decided_ms, t.emergency, t.outcome, c.title, c.type,
            ${cab} as cab_ms, ${next(sql`t.submitted_ms`)} as next_ms, ${saved} as saved
          from (select t.* from change_timings t where ${replayed}
            order by t.submitted_ms, t.change_id limit ${SAMPLE_ITEMS}) t
          join changes c on c.id = t.change_id
          order by t.submitted_ms, t.change_id`);
        await next.release();
        const idsOf = (k: string) =>
          sample
            .filter((s) => s.k === k)
            .map((s) => num(s.id))
            .sort((a, b) => a - b);
        return {
          decided: { count: num(totals?.n), ids: idsOf('decided') },
          items: items.map((i) => {
            const cabAt = num(i.cab_ms);
            const nextAt = numOrNull(i.next_ms);
            return {
              id: num(i.change_id),
              title: String(i.title),
              type: String(i.type),
              emergency: num(i.emergency) === 1,
              outcome: i.outcome as 'approved' | 'rejected',
              submittedAt: new Date(num(i.submitted_ms)).toISOString(),
              decidedAt: new Date(num(i.decided_ms)).toISOString(),
              cabAt: new Date(cabAt).toISOString(),
              missedAgenda: nextAt !== null && nextAt < cabAt,
              savedMinutes: num(i.saved),
            };
          }),
          totalSavedMinutes: round1(num(totals?.total)),
          medianSavedMinutes: parsePercentiles((totals?.p as string | null) ?? null)[0],
          faster: num(totals?.faster),
          ecab: { count: num(totals?.ecab), ids: idsOf('ecab') },
        };
      });
    },

    async classes(population, minChanges) {
      const pop = inPopulation(population);
      const decidedCount = sql`sum(case when t.final_outcome is not null then 1 else 0 end)`;
      const tallies = await rows<Record<string, unknown>>(sql`
        select t.class_key as k, min(t.change_id) as first, ${decidedCount} as decided,
          sum(case when t.final_outcome = 'approved' and t.ever_rejected = 0 then 1 else 0 end) as approved,
          sum(case when t.final_outcome = 'rejected' or t.ever_rejected = 1 then 1 else 0 end) as rejected,
          sum(case when t.final_outcome is not null and t.failed_ms is not null then 1 else 0 end) as failed,
          sum(case when t.final_outcome is null then 1 else 0 end) as open
        from change_timings t where ${pop} and t.class_key is not null
        group by t.class_key having ${decidedCount} >= ${minChanges} order by min(t.change_id)`);
      if (tallies.length === 0) return [];
      const popById = inPopulation(population, true);
      const inClass = (k: unknown) => sql`${popById} and t.class_key = ${String(k)}`;
      const branches = tallies.flatMap((row, i) => [
        sql`select * from (select cast(${`d${i}`} as text) as k, t.change_id as id from change_timings t where ${inClass(row.k)} and t.final_outcome is not null order by t.change_id limit ${SAMPLE_IDS}) a${sql.raw(String(3 * i))}`,
        sql`select * from (select cast(${`r${i}`} as text) as k, t.change_id as id from change_timings t where ${inClass(row.k)} and (t.final_outcome = 'rejected' or t.ever_rejected = 1) order by t.change_id limit 21) a${sql.raw(String(3 * i + 1))}`,
        sql`select * from (select cast(${`f${i}`} as text) as k, t.change_id as id from change_timings t where ${inClass(row.k)} and t.final_outcome is not null and t.failed_ms is not null order by t.change_id limit 21) a${sql.raw(String(3 * i + 2))}`,
      ]);
      const sampled = new Map<string, number[]>();
      for (const row of await rows<{ k: string; id: unknown }>(
        sql.join(branches, sql` union all `),
      ))
        sampled.set(row.k, [...(sampled.get(row.k) ?? []), num(row.id)]);
      const ids = (k: string) => (sampled.get(k) ?? []).sort((a, b) => a - b);
      return tallies.map((row, i): ClassTallyRow => ({
        classKey: String(row.k),
        decided: { count: num(row.decided), ids: ids(`d${i}`) },
        approved: num(row.approved),
        rejected: { count: num(row.rejected), ids: ids(`r${i}`) },
        failed: { count: num(row.failed), ids: ids(`f${i}`) },
        open: num(row.open),
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

/**
 * `next(at)`: SQL for the first sitting starting at or after `at`, else null.
 * PostgreSQL binary-searches the starts as an array (width_bucket); SQLite
 * looks each one up in a temporary table of this connection, indexed.
 */
async function sittingLookup(
  conn: Kysely<DatabaseSchema>,
  features: DialectFeatures,
  starts: readonly number[],
): Promise<((at: Sql) => Sql) & { release(): Promise<void> }> {
  if (features.name === 'postgres') {
    const array = sql`cast(${`{${starts.join(',')}}`} as bigint[])`;
    return Object.assign((at: Sql) => sql`(${array})[width_bucket(${at} - 1, ${array}) + 1]`, {
      release: () => Promise.resolve(),
    });
  }
  await sql`create temporary table if not exists insight_sittings (start_ms integer primary key)`.execute(
    conn,
  );
  await sql`delete from insight_sittings`.execute(conn);
  for (let i = 0; i < starts.length; i += 1000)
    await sql`insert into insight_sittings (start_ms) values ${sql.join(
      starts.slice(i, i + 1000).map((s) => sql`(${s})`),
    )}`.execute(conn);
  return Object.assign(
    (at: Sql) => sql`(select min(s.start_ms) from insight_sittings s where s.start_ms >= ${at})`,
    { release: () => sql`delete from insight_sittings`.execute(conn).then(() => undefined) },
  );
}

/** Milliseconds as minutes to one decimal, rounded as Math.round does (half up). */
function roundedMinutes(ms: Sql): Sql {
  return sql`floor((${ms}) / 6000.0 + 0.5) / 10`;
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
  };
}
