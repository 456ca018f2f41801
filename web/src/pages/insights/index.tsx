import { useEffect, useId, useMemo, useState } from 'react';
import { query } from '../../api/client.js';
import { useInsights, usePolicy } from '../../api/queries.js';
import type { PolicyInfo } from '../../api/types.js';
import { ErrorState, Loading, PageHeading } from '../../components/ui.js';
import { formatDate } from '../../lib/format.js';
import { insightsParams, readInsightsFilters, type InsightsFilters } from '../../lib/insights.js';
import { useSearchParams } from '../../lib/router.js';
import { PromotionCandidates } from './candidates.js';
import { BreakdownTable, CounterfactualChart, GroupChart, WeeklyChart } from './charts.js';
import { HeadlineFigures } from './figures.js';
import './insights.css';

/**
 * Insights: is async working? (PRODUCT.md). The page is its own chunk, loaded
 * when opened, so the charting library never weighs on the board.
 */
export function InsightsPage() {
  const policy = usePolicy();
  const [search, setSearch] = useSearchParams();
  // The default period ends today; it is read once per visit, not on every render.
  const [now] = useState(() => Date.now());
  const filters = useMemo(() => readInsightsFilters(search, now), [search, now]);
  const params = useMemo(() => insightsParams(filters), [filters]);
  const insights = useInsights(params);
  const set = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setSearch(next);
  };

  return (
    <div className="page insights">
      <div className="page-head">
        <PageHeading title="Insights">Is async working?</PageHeading>
        <a
          className="button button-quiet"
          href={`/api/v1/insights/changes.csv${query({ ...params })}`}
        >
          Download the changes (CSV)
        </a>
      </div>
      <p className="lead muted">
        How fast changes were decided, how safe they were, what the meeting it replaced would have
        cost, and which changes could be pre-approved: for the changes created{' '}
        {formatDate(`${filters.from}T12:00:00Z`, 'UTC')} to{' '}
        {formatDate(`${filters.to}T12:00:00Z`, 'UTC')}.
      </p>
      <InsightsFilterForm filters={filters} policy={policy.data} set={set} />
      {insights.isPending ? (
        <Loading label="Loading insights" lines={6} />
      ) : insights.isError ? (
        <ErrorState error={insights.error} retry={() => void insights.refetch()} />
      ) : (
        <div
          className="insights-body"
          aria-busy={insights.isFetching}
          data-generated-at={insights.data.generatedAt}
        >
          <HeadlineFigures insights={insights.data} />
          <section className="insights-section" aria-labelledby="insights-charts">
            <h2 id="insights-charts" className="section-title">
              Time to decision
            </h2>
            <div className="charts">
              <WeeklyChart insights={insights.data} />
              <GroupChart insights={insights.data} />
            </div>
          </section>
          <BreakdownTable insights={insights.data} />
          <section className="insights-section" aria-labelledby="insights-meeting">
            <h2 id="insights-meeting" className="section-title">
              Against a CAB meeting
            </h2>
            <CounterfactualChart insights={insights.data} />
          </section>
          <PromotionCandidates
            insights={insights.data}
            setMinChanges={(value) => set({ minChanges: value })}
          />
        </div>
      )}
    </div>
  );
}

/** The period, service, type and CAB cadence: all in the URL, so a view can be shared as a link. */
function InsightsFilterForm({
  filters,
  policy,
  set,
}: {
  filters: InsightsFilters;
  policy: PolicyInfo | undefined;
  set: (changes: Record<string, string | null>) => void;
}) {
  const id = useId();
  const [cab, setCab] = useState(filters.cab ?? '');
  // The cadence box follows the URL when it changes elsewhere (back, a shared link).
  useEffect(() => setCab(filters.cab ?? ''), [filters.cab]);
  return (
    <form
      className="filters insights-filters"
      role="search"
      aria-label="Filter insights"
      onSubmit={(e) => {
        e.preventDefault();
        set({ cab: cab.trim() || null });
      }}
    >
      <div className="filter">
        <label htmlFor={`${id}-from`}>From</label>
        <input
          id={`${id}-from`}
          type="date"
          value={filters.from}
          max={filters.to}
          onChange={(e) => set({ from: e.target.value || null })}
        />
      </div>
      <div className="filter">
        <label htmlFor={`${id}-to`}>To</label>
        <input
          id={`${id}-to`}
          type="date"
          value={filters.to}
          min={filters.from}
          onChange={(e) => set({ to: e.target.value || null })}
        />
      </div>
      <div className="filter">
        <label htmlFor={`${id}-service`} className="visually-hidden">
          Service
        </label>
        <select
          id={`${id}-service`}
          value={filters.service ?? ''}
          className={filters.service ? 'is-set' : undefined}
          onChange={(e) => set({ service: e.target.value || null })}
        >
          <option value="">All services</option>
          {(policy?.services ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="filter">
        <label htmlFor={`${id}-type`} className="visually-hidden">
          Type
        </label>
        <select
          id={`${id}-type`}
          value={filters.type ?? ''}
          className={filters.type ? 'is-set' : undefined}
          onChange={(e) => set({ type: e.target.value || null })}
        >
          <option value="">All types</option>
          {(policy?.changeTypes ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      <div className="filter filter-cab">
        <label htmlFor={`${id}-cab`}>CAB cadence</label>
        <input
          id={`${id}-cab`}
          value={cab}
          placeholder="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU@10:00 Europe/London"
          onChange={(e) => setCab(e.target.value)}
          aria-describedby={`${id}-cab-help`}
        />
        <span id={`${id}-cab-help`} className="visually-hidden">
          An iCalendar RRULE, then @ the local time and a time zone. Empty: the team’s own meeting.
        </span>
        <button type="submit" className="button">
          Replay
        </button>
      </div>
      {!filters.isDefaultPeriod ||
      filters.service ||
      filters.type ||
      filters.cab ||
      filters.minChanges ? (
        <button
          type="button"
          className="button button-quiet"
          onClick={() => {
            setCab('');
            set({ from: null, to: null, service: null, type: null, cab: null, minChanges: null });
          }}
        >
          Last 12 weeks, everything
        </button>
      ) : null}
    </form>
  );
}
