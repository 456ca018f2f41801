import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useChange, useChangeAction, usePolicy, useSession } from '../api/queries.js';
import type { Change, ChangeActionName } from '../api/types.js';
import { DiscussPanel, HeldNotice, MeetingLinks } from '../components/change-meetings.js';
import type { RecordedOutcome } from '../components/discussion-form.js';
import { Timeline } from '../components/timeline.js';
import { ChangeClockPanel } from '../components/change-clock.js';
import { ReviewPanel } from '../components/review-panel.js';
import { AnswerList } from '../components/answer-list.js';
import {
  Banner,
  Chip,
  EmptyState,
  ErrorState,
  Loading,
  PageHeading,
  RiskChip,
  StateBadge,
  usePeople,
  useServiceNames,
} from '../components/ui.js';
import {
  formatFull,
  formatRelative,
  formatWindow,
  viewerTimeZone,
  listNames,
  STATE_LABELS,
} from '../lib/format.js';
import { toFormPolicy, validateChange } from '../lib/policy.js';
import { mustApprove, whoMustDecide } from '../lib/approvals.js';
import { outcomeDone } from '../lib/meetings.js';
import { Link } from '../lib/router.js';

type Decision = Exclude<ChangeActionName, 'edit' | 'comment' | 'ask' | 'discuss' | 'review'>;

const ACTIONS: Record<
  Decision,
  { label: string; tone: string; confirm: string; comment: 'required' | 'optional' }
> = {
  claim: {
    label: 'Claim this draft',
    tone: 'primary',
    confirm: 'Become its requester',
    comment: 'optional',
  },
  submit: { label: 'Submit for approval', tone: 'primary', confirm: 'Submit', comment: 'optional' },
  approve: { label: 'Approve', tone: 'success', confirm: 'Approve', comment: 'optional' },
  reject: { label: 'Reject', tone: 'danger', confirm: 'Reject', comment: 'required' },
  start: { label: 'Start', tone: 'primary', confirm: 'Start implementing', comment: 'optional' },
  complete: { label: 'Complete', tone: 'success', confirm: 'Mark complete', comment: 'optional' },
  fail: { label: 'Mark failed', tone: 'danger', confirm: 'Mark failed', comment: 'optional' },
  verify: { label: 'Verify', tone: 'success', confirm: 'Verify', comment: 'optional' },
  withdraw: { label: 'Withdraw', tone: 'quiet', confirm: 'Withdraw', comment: 'optional' },
};
/** What the person did, said back to them. */
const DONE: Record<Decision, string> = {
  claim: 'You claimed',
  submit: 'You submitted',
  approve: 'You approved',
  reject: 'You rejected',
  start: 'You started',
  complete: 'You completed',
  fail: 'You marked as failed',
  verify: 'You verified',
  withdraw: 'You withdrew',
};

const ORDER: Decision[] = [
  'claim',
  'submit',
  'approve',
  'reject',
  'start',
  'complete',
  'verify',
  'fail',
  'withdraw',
];

export function ChangePage({ id }: { id: string }) {
  const change = useChange(id);
  if (change.isPending)
    return (
      <div className="page">
        <Loading label={`Loading ${id}`} lines={6} />
      </div>
    );
  if (change.isError)
    return (
      <div className="page narrow">
        <PageHeading title={id}>{id}</PageHeading>
        <ErrorState error={change.error} retry={() => void change.refetch()} />
      </div>
    );
  return <ChangeDetails change={change.data} />;
}

