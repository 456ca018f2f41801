import { useMeetings, useSession } from '../api/queries.js';
import type { Meeting } from '../api/types.js';
import { AgendaItemSummary } from '../components/agenda-item.js';
import { AgendaDownloads, MeetingFacts, SittingTime } from '../components/meeting-facts.js';
import { Chip, EmptyState, ErrorState, Loading, PageHeading } from '../components/ui.js';
import { Link } from '../lib/router.js';

/** The meetings that remain: each with who attends, when it sits, and its next agenda. */
export function MeetingsPage() {
  const meetings = useMeetings();
  const me = useSession().data?.person.id;
  return (
    <div className="page">
      <div className="page-head">
        <PageHeading title="Meetings">Meetings</PageHeading>
      </div>
      <p className="lead muted">
        The few changes that still deserve a conversation, sitting by sitting. Everything else is
        decided asynchronously.
      </p>
      {meetings.isPending ? (
        <Loading label="Loading the meetings" lines={4} />
      ) : meetings.isError ? (
        <ErrorState error={meetings.error} retry={() => void meetings.refetch()} />
      ) : meetings.data.length === 0 ? (
        <EmptyState title="The policy names no meeting." icon="✓">
          Every change is decided asynchronously.
        </EmptyState>
      ) : (
        <div className="meetings">
          {meetings.data.map((meeting) => (
            <MeetingPanel key={meeting.id} meeting={meeting} me={me} />
          ))}
        </div>
      )}
    </div>
  );
}

function MeetingPanel({ meeting, me }: { meeting: Meeting; me: string | undefined }) {
  const next = meeting.upcoming[0];
  const headingId = `meeting-${meeting.id}`;
  const nextId = `meeting-${meeting.id}-next`;
  const zone = next?.timezone ?? undefined;
  return (
    <section className="panel meeting" aria-labelledby={headingId} data-meeting={meeting.id}>
      <div className="meeting-head">
        <h2 id={headingId} className="meeting-title">
          <Link href={`/meetings/${meeting.id}`}>{meeting.name}</Link>
        </h2>
        {meeting.hold ? <Chip tone="warning">Holds</Chip> : <Chip>Informs</Chip>}
      </div>
      <MeetingFacts meeting={meeting} me={me} />
      {next ? (
        <section className="meeting-next" aria-labelledby={nextId}>
          <div className="meeting-next-head">
            <h3 id={nextId} className="meeting-next-title">
              {next.sitting ? 'Next sitting: ' : 'Agenda: '}
              <SittingTime agenda={next} />
            </h3>
            <AgendaDownloads agenda={next} />
            <Link href={`/meetings/${meeting.id}`} className="button button-quiet">
              Open the agenda
            </Link>
            <Link
              href={`/?meeting=${encodeURIComponent(meeting.id)}`}
              className="button button-quiet"
            >
              On the board
            </Link>
          </div>
          {next.items.length === 0 ? (
            <EmptyState title="Nothing to discuss." icon="✓">
              {next.discussed.length === 0
                ? 'No agenda is sent while nothing waits: the sitting can be skipped.'
                : null}
            </EmptyState>
          ) : (
            <ol className="agenda">
              {next.items.map((item) => (
                <li key={item.id}>
                  <AgendaItemSummary item={item} timeZone={zone} headingLevel={4} />
                </li>
              ))}
            </ol>
          )}
          {next.truncated ? (
            <p className="muted small">More changes wait than an agenda lists; see the board.</p>
          ) : null}
          {next.discussed.length > 0 ? (
            <p className="muted small">
              {next.discussed.length} already discussed at this sitting.
            </p>
          ) : null}
        </section>
      ) : null}
    </section>
  );
}
