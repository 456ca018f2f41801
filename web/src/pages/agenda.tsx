import { useId, useRef, useState } from 'react';
import { useAgenda, useMeetings, useSendAgenda, useSession } from '../api/queries.js';
import type { Agenda, Meeting } from '../api/types.js';
import { AgendaItemSummary } from '../components/agenda-item.js';
import { DiscussionForm, type RecordedOutcome } from '../components/discussion-form.js';
import { AgendaDownloads, MeetingFacts, SittingTime } from '../components/meeting-facts.js';
import { Banner, EmptyState, ErrorState, Loading, PageHeading } from '../components/ui.js';
import { formatSitting, STATE_LABELS } from '../lib/format.js';
import { outcomeDone } from '../lib/meetings.js';
import { Link, navigate, useLocation } from '../lib/router.js';

/**
 * One sitting's agenda (`?at=` its start), where the meeting's attendees record
 * each change's outcome; anyone else reads it. Opens on the sitting whose
 * outcomes are being recorded now.
 */
export function AgendaPage({ id }: { id: string }) {
  const meetings = useMeetings();
  const { search } = useLocation();
  const meeting = meetings.data?.find((m) => m.id === id || m.name === id);
  // The server says which sitting an outcome recorded now counts for.
  const recordsNow = meeting?.recordsFor?.start;
  const at = search.get('at') ?? recordsNow;
  const agenda = useAgenda(meeting?.id ?? id, at, { enabled: !meetings.isPending });
  const title = meeting?.name ?? id;

  if (meetings.isPending || agenda.isPending)
    return (
      <div className="page">
        <Loading label={`Loading the agenda of ${title}`} lines={5} />
      </div>
    );
  if (agenda.isError)
    return (
      <div className="page narrow">
        <PageHeading title={title}>{title}</PageHeading>
        <ErrorState error={agenda.error} retry={() => void agenda.refetch()} />
      </div>
    );
  return <AgendaDetails agenda={agenda.data} meeting={meeting} recordsNow={recordsNow} />;
}

