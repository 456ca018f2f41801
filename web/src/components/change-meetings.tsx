import { Fragment, useEffect, useRef } from 'react';
import { usePolicy, useSession } from '../api/queries.js';
import type { Change } from '../api/types.js';
import { formatSitting } from '../lib/format.js';
import { Link } from '../lib/router.js';
import { DiscussionForm, type RecordedOutcome } from './discussion-form.js';
import { Banner } from './ui.js';

/** What the change page says of the meetings a change waits for, and where an attendee records an outcome. */

/** The policy's meetings of these names: the names are what a change carries, the ids what pages take. */
function useMeetingsNamed(
  names: readonly string[],
): { id: string; name: string; attendees: readonly string[] }[] {
  const meetings = usePolicy().data?.meetings;
  return names.map((name) => {
    const meeting = meetings?.find((m) => m.name === name);
    // The API takes a meeting's name wherever it takes its id: a fallback while the policy loads.
    return { name, id: meeting?.id ?? name, attendees: meeting?.attendees ?? [] };
  });
}

/** "Acme Hosting CAB and Weekly risk review", each a link to its agenda. */
export function MeetingLinks({ names }: { names: readonly string[] }) {
  const meetings = useMeetingsNamed(names);
  return (
    <>
      {meetings.map((m, i) => (
        <Fragment key={m.name}>
          {i === 0 ? '' : i === meetings.length - 1 ? ' and ' : ', '}
          <Link href={`/meetings/${encodeURIComponent(m.id)}`}>{m.name}</Link>
        </Fragment>
      ))}
    </>
  );
}

/** A pending change a meeting holds: it cannot become approved before that meeting's outcome, approvals or not. */
export function HeldNotice({ change }: { change: Change }) {
  if (change.heldBy.length === 0) return null;
  const allIn = change.requirements.every((r) => r.met);
  return (
    <div className="warnings">
      {change.heldBy.map((held) => (
        <Banner
          key={held.id}
          tone="warning"
          title={`Waiting for ${held.meeting}${held.next ? ` on ${formatSitting(held.next, held.timezone)}` : ''}`}
        >
          <p>
            It cannot be approved before the meeting records its outcome
            {allIn ? ', even though every approval is in' : ''}.{' '}
            <Link href={`/meetings/${held.id}`}>See the agenda</Link>
          </p>
        </Banner>
      ))}
    </div>
  );
}

/** The outcome form on the change page, for the meetings the viewer attends that have yet to discuss it. */
export function DiscussPanel({
  change,
  close,
  done,
}: {
  change: Change;
  close: () => void;
  done: (recorded: RecordedOutcome) => void;
}) {
  const me = useSession().data?.person.id;
  const named = useMeetingsNamed(change.needsDiscussion);
  const attended = named.filter((m) => me !== undefined && m.attendees.includes(me));
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector('textarea')?.focus();
  }, []);
  return (
    <div
      ref={ref}
      id="discuss-panel"
      className="action-panel action-panel-primary"
      onKeyDown={(e) => {
        if (e.key === 'Escape') close();
      }}
    >
      <p className="small muted">
        {attended.length === 1
          ? `What ${attended[0]!.name} decided on ${change.id}.`
          : `What the meeting decided on ${change.id}.`}
      </p>
      <DiscussionForm
        changeId={change.id}
        version={change.version}
        meetings={attended.length > 0 ? attended : named}
        label={`Meeting outcome on ${change.id}`}
        onDone={done}
        onCancel={close}
      />
    </div>
  );
}
