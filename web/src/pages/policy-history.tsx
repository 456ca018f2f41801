import { usePolicy, usePolicyHistory } from '../api/queries.js';
import type { PolicyHistory } from '../api/types.js';
import { Chip, EmptyState, ErrorState, Loading, PageHeading, usePeople } from '../components/ui.js';
import { formatFull, formatRelative } from '../lib/format.js';
import { Link } from '../lib/router.js';

type Version = PolicyHistory['items'][number];

/**
 * The policy's versions, newest first: who applied each, when, what changed,
 * and which changes in flight it asked more of. `changeboard policy apply`
 * (or SIGHUP) makes a new one; the audit chain records each.
 */
export function PolicyHistoryPage() {
  const history = usePolicyHistory();
  const organization = usePolicy().data?.organization;
  return (
    <div className="page">
      <div className="page-head">
        <PageHeading title="Policy history">Policy history</PageHeading>
      </div>
      <p className="lead muted">
        The rules {organization ?? 'the board'} decides changes by, version by version. A new
        version applies to every process at once; changes already submitted keep the approvals they
        were asked for.
      </p>
      {history.isPending ? (
        <Loading label="Loading the policy history" lines={4} />
      ) : history.isError ? (
        <ErrorState error={history.error} retry={() => void history.refetch()} />
      ) : history.data.items.length === 0 ? (
        <EmptyState title="No policy recorded yet." icon="○" />
      ) : (
        <ol className="policy-versions">
          {history.data.items.map((item) => (
            <PolicyVersion
              key={`${item.hash}-${item.eventId ?? 'loaded'}`}
              item={item}
              // Newest first: the first entry with the hash in force is the one in force.
              inForce={item === history.data.items.find((i) => i.hash === history.data.inForce)}
            />
          ))}
        </ol>
      )}
    </div>
  );
}

function PolicyVersion({ item, inForce }: { item: Version; inForce: boolean }) {
  const nameOf = usePeople();
  const by =
    item.appliedBy === null
      ? 'loaded from the policy file'
      : item.appliedBy === 'policy-file'
        ? 'applied from the server’s policy file'
        : `applied by ${nameOf(item.appliedBy)}`;
  return (
    <li className="panel policy-version" aria-label={`Policy ${item.hash.slice(0, 12)}`}>
      <p className="policy-version-head">
        <code title={item.hash}>{item.hash.slice(0, 12)}</code>{' '}
        {inForce ? <Chip tone="info">In force</Chip> : null} <span>{by}</span>{' '}
        <time dateTime={item.appliedAt} title={formatFull(item.appliedAt)} className="muted">
          {formatRelative(item.appliedAt)}
        </time>
      </p>
      {item.summary.length > 0 ? (
        <ul className="plain policy-changes">
          {item.summary.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      ) : item.previous ? (
        <p className="muted small">No change to the rules (comments or layout only).</p>
      ) : null}
      {item.flagged.length > 0 ? (
        <p className="small">
          Would ask more of changes already in flight, which keep their approvals until edited:{' '}
          {item.flagged.map((id, i) => (
            <span key={id}>
              {i > 0 ? ', ' : ''}
              <Link href={`/changes/${id}`}>{id}</Link>
            </span>
          ))}
        </p>
      ) : null}
    </li>
  );
}
