import { invalidInput, type Issue } from './errors.js';
import type { Policy } from './policy.js';

/**
 * Absence and delegation (PRODUCT.md, "Absence and delegation"). A person away
 * has their approval requests routed to a stand-in: the delegate they named for
 * this absence, else their standing `deputy` from the policy. The stand-in may
 * decide on their behalf, and only while they are away.
 */

/** One person's recorded absence: one at a time per person; recording another replaces it. */
export interface Absence {
  readonly person: string;
  readonly from: string;
  readonly until: string;
  readonly delegate: string | null;
  readonly note: string | null;
}

/** Who is away at one instant, and who acts for them. */
export interface Presence {
  /** Who is away and who stands in for them: equal keys, equal presence (for caches). Empty when nobody is away. */
  readonly key: string;
  /** The person's absence, if they are away at this instant. */
  awayNow(person: string): Absence | undefined;
  /** Who acts for `person` while they are away: their delegate, else their deputy. Undefined while they are present. */
  standIn(person: string): string | undefined;
}

/** Everyone present, nobody acting for anyone: what a change looks like without absences. */
export const EVERYONE_PRESENT: Presence = {
  key: '',
  awayNow: () => undefined,
  standIn: () => undefined,
};

/** Who is away at `now` among `absences` (any set: ended and future ones are ignored). */
export function presenceAt(policy: Policy, absences: readonly Absence[], now: Date): Presence {
  const at = now.getTime();
  const current = new Map(
    absences
      .filter((a) => Date.parse(a.from) <= at && at < Date.parse(a.until))
      .map((a) => [a.person, a]),
  );
  if (current.size === 0) return EVERYONE_PRESENT;
  const standIn = (person: string) => {
    const absence = current.get(person);
    if (!absence) return undefined;
    const candidate = absence.delegate ?? policy.people.get(person)?.deputy;
    // Nobody acts for someone through a stand-in who is away too, or who (since the absence
    // was recorded) left the policy or became an external approver.
    const stand = candidate === undefined ? undefined : policy.people.get(candidate);
    return stand && !stand.external && !current.has(stand.id) ? stand.id : undefined;
  };
  return {
    key: [...current.values()]
      .map((a) => `${a.person}>${standIn(a.person) ?? ''}@${a.until}`)
      .sort()
      .join(';'),
    awayNow: (person) => current.get(person),
    standIn,
  };
}

export interface AbsenceInput {
  readonly from?: string;
  readonly until: string;
  readonly delegate?: string | null;
  readonly note?: string | null;
}

/**
 * Checks an absence `person` asks for at `now`: it ends in the future and after
 * it starts (from defaults to now), and its delegate is another person of the
 * policy who can sign in. Every problem is reported at once.
 */
export function recordableAbsence(
  policy: Policy,
  person: string,
  input: AbsenceInput,
  now: Date,
): Absence {
  const issues: Issue[] = [];
  const from = input.from ?? now.toISOString();
  if (!(Date.parse(input.until) > Date.parse(from)))
    issues.push({ path: 'until', message: `must be after from (${from})` });
  else if (!(Date.parse(input.until) > now.getTime()))
    issues.push({ path: 'until', message: 'is in the past: an absence must end in the future' });
  const delegate = input.delegate ?? null;
  if (delegate !== null) {
    const stand = policy.people.get(delegate);
    if (!stand) issues.push({ path: 'delegate', message: `no person "${delegate}" in the policy` });
    else if (delegate === person)
      issues.push({
        path: 'delegate',
        message: 'must be someone else: you cannot stand in for yourself',
      });
    else if (stand.external)
      issues.push({
        path: 'delegate',
        message: `${stand.name} is an external approver and cannot act for anyone`,
      });
  }
  if (issues.length > 0) throw invalidInput(issues);
  return {
    person,
    from: new Date(from).toISOString(),
    until: new Date(input.until).toISOString(),
    delegate,
    note: input.note?.trim() || null,
  };
}

/** "Tom Becker is away until 12 Jan 2027 and has no delegate", for a requirement nobody available can meet. */
export function describeAway(policy: Policy, absence: Absence): string {
  const name = policy.people.get(absence.person)?.name ?? absence.person;
  const until = new Date(absence.until).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: policy.people.get(absence.person)?.timezone ?? 'UTC',
  });
  return `${name} is away until ${until} and has no delegate`;
}