function ChangeDetails({ change }: { change: Change }) {
  const policy = usePolicy();
  const nameOf = usePeople();
  const typeLabel =
    policy.data?.changeTypes.find((t) => t.id === change.type)?.label ?? change.type;
  const serviceName = useServiceNames();
  const requesterZone = policy.data?.people.find((p) => p.id === change.requester)?.timezone;
  return (
    <div className="page">
      <div className="change-head">
        <div className="change-kicker">
          <span className="card-id">{change.id}</span>
          <StateBadge state={change.state} />
          <Chip tone={`type-${change.type}`}>{typeLabel}</Chip>
          <RiskChip value={change.answers.risk} />
        </div>
        <PageHeading title={`${change.id} ${change.title}`}>{change.title}</PageHeading>
        <p className="muted">
          {change.requester ? (
            <>
              Requested by <strong>{nameOf(change.requester)}</strong>{' '}
            </>
          ) : (
            <>
              <strong>Unassigned</strong>: drafted from a pull request whose author is not in the
              policy; claim it to fill it in and submit it.{' '}
            </>
          )}
          <time dateTime={change.createdAt} title={formatFull(change.createdAt)}>
            {formatRelative(change.createdAt)}
          </time>
          {change.submittedAt ? (
            <>
              {' '}
              · submitted{' '}
              <time dateTime={change.submittedAt} title={formatFull(change.submittedAt)}>
                {formatRelative(change.submittedAt)}
              </time>
            </>
          ) : null}
        </p>
        <ActionBar change={change} />
      </div>
      <HeldNotice change={change} />
      <DraftNotice change={change} />
      <EarlyStartNotice change={change} />
      <PolicyNotice change={change} />
      <Warnings change={change} />
      <div className="change-layout">
        <div className="change-main">
          <section className="panel" aria-labelledby="description-heading">
            <h2 id="description-heading" className="section-title">
              Description
            </h2>
            {change.description.trim() ? (
              <div className="prose" dangerouslySetInnerHTML={{ __html: change.descriptionHtml }} />
            ) : (
              <p className="muted">No description.</p>
            )}
          </section>
          <section className="panel" aria-labelledby="answers-heading">
            <h2 id="answers-heading" className="section-title">
              Answers
            </h2>
            <AnswerList fields={policy.data?.fields ?? []} answers={change.answers} />
          </section>
          <ReviewPanel change={change} />
          <Timeline
            changeId={change.id}
            canComment={change.actions.includes('comment')}
            askable={change.actions.includes('ask') ? change.requester : null}
          />
        </div>
        <aside className="change-side" aria-label="Details">
          <section className="panel" aria-labelledby="approvals-heading">
            <h2 id="approvals-heading" className="section-title">
              Approvals
            </h2>
            <Requirements change={change} />
          </section>
          <ChangeClockPanel change={change} />
          <section className="panel" aria-labelledby="evidence-heading">
            <h2 id="evidence-heading" className="section-title">
              Evidence
            </h2>
            <p className="small">
              <a
                href={`/api/v1/changes/${encodeURIComponent(change.id)}/evidence`}
                target="_blank"
                rel="noopener"
              >
                The evidence report
              </a>{' '}
              <span className="muted">
                (printable: every answer, decision and event, with the proof the history is intact)
              </span>
            </p>
          </section>
          <section className="panel" aria-labelledby="plan-heading">
            <h2 id="plan-heading" className="section-title">
              Plan
            </h2>
            <dl className="facts">
              <dt>Window</dt>
              <dd>
                {formatWindow(change.plannedStart, change.plannedEnd)}
                {requesterZone && change.plannedStart && requesterZone !== viewerTimeZone() ? (
                  <span className="muted small block">
                    {nameOf(change.requester!)}’s time:{' '}
                    {formatWindow(change.plannedStart, change.plannedEnd, requesterZone)}
                  </span>
                ) : null}
              </dd>
              <dt>Services</dt>
              <dd>{change.services.map(serviceName).join(', ')}</dd>
              <dt>Type</dt>
              <dd>{typeLabel}</dd>
              {change.template ? (
                <>
                  <dt>Standard change</dt>
                  <dd>
                    {change.template.title ?? change.template.id}{' '}
                    <span className="muted small">
                      (version {change.template.version}
                      {change.template.current
                        ? ')'
                        : change.template.title === null
                          ? ', no longer in the policy)'
                          : ', since changed in the policy)'}
                    </span>
                  </dd>
                </>
              ) : null}
              {change.needsDiscussion.length > 0 ? (
                <>
                  <dt>Discussion</dt>
                  <dd>
                    On the agenda of <MeetingLinks names={change.needsDiscussion} />
                  </dd>
                </>
              ) : null}
            </dl>
          </section>
          <section className="panel" aria-labelledby="links-heading">
            <h2 id="links-heading" className="section-title">
              Links
            </h2>
            {change.links.length === 0 ? (
              <p className="muted">No links.</p>
            ) : (
              <ul className="links">
                {change.links.map((link) => (
                  <li key={link.url}>
                    <a href={link.url} target="_blank" rel="noopener noreferrer">
                      {link.title}
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </section>
        </aside>
      </div>
    </div>
  );
}

function Requirements({ change }: { change: Change }) {
  const nameOf = usePeople();
  if (change.requirements.length === 0)
    return (
      <EmptyState
        title={change.state === 'draft' ? 'No approval will be needed.' : 'No approval needed.'}
        icon="✓"
      >
        This type of change is pre-approved.
      </EmptyState>
    );
  /** "Kim Park, for Sam Rivera" when a stand-in gave someone's approval. */
  const byWhom = (person: string) => {
    const actor = change.decisions.find((d) => d.person === person)?.actor;
    return actor && actor !== person ? `${nameOf(actor)}, for ${nameOf(person)}` : nameOf(person);
  };
  return (
    <>
      {change.state === 'draft' ? (
        <p className="muted small">If submitted now, it will need:</p>
      ) : null}
      <ul className="requirements">
        {change.requirements.map((r, i) => (
          <li
            key={`${r.from}-${r.service ?? ''}-${i}`}
            className={r.met ? 'requirement met' : 'requirement'}
          >
            <span className="requirement-status" aria-hidden="true">
              {r.met ? '✓' : '○'}
            </span>
            <div>
              <p className="requirement-title">
                {r.met
                  ? `Approved by ${listNames(r.approvedBy.map(byWhom))}`
                  : whoMustDecide(r, nameOf)}
                <span className="visually-hidden">{r.met ? ' (met)' : ' (open)'}</span>
              </p>
              <p className="small muted">{`${r.from}: ${r.reason}`}</p>
              {!r.met && r.approvedBy.length > 0 ? (
                <p className="small">Approved so far by {listNames(r.approvedBy.map(byWhom))}</p>
              ) : null}
              {!r.met && !r.available ? (
                <p className="small requirement-unavailable">
                  Nobody available: {r.whyUnavailable}.
                </p>
              ) : null}
            </div>
          </li>
        ))}
      </ul>
      {change.decisions.some((d) => d.verdict === 'reject') ? (
        <p className="small">
          Rejected by{' '}
          {listNames(
            change.decisions.filter((d) => d.verdict === 'reject').map((d) => byWhom(d.person)),
          )}
        </p>
      ) : null}
    </>
  );
}

/** What happened, and what is still open: "You approved CHG-3. It is still pending: one of Ana Costa or Dev Kumar must approve." */
function outcomeOf(action: Decision, updated: Change, nameOf: (id: string) => string): string {
  const did = `${DONE[action]} ${updated.id}.`;
  if (updated.state !== 'pending')
    return `${did} It is ${STATE_LABELS[updated.state].toLowerCase()} now.`;
  const open = updated.requirements.filter((r) => !r.met);
  if (open.length === 0) return `${did} It is pending.`;
  const still = open.map((r) => mustApprove(r, nameOf)).join('; ');
  return `${did} It is still pending: ${still}.`;
}

/** A draft (for instance one a pull request started) says what it still lacks before it can be submitted. */
function DraftNotice({ change }: { change: Change }) {
  const policy = usePolicy();
  const formPolicy = useMemo(
    () => (policy.data ? toFormPolicy(policy.data) : undefined),
    [policy.data],
  );
  if (change.state !== 'draft' || !formPolicy || !policy.data) return null;
  const problems = validateChange(formPolicy, change, { forSubmit: true });
  const labelOf = (path: string) =>
    policy.data?.fields.find((f) => `answers.${f.id}` === path)?.label ?? path;
  const canEdit = change.actions.includes('edit');
  return (
    <Banner
      tone="info"
      title={problems.length === 0 ? 'Draft: ready to submit' : 'Draft: not ready to submit yet'}
    >
      {problems.length > 0 ? (
        <ul className="plain">
          {problems.map((p) => (
            <li key={p.path}>
              {p.message.startsWith('required:') ? (
                <>
                  {labelOf(p.path)} <span className="muted">(not answered yet)</span>
                </>
              ) : (
                `${labelOf(p.path)} ${p.message}`
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>Every required question is answered.</p>
      )}
      {canEdit ? (
        <p>
          <Link href={`/changes/${change.id}/edit`}>
            {problems.length > 0 ? 'Complete the form' : 'Review it in the form'}
          </Link>
        </p>
      ) : null}
    </Banner>
  );
}

/** A change started before every approval was in: who it still waits for, and any rejection since. */
function EarlyStartNotice({ change }: { change: Change }) {
  if (!change.startedEarly && !change.rejectedAfterStart) return null;
  const open = [...new Set(change.requirements.filter((r) => !r.met).map((r) => r.from))];
  return (
    <div className="warnings">
      {change.rejectedAfterStart ? (
        <Banner tone="danger" title="Rejected after the start">
          An approver rejected this change after it was started early; see the decisions below.
        </Banner>
      ) : null}
      {change.startedEarly && open.length > 0 ? (
        <Banner tone="info" title={`Started early: still waiting for ${open.join(', ')}`}>
          These approvals are still required. The change cannot be verified until they are in.
        </Banner>
      ) : null}
    </div>
  );
}

/** A policy applied since the change was submitted would ask more of it: it keeps what it was asked. */
function PolicyNotice({ change }: { change: Change }) {
  if (change.policyAsksMore.length === 0) return null;
  return (
    <div className="warnings">
      <Banner tone="warning" title="The policy changed since this was submitted">
        <p>
          It would now also need{' '}
          {change.policyAsksMore
            .map((r) => `${r.count} from ${r.from}${r.reason ? ` (${r.reason})` : ''}`)
            .join(', ')}
          . The change keeps the approvals it was asked for; editing it asks for the new ones.{' '}
          <Link href="/policy/history">Policy history</Link>
        </p>
      </Banner>
    </div>
  );
}

function Warnings({ change }: { change: Change }) {
  const serviceName = useServiceNames();
  const open = ['draft', 'pending', 'approved'].includes(change.state);
  // The server works out which changes collide (domain/conflicts.ts); the freezes among
  // `conflicts` are the ones in `freezeWarnings`, shown on their own below.
  const others = (change.conflicts ?? []).flatMap((c) => (c.kind === 'change' ? [c] : []));
  if (!open) return null;
  return (
    <div className="warnings">
      {change.windowWarning ? (
        <Banner tone="warning" title="Check the planned window">
          {change.windowWarning}
        </Banner>
      ) : null}
      {change.freezeWarnings.map((f) => (
        <Banner key={f.name} tone="warning" title={`Overlaps “${f.name}”`}>
          The planned window falls inside a freeze ({formatWindow(f.from, f.to)}) that does not
          allow {change.type} changes: it cannot start then.
        </Banner>
      ))}
      {others.length > 0 ? (
        <Banner
          tone="warning"
          title={`Overlaps ${others.length === 1 ? 'another change' : `${others.length} other changes`} to the same service`}
        >
          <ul className="plain">
            {others.map((c) => (
              <li key={c.id}>
                <Link href={`/changes/${c.id}`}>
                  {c.id} {c.title}
                </Link>{' '}
                <span className="muted">
                  ({c.services.map(serviceName).join(', ')},{' '}
                  {formatWindow(c.plannedStart, c.plannedEnd)})
                </span>
              </li>
            ))}
          </ul>
        </Banner>
      ) : null}
    </div>
  );
}

/** Only the buttons this person may use (the change's `actions`, computed by the server). */
function ActionBar({ change }: { change: Change }) {
  const [pending, setPending] = useState<Decision | 'discuss' | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const nameOf = usePeople();
  const buttons = useRef(new Map<Decision | 'discuss', HTMLButtonElement>());
  // Closing the panel gives focus back to the button that opened it.
  const close = (action: Decision | 'discuss') => {
    setPending(null);
    buttons.current.get(action)?.focus();
  };
  const keep = (action: Decision | 'discuss') => (element: HTMLButtonElement | null) => {
    if (element) buttons.current.set(action, element);
    else buttons.current.delete(action);
  };
  const actions = ORDER.filter((a) => change.actions.includes(a));
  const canDiscuss = change.actions.includes('discuss');
  const canEdit = change.actions.includes('edit');
  const status = (
    <p role="status" className={announcement ? 'action-outcome' : 'visually-hidden'}>
      {announcement}
    </p>
  );
  if (actions.length === 0 && !canEdit && !canDiscuss) return status;
  return (
    <div className="action-area">
      {status}
      <div className="action-bar" role="group" aria-label="Actions">
        {actions.map((action) => (
          <button
            key={action}
            ref={keep(action)}
            type="button"
            className={`button button-${ACTIONS[action].tone}`}
            aria-expanded={pending === action}
            aria-controls="action-panel"
            onClick={() => setPending(pending === action ? null : action)}
          >
            {ACTIONS[action].label}
          </button>
        ))}
        {canDiscuss ? (
          <button
            ref={keep('discuss')}
            type="button"
            className="button"
            aria-expanded={pending === 'discuss'}
            aria-controls="discuss-panel"
            onClick={() => setPending(pending === 'discuss' ? null : 'discuss')}
          >
            Record the meeting’s outcome
          </button>
        ) : null}
        {canEdit ? (
          <Link className="button" href={`/changes/${change.id}/edit`}>
            Edit
          </Link>
        ) : null}
      </div>
      {pending === 'discuss' ? (
        <DiscussPanel
          change={change}
          close={() => close('discuss')}
          done={({ change: updated, meeting, outcome }: RecordedOutcome) => {
            setPending(null);
            setAnnouncement(
              `You recorded ${meeting}’s outcome on ${updated.id}: ${outcomeDone(outcome)}. It is ${STATE_LABELS[updated.state].toLowerCase()} now.`,
            );
          }}
        />
      ) : pending ? (
        <ActionPanel
          change={change}
          action={pending}
          close={() => close(pending)}
          done={(updated) => {
            setPending(null);
            setAnnouncement(outcomeOf(pending, updated, nameOf));
          }}
        />
      ) : null}
    </div>
  );
}

function ActionPanel({
  change,
  action,
  close,
  done,
}: {
  change: Change;
  action: Decision;
  close: () => void;
  done: (updated: Change) => void;
}) {
  const spec = ACTIONS[action];
  const nameOf = usePeople();
  const session = useSession();
  const deciding = action === 'approve' || action === 'reject';
  const options = deciding ? change.onBehalfOptions : [];
  // One's own decision first, when it is one of the choices.
  const [onBehalfOf, setOnBehalfOf] = useState(
    options.find((person) => person === session.data?.person.id) ?? options[0] ?? '',
  );
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const mutation = useChangeAction(change.id);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), [action]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (spec.comment === 'required' && !comment.trim()) {
      setError('Say why, so the requester knows what to change.');
      ref.current?.focus();
      return;
    }
    setError(null);
    mutation.mutate(
      { action, comment: comment.trim() || undefined, onBehalfOf: onBehalfOf || undefined },
      {
        onSuccess: done,
        onError: (e) =>
          setError(e instanceof ApiError ? e.message : 'That did not work; try again.'),
      },
    );
  };
  return (
    <form
      id="action-panel"
      className={`action-panel action-panel-${spec.tone}`}
      onSubmit={submit}
      noValidate
      onKeyDown={(e) => {
        if (e.key === 'Escape') close();
      }}
      aria-label={`${spec.label} ${change.id}`}
    >
      {options.length > 0 ? (
        <>
          <label htmlFor="action-for">Whose decision</label>
          <select
            id="action-for"
            value={onBehalfOf}
            onChange={(e) => setOnBehalfOf(e.target.value)}
          >
            {options.map((person) => (
              <option key={person} value={person}>
                {person === session.data?.person.id
                  ? 'Your own'
                  : `For ${nameOf(person)} (away; you stand in)`}
              </option>
            ))}
          </select>
        </>
      ) : null}
      <label htmlFor="action-comment">
        Comment{' '}
        {spec.comment === 'required' ? (
          <span className="required">(required)</span>
        ) : (
          <span className="muted">(optional)</span>
        )}
      </label>
      <textarea
        id="action-comment"
        ref={ref}
        rows={3}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'action-error' : undefined}
      />
      {error ? (
        <p className="field-error" id="action-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="form-actions">
        <button
          type="submit"
          className={`button button-${spec.tone === 'quiet' ? 'danger' : spec.tone}`}
          disabled={mutation.isPending}
        >
          {mutation.isPending ? 'Working…' : spec.confirm}
        </button>
        <button type="button" className="button button-quiet" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}
