import type { ReactNode } from 'react';
import type { Insights } from '../../api/types.js';
import { STATE_LABELS } from '../../lib/format.js';
import { boardHref, formatMinutes, formatNumber, formatRate } from '../../lib/insights.js';
import { Link } from '../../lib/router.js';

/**
 * The headline figures. Each names the changes behind it: its link opens the
 * board under the same filters.
 */

interface FigureProps {
  /** A stable name for the figure, as tests and the README call it. */
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly detail?: ReactNode;
  /** The API's link to the changes behind the figure, and how many there are. */
  readonly changes?: string;
  readonly count?: number;
}

function Figure({ id, label, value, detail, changes, count }: FigureProps) {
  return (
    <div className="figure" data-figure={id}>
      <dt className="figure-label">{label}</dt>
      <dd className="figure-value">{value}</dd>
      {detail ? <dd className="figure-detail">{detail}</dd> : null}
      {count === 0 ? (
        <dd className="figure-link muted">No changes</dd>
      ) : changes !== undefined ? (
        <dd className="figure-link">
          <Link
            href={boardHref(changes)}
            aria-label={`${label}: the changes behind it on the board`}
          >
            {count === undefined
              ? 'See the changes'
              : count === 1
                ? 'See the change'
                : `See the ${count} changes`}
          </Link>
        </dd>
      ) : null}
    </div>
  );
}

export function HeadlineFigures({ insights }: { insights: Insights }) {
  const { timeToDecision, rates, deployments, reviews, meetings } = insights;
  const overall = timeToDecision.overall;
  const emergency = insights.emergencyLeadTime;
  return (
    <section aria-labelledby="insights-figures" className="insights-section">
      <h2 id="insights-figures" className="section-title">
        The period at a glance
      </h2>
      <dl className="figures">
        <Figure
          id="total"
          label="Changes"
          value={String(insights.total.count)}
          detail="created in the period"
          changes={insights.total.changes}
          count={insights.total.count}
        />
        <Figure
          id="timeToDecision"
          label="Time to decision (p50)"
          value={formatMinutes(overall.p50Minutes)}
          detail={`p90 ${formatMinutes(overall.p90Minutes)} · ${overall.count} decided`}
          changes={overall.changes}
          count={overall.count}
        />
        <Figure
          id="approvalRate"
          label="Approval rate"
          value={formatRate(rates.approval.rate)}
          detail={`${rates.approval.numerator} of ${rates.approval.denominator} decided`}
          changes={rates.approval.changes}
          count={rates.approval.numerator}
        />
        <Figure
          id="rejectionRate"
          label="Rejection rate"
          value={formatRate(rates.rejection.rate)}
          detail={`${rates.rejection.numerator} of ${rates.rejection.denominator} decided`}
          changes={rates.rejection.changes}
          count={rates.rejection.numerator}
        />
        <Figure
          id="changeFailureRate"
          label="Change failure rate"
          value={formatRate(insights.changeFailureRate.rate)}
          detail={`${insights.changeFailureRate.numerator} failed of ${insights.changeFailureRate.denominator} carried out`}
          changes={insights.changeFailureRate.changes}
          count={insights.changeFailureRate.numerator}
        />
        <Figure
          id="emergencyLeadTime"
          label="Emergency lead time (p50)"
          value={formatMinutes(emergency.p50Minutes)}
          detail={`created → verified · ${emergency.count} verified`}
          changes={emergency.changes}
          count={emergency.count}
        />
        <Figure
          id="deploymentFrequency"
          label="Deployments per week"
          value={formatNumber(deployments.perWeek)}
          detail={`${deployments.count} completed or failed`}
          changes={deployments.changes}
          count={deployments.count}
        />
        <Figure
          id="deploymentLeadTime"
          label="Lead time for changes (p50)"
          value={formatMinutes(deployments.leadTime.p50Minutes)}
          detail={`pull request approved (else created) → completed · p90 ${formatMinutes(deployments.leadTime.p90Minutes)}`}
          changes={deployments.leadTime.changes}
          count={deployments.leadTime.count}
        />
        <Figure
          id="reviewsDone"
          label="Reviews done"
          value={String(reviews.done.count)}
          detail={`${reviews.owed.count} still owed`}
          changes={reviews.done.changes}
          count={reviews.done.count}
        />
        <Figure
          id="reviewsOverdue"
          label="Reviews overdue"
          value={String(reviews.overdue.count)}
          changes={reviews.overdue.changes}
          count={reviews.overdue.count}
        />
        <Figure
          id="decidedAsync"
          label="Decided async"
          value={String(meetings.decidedAsync.count)}
          detail={`${meetings.decidedInMeeting.count} decided in a meeting · ${meetings.sittingsHeld} ${meetings.sittingsHeld === 1 ? 'sitting' : 'sittings'} held`}
          changes={meetings.decidedAsync.changes}
          count={meetings.decidedAsync.count}
        />
        <Figure
          id="decidedInMeeting"
          label="Decided in a meeting"
          value={String(meetings.decidedInMeeting.count)}
          detail={`${meetings.discussed.count} discussed`}
          changes={meetings.decidedInMeeting.changes}
          count={meetings.decidedInMeeting.count}
        />
      </dl>
      <CountsByState insights={insights} />
    </section>
  );
}

/** Counts per state and per type, each a link to its changes. */
function CountsByState({ insights }: { insights: Insights }) {
  const states = insights.counts.byState.filter((s) => s.count > 0);
  const types = insights.counts.byType.filter((t) => t.count > 0);
  if (states.length === 0 && types.length === 0) return null;
  return (
    <div className="counts">
      <p>
        <span className="counts-label">By state:</span>{' '}
        {states.map((s, i) => (
          <span key={s.state} data-count-state={s.state}>
            {i > 0 ? ' · ' : null}
            <Link href={boardHref(s.changes)}>
              {STATE_LABELS[s.state]} {s.count}
            </Link>
          </span>
        ))}
      </p>
      <p>
        <span className="counts-label">By type:</span>{' '}
        {types.map((t, i) => (
          <span key={t.type} data-count-type={t.type}>
            {i > 0 ? ' · ' : null}
            <Link href={boardHref(t.changes)}>
              {t.type} {t.count}
            </Link>
          </span>
        ))}
      </p>
    </div>
  );
}
