import { useState } from 'react';
import { useCalendarFeed, usePolicy, useChanges } from '../api/queries.js';
import type { ChangeCard } from '../api/types.js';
import { EmptyState, ErrorState, Loading, PageHeading, useServiceNames } from '../components/ui.js';
import { formatDay, formatTime, formatWindow, STATE_LABELS } from '../lib/format.js';
import {
  coversService,
  freezeWindows,
  recurringFreezeInWords,
  upcomingOccurrences,
  type FreezeWindow,
} from '../lib/freezes.js';
import { Link, useSearchParams } from '../lib/router.js';

/**
 * Calendar apps subscribe to a link and send no cookie or header, so the link
 * carries a secret of its own, which opens this feed and nothing else.
 */
function SubscribeButton({ service, serviceName }: { service: string; serviceName: string }) {
  const feed = useCalendarFeed();
  const [copied, setCopied] = useState(false);
  const url = feed.data
    ? `${feed.data.url}${service ? `&service=${encodeURIComponent(service)}` : ''}`
    : null;
  const copy = (link: string) => {
    navigator.clipboard.writeText(link).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <>
      <button
        type="button"
        className="button button-quiet"
        disabled={feed.isPending}
        onClick={() => {
          setCopied(false);
          feed.mutate();
        }}
      >
        {url ? 'Get a new link' : 'Subscribe in a calendar app'}
      </button>
      {feed.isError ? (
        <p className="feed-error" role="alert">
          No link: {feed.error.message}
        </p>
      ) : null}
      {url ? (
        <div className="feed-link" role="region" aria-label="Calendar link">
          <label htmlFor="calendar-feed-url">
            Add this link to Outlook, Google Calendar or Apple Calendar (“subscribe from URL”)
          </label>
          <div className="feed-link-row">
            <input
              id="calendar-feed-url"
              readOnly
              value={url}
              onFocus={(e) => e.currentTarget.select()}
            />
            <button type="button" className="button" onClick={() => copy(url)}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </div>
          <p className="muted small">
            Anyone with this link can read the board’s calendar
            {service
              ? ` (it asks for ${serviceName} only; choose another service above for the same link with another filter)`
              : ''}
            . Getting a new link turns this one off, in every calendar app you added it to.
          </p>
        </div>
      ) : null}
    </>
  );
}

/** Monday 00:00 local time of the week that holds `date`. */
function startOfWeek(date: Date): Date {
  const d = new Date(date.getFullYear(), date.getMonth(), date.getDate());
  const offset = (d.getDay() + 6) % 7;
  d.setDate(d.getDate() - offset);
  return d;
}

