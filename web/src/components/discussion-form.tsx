import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.js';
import { useDiscussion } from '../api/queries.js';
import type { Change, DiscussionOutcome } from '../api/types.js';
import { OUTCOMES } from '../lib/meetings.js';

const TONES: Record<DiscussionOutcome, string> = {
  approve: 'success',
  reject: 'danger',
  defer: 'quiet',
  noted: 'quiet',
};

export interface RecordedOutcome {
  readonly change: Change;
  readonly meeting: string;
  readonly outcome: DiscussionOutcome;
}

/**
 * A meeting's outcome on one change, as an attendee records it: the minutes
 * (the reason, when it rejects), a link to the meeting's own minutes, and one
 * button per outcome. The server checks everything; its field errors show
 * under their fields.
 */
export function DiscussionForm({
  changeId,
  version,
  meetings,
  onDone,
  onCancel,
  label,
}: {
  changeId: string;
  /** The version the outcome is recorded on: a change edited meanwhile is refused (409). */
  version: number;
  /** The meetings the person may record for (id and name); a choice when more than one. */
  meetings: readonly { id: string; name: string }[];
  onDone: (recorded: RecordedOutcome) => void;
  /** A Cancel button, when the form is a panel that closes. */
  onCancel?: () => void;
  label: string;
}) {
  const id = useId();
  const [meeting, setMeeting] = useState(meetings[0]?.id ?? '');
  const [minutes, setMinutes] = useState('');
  const [url, setUrl] = useState('');
  const [errors, setErrors] = useState<{ minutes?: string; url?: string; form?: string }>({});
  const [chosen, setChosen] = useState<DiscussionOutcome | null>(null);
  const mutation = useDiscussion(changeId);
  const minutesRef = useRef<HTMLTextAreaElement>(null);
  const urlRef = useRef<HTMLInputElement>(null);
  const meetingName = meetings.find((m) => m.id === meeting)?.name ?? meeting;

  const record = (outcome: DiscussionOutcome) => {
    setChosen(outcome);
    setErrors({});
    mutation.mutate(
      {
        meeting,
        outcome,
        version,
        ...(minutes.trim() && { minutes: minutes.trim() }),
        ...(url.trim() && { url: url.trim() }),
      },
      {
        onSuccess: (change) => {
          setMinutes('');
          setUrl('');
          onDone({ change, meeting: meetingName, outcome });
        },
        onError: (error) => {
          if (!(error instanceof ApiError)) {
            setErrors({ form: 'That did not work; try again.' });
            return;
          }
          const next: typeof errors = {};
          for (const issue of error.details) {
            if (issue.path === 'minutes') next.minutes = issue.message;
            else if (issue.path === 'url') next.url = issue.message;
          }
          if (!next.minutes && !next.url) next.form = error.message;
          setErrors(next);
          if (next.minutes) minutesRef.current?.focus();
          else if (next.url) urlRef.current?.focus();
        },
      },
    );
  };
  // Only the buttons record: Enter in a field must not pick an outcome.
  const submit = (event: FormEvent<HTMLFormElement>) => event.preventDefault();

  return (
    <form className="discussion-form" aria-label={label} onSubmit={submit} noValidate>
      {meetings.length > 1 ? (
        <div className="field">
          <label htmlFor={`${id}-meeting`}>Meeting</label>
          <select id={`${id}-meeting`} value={meeting} onChange={(e) => setMeeting(e.target.value)}>
            {meetings.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className={`field${errors.minutes ? ' has-error' : ''}`}>
        <label htmlFor={`${id}-minutes`}>
          Minutes <span className="muted">(required to reject: the requester reads them)</span>
        </label>
        <textarea
          id={`${id}-minutes`}
          ref={minutesRef}
          rows={2}
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
          aria-invalid={errors.minutes ? true : undefined}
          aria-describedby={errors.minutes ? `${id}-minutes-error` : undefined}
        />
        {errors.minutes ? (
          <p className="field-error" id={`${id}-minutes-error`} role="alert">
            {errors.minutes}
          </p>
        ) : null}
      </div>
      <div className={`field${errors.url ? ' has-error' : ''}`}>
        <label htmlFor={`${id}-url`}>
          Link to the meeting’s minutes <span className="muted">(optional)</span>
        </label>
        <input
          id={`${id}-url`}
          ref={urlRef}
          type="url"
          placeholder="https://"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          aria-invalid={errors.url ? true : undefined}
          aria-describedby={errors.url ? `${id}-url-error` : undefined}
        />
        {errors.url ? (
          <p className="field-error" id={`${id}-url-error`} role="alert">
            {errors.url}
          </p>
        ) : null}
      </div>
      {errors.form ? (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      ) : null}
      <div className="form-actions">
        <div className="form-actions" role="group" aria-label="Outcome">
          {OUTCOMES.map((o) => (
            <button
              key={o.id}
              type="button"
              onClick={() => record(o.id)}
              className={`button button-${TONES[o.id]}`}
              disabled={mutation.isPending}
            >
              {mutation.isPending && chosen === o.id ? 'Recording…' : o.label}
            </button>
          ))}
        </div>
        {onCancel ? (
          <button type="button" className="button button-quiet" onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