function AgendaDetails({
  agenda,
  meeting,
  recordsNow,
}: {
  agenda: Agenda;
  meeting: Meeting | undefined;
  recordsNow: string | undefined;
}) {
  const session = useSession().data;
  const me = session?.person.id;
  const isAdmin = session?.person.admin ?? false;
  const attends = meeting?.attendees.some((a) => a.id === me) ?? false;
  const start = agenda.sitting?.start;
  // Outcomes count for the sitting on now (or whose minutes are being written up), else the next.
  const isRecordedHere = !start || !recordsNow || start === recordsNow;
  const canRecord = attends && isRecordedHere;
  const [announcement, setAnnouncement] = useState('');
  const status = useRef<HTMLParagraphElement>(null);
  const zone = agenda.timezone ?? undefined;
  const name = agenda.meeting.name;

  const recorded = ({ change, outcome }: RecordedOutcome) => {
    const state = STATE_LABELS[change.state].toLowerCase();
    setAnnouncement(
      `${name}’s outcome on ${change.id} recorded: ${outcomeDone(outcome)}. It is ${state} now.`,
    );
    // The item leaves the list it was in; focus goes to what was said about it.
    status.current?.focus();
  };

  return (
    <div className="page">
      <p className="breadcrumb">
        <Link href="/meetings">Meetings</Link>
      </p>
      <div className="page-head">
        <PageHeading title={`${name} agenda`}>{name}</PageHeading>
      </div>
      <div className="agenda-sitting">
        <p className="lead">
          Agenda for <SittingTime agenda={agenda} />
        </p>
        {meeting && agenda.sitting ? (
          <SittingChooser
            meeting={meeting}
            current={agenda.sitting.start}
            recordsNow={recordsNow}
          />
        ) : null}
        <AgendaDownloads agenda={agenda} />
        {meeting &&
        (attends || isAdmin) &&
        agenda.items.length > 0 &&
        agenda.sitting?.start === meeting.upcoming[0]?.sitting?.start ? (
          <SendAgenda meeting={meeting} />
        ) : null}
      </div>
      {meeting ? (
        <section className="panel" aria-label={`About ${name}`}>
          <MeetingFacts meeting={meeting} me={me} />
        </section>
      ) : null}
      {meeting && !attends ? (
        <Banner tone="info" title="Read-only">
          You do not attend {name}: its attendees record the outcomes here.
        </Banner>
      ) : !isRecordedHere && recordsNow ? (
        <Banner tone="info" title="Outcomes are recorded on another sitting’s agenda">
          An outcome recorded now counts for the sitting of{' '}
          {formatSitting(recordsNow, agenda.timezone)}.{' '}
          <Link href={`/meetings/${agenda.meeting.id}?at=${encodeURIComponent(recordsNow)}`}>
            Record outcomes there
          </Link>
        </Banner>
      ) : null}
      <p
        ref={status}
        tabIndex={-1}
        role="status"
        className={announcement ? 'action-outcome' : 'visually-hidden'}
      >
        {announcement}
      </p>
      <section className="agenda-section" aria-labelledby="to-discuss-heading">
        <h2 id="to-discuss-heading" className="section-title">
          To discuss <span className="count">{agenda.items.length}</span>
        </h2>
        {agenda.items.length === 0 ? (
          <EmptyState
            title={
              agenda.discussed.length > 0
                ? 'Nothing left to discuss at this sitting.'
                : 'Nothing to discuss.'
            }
            icon="✓"
          >
            {agenda.discussed.length === 0
              ? 'No agenda is sent while nothing waits: the sitting can be skipped.'
              : null}
          </EmptyState>
        ) : (
          <ol className="agenda">
            {agenda.items.map((item) => (
              <li key={item.id}>
                <AgendaItemSummary item={item} timeZone={zone}>
                  {canRecord ? (
                    <DiscussionForm
                      key={item.version}
                      changeId={item.id}
                      version={item.version}
                      meetings={[agenda.meeting]}
                      label={`${name}’s outcome on ${item.id}`}
                      onDone={recorded}
                    />
                  ) : null}
                </AgendaItemSummary>
              </li>
            ))}
          </ol>
        )}
        {agenda.truncated ? (
          <p className="muted small">More changes wait than an agenda lists; see the board.</p>
        ) : null}
      </section>
      <section className="agenda-section" aria-labelledby="discussed-heading">
        <h2 id="discussed-heading" className="section-title">
          Discussed at this sitting <span className="count">{agenda.discussed.length}</span>
        </h2>
        {agenda.discussed.length === 0 ? (
          <EmptyState title="No outcome recorded at this sitting yet." />
        ) : (
          <ol className="agenda">
            {agenda.discussed.map((item) => (
              <li key={item.id}>
                <AgendaItemSummary item={item} timeZone={zone} />
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

/** The sittings one can open: the one being written up (if any) and the next three. */
function SittingChooser({
  meeting,
  current,
  recordsNow,
}: {
  meeting: Meeting;
  current: string;
  recordsNow: string | undefined;
}) {
  const id = useId();
  const zone = meeting.schedule?.timezone ?? null;
  const starts = [
    ...(meeting.last ? [meeting.last.sitting.start] : []),
    ...meeting.upcoming.flatMap((a) => (a.sitting ? [a.sitting.start] : [])),
    current,
  ];
  const sittings = [...new Set(starts)].sort();
  const labelOf = (start: string) =>
    [
      formatSitting(start, zone),
      start === meeting.last?.sitting.start ? 'the last sitting' : '',
      start === recordsNow ? 'outcomes recorded now' : '',
    ]
      .filter(Boolean)
      .join(', ');
  return (
    <div className="filter">
      <label htmlFor={`${id}-sitting`}>Sitting</label>{' '}
      <select
        id={`${id}-sitting`}
        value={current}
        onChange={(e) =>
          navigate(`/meetings/${meeting.id}?at=${encodeURIComponent(e.target.value)}`)
        }
      >
        {sittings.map((start) => (
          <option key={start} value={start}>
            {labelOf(start)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** E-mails the next sitting's agenda now, instead of `agendaLeadTime` before it (a late change, an early chair). */
function SendAgenda({ meeting }: { meeting: Meeting }) {
  const send = useSendAgenda(meeting.id);
  const names = (ids: readonly string[]) =>
    ids.map((id) => meeting.attendees.find((a) => a.id === id)?.name ?? id).join(', ');
  return (
    <div className="send-agenda">
      <button
        type="button"
        className="button"
        disabled={send.isPending}
        onClick={() => send.mutate()}
      >
        E-mail the agenda now
      </button>
      <p role="status" className="small muted">
        {send.isSuccess
          ? `Sent to ${names(send.data.recipients)}, each in their own working hours.`
          : send.isError
            ? send.error.message
            : ''}
      </p>
    </div>
  );
}