function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function parseWeek(text: string | null): Date {
  const match = text ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(text) : null;
  if (!match) return startOfWeek(new Date());
  return startOfWeek(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
}

function addDays(date: Date, days: number): Date {
  const d = new Date(date);
  d.setDate(d.getDate() + days);
  return d;
}

function overlaps(start: number, end: number, from: number, to: number): boolean {
  return start < to && end > from;
}

export function CalendarPage() {
  const [search, setSearch] = useSearchParams();
  const policy = usePolicy();
  const serviceName = useServiceNames();
  const monday = parseWeek(search.get('week'));
  const nextMonday = addDays(monday, 7);
  const service = search.get('service') ?? '';
  const changes = useChanges({
    plannedFrom: monday.toISOString(),
    plannedTo: nextMonday.toISOString(),
    state: 'pending,approved,in_progress,completed,verified,failed',
    ...(service ? { service } : {}),
    limit: '200',
  });
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    setSearch(next);
  };
  // One-off freezes and the occurrences of recurring ones that touch this week.
  const freezes = policy.data ? freezeWindows(policy.data, monday, nextMonday, service) : [];
  const recurring = (policy.data?.recurringFreezes ?? []).filter((f) => coversService(f, service));
  const now = new Date();
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  const today = isoDay(new Date());
  const title = `Week of ${formatDay(monday)}`;
  const icsHref = `/api/v1/calendar.ics${service ? `?service=${encodeURIComponent(service)}` : ''}`;

  return (
    <div className="page wide">
      <div className="page-head">
        <PageHeading title={`Calendar, ${title}`}>Calendar</PageHeading>
        <div className="calendar-nav" role="group" aria-label="Week">
          <button
            type="button"
            className="button"
            onClick={() => set('week', isoDay(addDays(monday, -7)))}
          >
            <span aria-hidden="true">‹ </span>Previous week
          </button>
          <button type="button" className="button" onClick={() => set('week', null)}>
            This week
          </button>
          <button type="button" className="button" onClick={() => set('week', isoDay(nextMonday))}>
            Next week<span aria-hidden="true"> ›</span>
          </button>
        </div>
      </div>
      <div className="filters">
        <p className="calendar-title" aria-live="polite">
          {title} – {formatDay(addDays(nextMonday, -1))}
        </p>
        <div className="filter">
          <label htmlFor="calendar-service" className="visually-hidden">
            Service
          </label>
          <select
            id="calendar-service"
            value={service}
            onChange={(e) => set('service', e.target.value || null)}
          >
            <option value="">All services</option>
            {(policy.data?.services ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <a className="button button-quiet" href={icsHref} download="changeboard.ics">
          Download as iCalendar
        </a>
        <SubscribeButton
          service={service}
          serviceName={policy.data?.services.find((s) => s.id === service)?.name ?? service}
        />
      </div>
      {freezes
        .filter((f) => !f.recurring)
        .map((f) => (
          <div key={f.name} className="freeze-bar" role="note">
            <strong>{f.name}</strong>: only {f.allow.join(', ') || 'no'} changes may start,{' '}
            {formatDay(new Date(f.from))} – {formatDay(new Date(new Date(f.to).getTime() - 1))}
          </div>
        ))}
      {recurring.map((f) => {
        const upcoming = upcomingOccurrences(f, now);
        return (
          <div
            key={f.name}
            className="freeze-bar freeze-bar-recurring"
            role="note"
            data-freeze={f.name}
          >
            <strong>{f.name}</strong> (recurring): {recurringFreezeInWords(f)}.{' '}
            {upcoming.length > 0 ? (
              <>
                Next:{' '}
                {upcoming.map((o, i) => (
                  <span key={o.start}>
                    {i > 0 ? '; ' : ''}
                    <time dateTime={o.start}>{formatWindow(o.start, o.end)}</time>
                  </span>
                ))}
              </>
            ) : (
              'It does not recur any more.'
            )}
          </div>
        );
      })}
      {changes.isPending ? (
        <Loading label="Loading the week" lines={4} />
      ) : changes.isError ? (
        <ErrorState error={changes.error} retry={() => void changes.refetch()} />
      ) : (
        <>
          {changes.data.items.length === 0 ? (
            <EmptyState title="No change is planned this week." icon="◷">
              Changes appear here once they have a planned window.
            </EmptyState>
          ) : null}
          <ol className="week">
            {days.map((day) => {
              const from = day.getTime();
              const to = addDays(day, 1).getTime();
              const frozen = freezes.filter((f) =>
                overlaps(new Date(f.from).getTime(), new Date(f.to).getTime(), from, to),
              );
              const items = changes.data.items
                .filter((c) => c.plannedStart && overlaps(startOf(c), endOf(c), from, to))
                .sort((a, b) => startOf(a) - startOf(b));
              return (
                <li
                  key={from}
                  className={`day${isoDay(day) === today ? ' is-today' : ''}${frozen.length ? ' is-frozen' : ''}`}
                >
                  <h2 className="day-title">
                    {formatDay(day)}
                    {isoDay(day) === today ? (
                      <span className="visually-hidden"> (today)</span>
                    ) : null}
                  </h2>
                  {frozen.map((f) => (
                    <p key={`${f.name}@${f.from}`} className="day-freeze">
                      {f.name}
                      {f.recurring ? hoursOn(f, from, to) : null}
                    </p>
                  ))}
                  {items.length === 0 ? (
                    <p className="day-empty">Nothing planned</p>
                  ) : (
                    <ul className="day-items">
                      {items.map((c) => (
                        <li key={c.id} className={`event-chip state-${c.state}`}>
                          <Link href={`/changes/${c.id}`}>
                            <span className="event-time">
                              {startOf(c) < from ? 'continues' : formatTime(c.plannedStart!)}
                            </span>
                            <span className="event-title">
                              {c.id} {c.title}
                            </span>
                            <span className="event-state">
                              {STATE_LABELS[c.state]} · {c.services.map(serviceName).join(', ')}
                            </span>
                          </Link>
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              );
            })}
          </ol>
        </>
      )}
    </div>
  );
}

/** " from 15:00", " until 09:00", " 12:00–14:00": the part of the day an occurrence covers, if not all of it. */
function hoursOn(freeze: FreezeWindow, dayStart: number, dayEnd: number): string {
  const starts = Date.parse(freeze.from) > dayStart;
  const ends = Date.parse(freeze.to) < dayEnd;
  if (starts && ends) return ` ${formatTime(freeze.from)}–${formatTime(freeze.to)}`;
  if (starts) return ` from ${formatTime(freeze.from)}`;
  if (ends) return ` until ${formatTime(freeze.to)}`;
  return '';
}

function startOf(change: ChangeCard): number {
  return new Date(change.plannedStart ?? 0).getTime();
}

function endOf(change: ChangeCard): number {
  return change.plannedEnd ? new Date(change.plannedEnd).getTime() : startOf(change) + 30 * 60_000;
}
