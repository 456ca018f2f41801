import { useMemo } from 'react';
import type { Insights } from '../../api/types.js';
import { formatDateTime } from '../../lib/format.js';
import {
  boardHref,
  counterfactualChart,
  formatMinutes,
  formatWeek,
  groupChart,
  weeklyChart,
  weeklySummary,
} from '../../lib/insights.js';
import { Link } from '../../lib/router.js';
import { ChartFigure } from './chart.js';

/** Time to decision week by week: is async getting faster or slower? */
export function WeeklyChart({ insights }: { insights: Insights }) {
  const chart = useMemo(() => weeklyChart(insights.weekly), [insights.weekly]);
  const weeks = [...insights.weekly].sort((a, b) => a.weekStart.localeCompare(b.weekStart));
  return (
    <ChartFigure
      kind="weeks"
      chart={chart.series.some((s) => s.values.some((v) => v !== null)) ? chart : null}
      title="Time to decision, week by week"
      summary={`From submission to approval or rejection, in ${chart.unit.name}: p50 (half the decisions took this long or less) and p90. ${weeklySummary(insights.weekly)}`}
      table={
        <table className="data-table" data-table="weekly">
          <caption>Time to decision, week by week (weeks from Monday, UTC)</caption>
          <thead>
            <tr>
              <th scope="col">Week of</th>
              <th scope="col">p50</th>
              <th scope="col">p90</th>
              <th scope="col">Created</th>
              <th scope="col">Approved</th>
              <th scope="col">Rejected</th>
              <th scope="col">Completed</th>
              <th scope="col">Failed</th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr key={w.weekStart} data-week={w.weekStart}>
                <th scope="row">
                  <Link href={boardHref(w.changes)}>{formatWeek(w.weekStart)}</Link>
                </th>
                <td>{formatMinutes(w.timeToDecisionP50Minutes)}</td>
                <td>{formatMinutes(w.timeToDecisionP90Minutes)}</td>
                <td>{w.created}</td>
                <td>{w.approved}</td>
                <td>{w.rejected}</td>
                <td>{w.completed}</td>
                <td>{w.failed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

/** Time to decision per approver group, from the request to that group's decision. */
export function GroupChart({ insights }: { insights: Insights }) {
  const groups = insights.timeToDecision.byGroup;
  const chart = useMemo(() => groupChart(groups), [groups]);
  const firstResponse = new Map(insights.firstResponse.byGroup.map((g) => [g.group, g]));
  const slowest = [...groups]
    .filter((g) => g.p90Minutes !== null)
    .sort((a, b) => b.p90Minutes! - a.p90Minutes!)[0];
  return (
    <ChartFigure
      kind="groups"
      chart={groups.length > 0 ? chart : null}
      title="Time to decision per approver group"
      summary={
        groups.length === 0
          ? 'No approver group was asked in the period.'
          : `From the request to each group's decision, in ${chart.unit.name}: p50 and p90 for ${groups.length} ${groups.length === 1 ? 'group' : 'groups'}.${slowest ? ` The slowest p90 is ${slowest.group}'s, ${formatMinutes(slowest.p90Minutes)}.` : ''}`
      }
      table={
        <table className="data-table" data-table="groups">
          <caption>Time to decision per approver group</caption>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Decisions</th>
              <th scope="col">p50</th>
              <th scope="col">p90</th>
              <th scope="col">First response p50</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => (
              <tr key={g.group} data-group={g.group}>
                <th scope="row">
                  <Link href={boardHref(g.changes)}>{g.group}</Link>
                </th>
                <td>{g.count}</td>
                <td>{formatMinutes(g.p50Minutes)}</td>
                <td>{formatMinutes(g.p90Minutes)}</td>
                <td>{formatMinutes(firstResponse.get(g.group)?.p50Minutes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

const SOURCE: Record<Insights['meetingCounterfactual']['cadence']['source'], string> = {
  query: 'the cadence asked for',
  policy: 'the team’s own meeting',
  default: 'a fortnightly Tuesday meeting, the default',
};

/** The meeting it replaced: when a CAB of the cadence would have decided each change. */
export function CounterfactualChart({ insights }: { insights: Insights }) {
  const cf = insights.meetingCounterfactual;
  const chart = useMemo(() => counterfactualChart(cf.items), [cf.items]);
  const cadence = `${cf.cadence.text}${cf.cadence.meeting ? ` (${cf.cadence.meeting})` : ''}`;
  return (
    <ChartFigure
      kind="changes"
      chart={cf.items.length > 0 ? chart : null}
      title="The meeting it replaced"
      summary={
        <>
          Replaying {SOURCE[cf.cadence.source]}, <code>{cadence}</code>, with {cf.sittings}{' '}
          {cf.sittings === 1 ? 'sitting' : 'sittings'} in the period: {cf.faster} of {cf.decided}{' '}
          decided changes were decided sooner than it would have decided them, saving{' '}
          <strong data-value="totalSaved">{formatMinutes(cf.totalSavedMinutes)}</strong> of waiting
          in all (median{' '}
          <strong data-value="medianSaved">{formatMinutes(cf.medianSavedMinutes)}</strong> a
          change).{' '}
          {cf.ecab.count > 0 ? (
            <>
              <Link href={boardHref(cf.ecab.changes)}>
                {cf.ecab.count} {cf.ecab.count === 1 ? 'emergency' : 'emergencies'}
              </Link>{' '}
              would have needed an emergency CAB.
            </>
          ) : (
            'No emergency would have needed an emergency CAB.'
          )}{' '}
          The chart shows, for each change by when it was submitted, how long it waited in{' '}
          {chart.unit.name}.
        </>
      }
      table={
        <table className="data-table" data-table="counterfactual">
          <caption>
            When each change was decided, and when a CAB would have decided it
            {cf.itemsTruncated ? ` (the first ${cf.items.length})` : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Submitted</th>
              <th scope="col">Decided</th>
              <th scope="col">A CAB would have decided</th>
              <th scope="col">Waiting saved</th>
            </tr>
          </thead>
          <tbody>
            {cf.items.map((c) => (
              <tr key={c.id} data-change={c.id}>
                <th scope="row">
                  <Link href={`/changes/${encodeURIComponent(c.id)}`}>{c.id}</Link>{' '}
                  <span className="muted">{c.title}</span>
                </th>
                <td>{formatDateTime(c.submittedAt)}</td>
                <td>
                  {formatDateTime(c.decidedAt)} ({c.outcome})
                </td>
                <td>
                  {formatDateTime(c.cabAt)}
                  {c.missedAgenda ? ' (missed the agenda)' : ''}
                  {c.emergency ? ' (emergency CAB)' : ''}
                </td>
                <td>{formatMinutes(c.savedMinutes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

/** Time to decision per type and per service: the slow corners. */
export function BreakdownTable({ insights }: { insights: Insights }) {
  const rows = [
    ...insights.timeToDecision.byType.map((t) => ({
      key: `type:${t.type}`,
      by: 'Type',
      name: t.type,
      ...t,
    })),
    ...insights.timeToDecision.byService.map((s) => ({
      key: `service:${s.service}`,
      by: 'Service',
      name: s.service,
      ...s,
    })),
  ];
  if (rows.length === 0) return null;
  return (
    <section className="insights-section panel" aria-labelledby="insights-breakdown">
      <h2 id="insights-breakdown" className="section-title">
        Time to decision by type and service
      </h2>
      <table className="data-table" data-table="breakdown">
        <thead>
          <tr>
            <th scope="col">By</th>
            <th scope="col">Which</th>
            <th scope="col">Decided</th>
            <th scope="col">p50</th>
            <th scope="col">p90</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.by}</td>
              <th scope="row">
                <Link href={boardHref(r.changes)}>{r.name}</Link>
              </th>
              <td>{r.count}</td>
              <td>{formatMinutes(r.p50Minutes)}</td>
              <td>{formatMinutes(r.p90Minutes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
