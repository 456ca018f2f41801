import type { Agenda, Meeting } from '../api/types.js';
import { formatSitting, inViewerTime } from '../lib/format.js';
import {
  durationInWords,
  lastSittingLine,
  sameOriginHref,
  scheduleInWords,
} from '../lib/meetings.js';

/** What a meeting is: when it sits, who attends, whether it holds its changes, how its last sitting went. */
export function MeetingFacts({ meeting, me }: { meeting: Meeting; me: string | undefined }) {
  return (
    <dl className="facts meeting-facts">
      <dt>When</dt>
      <dd>{meeting.schedule ? scheduleInWords(meeting.schedule) : 'No schedule'}</dd>
      <dt>Attendees</dt>
      <dd>
        <ul className="plain inline-list">
          {meeting.attendees.map((a) => (
            <li key={a.id}>
              {a.name}
              {a.id === me ? ' (you)' : ''}
              {a.external ? <span className="muted"> (external)</span> : null}
            </li>
          ))}
        </ul>
      </dd>
      <dt>Outcome</dt>
      <dd>
        {meeting.hold
          ? 'Holds its changes: one cannot be approved before the meeting records its outcome'
          : 'Informs: its changes are decided asynchronously meanwhile'}
      </dd>
      {meeting.schedule ? (
        <>
          <dt>Agenda</dt>
          <dd>E-mailed to the attendees {durationInWords(meeting.agendaLeadTimeMinutes)} ahead</dd>
        </>
      ) : null}
      <dt>Last sitting</dt>
      <dd>
        {meeting.last ? lastSittingLine(meeting.last, meeting.schedule?.timezone) : 'None yet'}
      </dd>
    </dl>
  );
}

/** "Thu 5 Nov 14:00 (Europe/London)", with the viewer's own time beside it when it differs. */
export function SittingTime({ agenda }: { agenda: Pick<Agenda, 'sitting' | 'timezone'> }) {
  if (!agenda.sitting) return <>No scheduled sitting</>;
  const yours = inViewerTime(agenda.sitting.start, agenda.timezone);
  return (
    <>
      <time dateTime={agenda.sitting.start}>
        {formatSitting(agenda.sitting.start, agenda.timezone)}
      </time>
      {yours ? <span className="muted small"> · your time {yours}</span> : null}
    </>
  );
}

/** The agenda as Markdown and as a calendar event: plain links, opened with the session cookie. */
export function AgendaDownloads({ agenda }: { agenda: Agenda }) {
  const name = agenda.meeting.name;
  return (
    <ul className="plain inline-list agenda-downloads" aria-label={`The agenda of ${name}`}>
      <li>
        <a href={sameOriginHref(agenda.links.markdown)} type="text/markdown">
          Markdown
        </a>
      </li>
      <li>
        <a href={sameOriginHref(agenda.links.ics)} type="text/calendar">
          Calendar (.ics)
        </a>
      </li>
    </ul>
  );
}
