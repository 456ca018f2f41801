import { useEffect, useId, useState } from 'react';
import type { Insights, PromotionCandidate } from '../../api/types.js';
import { boardHref } from '../../lib/insights.js';
import { Link } from '../../lib/router.js';

/**
 * Classes of change that have always been approved, never failed nor been
 * rejected: each with the `standardChanges` entry that would pre-approve it.
 */
export function PromotionCandidates({
  insights,
  setMinChanges,
}: {
  insights: Insights;
  setMinChanges: (value: string | null) => void;
}) {
  const { candidates, nearMisses, minChanges } = insights.promotionCandidates;
  return (
    <section className="insights-section" aria-labelledby="insights-candidates">
      <h2 id="insights-candidates" className="section-title">
        Changes that could be standard
      </h2>
      <p className="muted">
        Classes of change (a type, its services and the answers that decide its approvals) with at
        least {minChanges} changes in the period, every one approved, none rejected or failed. Paste
        an entry under <code>standardChanges:</code> in the policy to pre-approve the class.
      </p>
      <MinChangesForm minChanges={minChanges} set={setMinChanges} />
      {candidates.length === 0 ? (
        <p className="candidates-empty">No class of change qualifies yet.</p>
      ) : (
        <ul className="candidates">
          {candidates.map((c) => (
            <Candidate key={c.entry.id} candidate={c} />
          ))}
        </ul>
      )}
      {nearMisses.length > 0 ? (
        <details className="near-misses">
          <summary>
            {nearMisses.length} {nearMisses.length === 1 ? 'class' : 'classes'} with enough changes
            that do not qualify
          </summary>
          <ul>
            {nearMisses.map((m) => (
              <li key={`${m.type}:${m.services.join(',')}:${JSON.stringify(m.answers)}`}>
                <strong>{describeClass(m)}</strong>: {m.reason}{' '}
                <Link href={boardHref(m.changes)}>See the {m.count} changes</Link>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

/** How many changes a class needs: in the URL, like every filter of the page. */
function MinChangesForm({
  minChanges,
  set,
}: {
  minChanges: number;
  set: (value: string | null) => void;
}) {
  const id = useId();
  const [value, setValue] = useState(String(minChanges));
  useEffect(() => setValue(String(minChanges)), [minChanges]);
  return (
    <form
      className="filters"
      aria-label="Promotion candidates"
      onSubmit={(e) => {
        e.preventDefault();
        set(/^\d+$/.test(value) && Number(value) >= 1 ? value : null);
      }}
    >
      <div className="filter insights-min">
        <label htmlFor={id}>At least</label>
        <input
          id={id}
          type="number"
          min={1}
          max={10000}
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
        <span className="muted">changes in a class</span>
        <button type="submit" className="button">
          Apply
        </button>
      </div>
    </form>
  );
}

function describeClass(c: Pick<PromotionCandidate, 'type' | 'services' | 'answers'>): string {
  const answers = Object.entries(c.answers).map(([k, v]) => `${k}: ${String(v)}`);
  return [c.type, c.services.join(', '), ...answers].filter(Boolean).join(' · ');
}

function Candidate({ candidate }: { candidate: PromotionCandidate }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const headingId = `candidate-${candidate.entry.id}`;
  const copy = () => {
    navigator.clipboard.writeText(candidate.yaml).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  };
  return (
    <li className="candidate panel" aria-labelledby={headingId} data-candidate={candidate.entry.id}>
      <div className="candidate-head">
        <h3 id={headingId} className="candidate-title">
          {candidate.entry.title}
        </h3>
        <Link href={boardHref(candidate.changes)}>See the {candidate.count} changes</Link>
      </div>
      <p className="muted">{describeClass(candidate)}</p>
      <pre
        className="candidate-yaml"
        aria-label={`standardChanges entry for ${candidate.entry.title}`}
      >
        <code>{candidate.yaml}</code>
      </pre>
      <div className="candidate-actions">
        <button type="button" className="button" onClick={copy}>
          Copy the entry
        </button>
        <span role="status" className="muted">
          {copied === 'yes'
            ? 'Copied. Fill in approvedBy before you paste it.'
            : copied === 'failed'
              ? 'Could not copy: select the text and copy it.'
              : ''}
        </span>
      </div>
    </li>
  );
}
