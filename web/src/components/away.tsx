import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useMyAbsence, usePeopleStatus, usePolicy } from '../api/queries.js';
import type { PersonStatus, Session } from '../api/types.js';
import { usePeople } from './ui.js';

const date = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

/** "12 Jan": a day as the viewer's calendar shows it ("until 12 Jan": back on 12 Jan, as the server says too). */
function untilDay(iso: string): string {
  return date.format(new Date(iso));
}

/**
 * The signed-in person's menu: their name, and "I'm away" — until when, who
 * decides meanwhile — or, while away, when they are back and "I'm back".
 */
export function PersonMenu({ session, signOut }: { session: Session; signOut: () => void }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const people = usePeopleStatus();
  const me = people.data?.find((p) => p.id === session.person.id);
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  return (
    <div className="person-menu">
      <button
        ref={button}
        type="button"
        className="button button-quiet whoami"
        aria-expanded={open}
        aria-controls={panelId}
        title={session.person.email}
        onClick={() => setOpen(!open)}
      >
        {session.person.name}
        {me?.absent ? <span className="away-badge">Away</span> : null}
        <span aria-hidden="true"> ▾</span>
      </button>
      {open ? (
        <div
          id={panelId}
          className="person-panel"
          role="region"
          aria-label="Your menu"
          onKeyDown={(e) => {
            if (e.key === 'Escape') close();
          }}
        >
          {me?.absence ? <YouAreAway me={me} /> : <AwayForm session={session} done={close} />}
          <hr />
          <button type="button" className="button button-quiet" onClick={signOut}>
            Sign out
          </button>
        </div>
      ) : null}
    </div>
  );
}

function YouAreAway({ me }: { me: PersonStatus }) {
  const nameOf = usePeople();
  const absence = useMyAbsence();
  const standIn = me.absence?.delegate ?? me.deputy;
  return (
    <div className="away-status">
      <p>
        <strong>
          You are away {me.absent ? '' : `from ${untilDay(me.absence!.from)} `}until{' '}
          {untilDay(me.absence!.until)}.
        </strong>{' '}
        {standIn
          ? `${nameOf(standIn)} decides for you meanwhile.`
          : 'Nobody stands in for you: your approval requests go to the rest of your groups.'}
      </p>
      <button
        type="button"
        className="button button-primary"
        disabled={absence.isPending}
        onClick={() => absence.mutate(null)}
      >
        I’m back
      </button>
    </div>
  );
}

function AwayForm({ session, done }: { session: Session; done: () => void }) {
  const policy = usePolicy();
  const people = usePeopleStatus();
  const nameOf = usePeople();
  const absence = useMyAbsence();
  const [until, setUntil] = useState('');
  const [delegate, setDelegate] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const me = people.data?.find((p) => p.id === session.person.id);
  const candidates = (policy.data?.people ?? []).filter(
    (p) => p.id !== session.person.id && !people.data?.find((s) => s.id === p.id)?.external,
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!until) {
      setError('Say when you are back.');
      first.current?.focus();
      return;
    }
    // The date one is back: away until the start of that day, in one's own time zone.
    const back = new Date(`${until}T00:00:00`);
    absence.mutate(
      {
        until: back.toISOString(),
        ...(delegate && { delegate }),
        ...(note.trim() && { note: note.trim() }),
      },
      {
        onSuccess: done,
        onError: (e) =>
          setError(
            e instanceof ApiError
              ? e.details.map((i) => `${i.path}: ${i.message}`).join('; ') || e.message
              : 'That did not work; try again.',
          ),
      },
    );
  };
  return (
    <form className="away-form" onSubmit={submit} noValidate aria-label="I’m away">
      <h2 className="section-title">I’m away</h2>
      <p className="small muted">
        While you are away, your approval requests go to whoever decides for you.
      </p>
      <label htmlFor="away-until">Back on</label>
      <input
        id="away-until"
        ref={first}
        type="date"
        value={until}
        onChange={(e) => setUntil(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'away-error' : undefined}
      />
      <label htmlFor="away-delegate">Who decides for you</label>
      <select id="away-delegate" value={delegate} onChange={(e) => setDelegate(e.target.value)}>
        <option value="">
          {me?.deputy
            ? `Your deputy, ${nameOf(me.deputy)}`
            : 'Nobody: the rest of your groups decide'}
        </option>
        {candidates.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <label htmlFor="away-note">
        Note <span className="muted">(optional)</span>
      </label>
      <input
        id="away-note"
        type="text"
        value={note}
        maxLength={500}
        placeholder="Conference, back Monday"
        onChange={(e) => setNote(e.target.value)}
      />
      {error ? (
        <p className="field-error" id="away-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button-primary" disabled={absence.isPending}>
        {absence.isPending ? 'Saving…' : 'I’m away'}
      </button>
    </form>
  );
}

/** Who is away now, on the board: "Sam Rivera until 12 Jan (Kim Park decides)". */
export function AwayStrip() {
  const people = usePeopleStatus();
  const nameOf = usePeople();
  const away = (people.data ?? []).filter((p) => p.absent && p.absence);
  if (away.length === 0) return null;
  return (
    <p className="away-strip" aria-label="Who is away">
      <strong>Away:</strong>{' '}
      {away.map((p, i) => (
        <span key={p.id}>
          {i > 0 ? ' · ' : null}
          {p.name} until {untilDay(p.absence!.until)}{' '}
          <span className="muted">
            ({p.delegate ? `${nameOf(p.delegate)} decides` : 'nobody stands in'})
          </span>
        </span>
      ))}
    </p>
  );
}
