import { DateTime } from 'luxon';

/**
 * When a one-off freeze begins or ends: an instant (`2026-12-19T00:00:00Z`,
 * `…+01:00`) or a local date and time (`2026-12-19T00:00`), which the freeze's
 * `timezone` places. A local time that a spring-forward skips is read as the time
 * it becomes, as a schedule's are (policy/schedule.ts).
 */
export type FreezeTime =
  | { readonly kind: 'instant'; readonly at: Date }
  | { readonly kind: 'local'; readonly fields: LocalDateTime };

interface LocalDateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
}

const FORM =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?$/i;

export const NOT_A_FREEZE_TIME =
  'must be a date and time such as 2026-12-19T00:00:00Z, or a local one such as 2026-12-19T00:00 with timezone';

/** The time, or what is wrong with it. */
export function parseFreezeTime(text: string): FreezeTime | string {
  const match = FORM.exec(text.trim());
  if (!match) return NOT_A_FREEZE_TIME;
  const fields: LocalDateTime = {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4]),
    minute: Number(match[5]),
    second: Number(match[6] ?? 0),
    millisecond: Number((match[7] ?? '0').padEnd(3, '0').slice(0, 3)),
  };
  // RFC 3339 allows a leap second (23:59:60), which names no instant here.
  if (fields.second === 60) return 'is not a moment a clock shows (no leap seconds)';
  if (!DateTime.fromObject(fields, { zone: 'UTC' }).isValid) return NOT_A_FREEZE_TIME;
  const offset = match[8]?.toUpperCase();
  if (offset === undefined) return { kind: 'local', fields };
  const offsetMinutes =
    offset === 'Z'
      ? 0
      : (offset.startsWith('-') ? -1 : 1) *
        (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const utc = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
    fields.millisecond,
  );
  return { kind: 'instant', at: new Date(utc - offsetMinutes * 60_000) };
}

/** The instant a freeze time names: a local one in `timezone`, which must then be given. */
export function freezeInstant(time: FreezeTime, timezone: string | undefined): Date | undefined {
  if (time.kind === 'instant') return time.at;
  if (timezone === undefined) return undefined;
  const at = DateTime.fromObject(time.fields, { zone: timezone });
  return at.isValid ? at.toJSDate() : undefined;
}
