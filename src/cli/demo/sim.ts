import type { AppDeps } from '../../app/deps.js';
import type { Change } from '../../domain/change.js';
import { freezesBlockingAt, freezesOverlapping } from '../../domain/freezes.js';
import type { Meeting, Person, Policy } from '../../domain/policy.js';
import { nextWorkingInstant } from '../../notifications/working-hours.js';
import type { ManualClock } from '../../shared/clock.js';
import type { SeededRandom } from '../../shared/seeded-random.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** What the stories share: the use cases' dependencies, the clock they move, and the dice. */
export class Sim {
  readonly deps: AppDeps;
  readonly clock: ManualClock;
  readonly random: SeededRandom;
  /** The real "now" the history ends at. */
  readonly end: number;
  /** Every change the seed created, by id. */
  readonly created = new Set<number>();
  #ciRun = 4100;

  constructor(deps: AppDeps, clock: ManualClock, random: SeededRandom, end: Date) {
    this.deps = deps;
    this.clock = clock;
    this.random = random;
    this.end = end.getTime();
  }

  get policy(): Policy {
    return this.deps.policy;
  }

  get now(): number {
    return this.clock.now().getTime();
  }

  person(id: string): Person {
    const person = this.policy.people.get(id);
    if (!person) throw new Error(`demo seed: the example policy has no person "${id}"`);
    return person;
  }

  /** Members of a group, except those named (a requester cannot approve their own change). */
  membersOf(group: string, except: readonly string[] = []): string[] {
    return (this.policy.groups.get(group) ?? []).filter((id) => !except.includes(id));
  }

  /** The approvers group of a service (payments → payments-owners). */
  approversOf(service: string): string {
    const group = this.policy.services.get(service)?.approvers;
    if (!group) throw new Error(`demo seed: the example policy has no approvers for "${service}"`);
    return group;
  }

  meeting(name: string): Meeting {
    const meeting = this.policy.meetings.find((m) => m.name === name);
    if (!meeting) throw new Error(`demo seed: the example policy has no meeting "${name}"`);
    return meeting;
  }

  /**
   * When `who` gets to it: `minMinutes` to `maxMinutes` after `from`, moved into
   * their working hours (a few minutes after their day opens, not on the dot).
   */
  within(who: string, from: number, minMinutes: number, maxMinutes: number): number {
    const wanted = from + this.random.int(minMinutes, maxMinutes) * MINUTE;
    const person = this.person(who);
    const opens = nextWorkingInstant(person, new Date(wanted)).getTime();
    return opens === wanted ? wanted : opens + this.random.int(4, 55) * MINUTE;
  }

  /** Any hour of the day or night: emergencies do not wait for working hours. */
  after(from: number, minMinutes: number, maxMinutes: number): number {
    return from + this.random.int(minMinutes, maxMinutes) * MINUTE;
  }

  /** The first instant from `at` at which `change` may start (after any freeze that forbids it). */
  startableFrom(change: Change, requester: string, at: number): number {
    let when = at;
    for (let guard = 0; guard < 10; guard++) {
      const [freeze] = freezesBlockingAt(this.policy, change, new Date(when));
      if (!freeze) return when;
      when = this.within(requester, freeze.to.getTime(), 20, 90);
    }
    return when;
  }

  /** Whether a freeze of more than a day (not the weekly Friday afternoon) forbids the change between the two. */
  isLongFrozen(
    subject: { readonly type: string; readonly services: readonly string[] },
    from: number,
    to: number,
  ): boolean {
    const window = { start: new Date(from).toISOString(), end: new Date(to).toISOString() };
    return freezesOverlapping(this.policy, subject, window).some(
      (freeze) => freeze.to.getTime() - freeze.from.getTime() > DAY,
    );
  }

  /** The meeting's next sitting that starts at or after `from`, and a moment inside it. */
  nextSitting(meeting: Meeting, from: number): number | undefined {
    const [sitting] =
      meeting.schedule?.next(new Date(from), 2).filter((s) => s.start.getTime() >= from) ?? [];
    return sitting && sitting.start.getTime() + this.random.int(5, 40) * MINUTE;
  }

  /** A link to a made-up CI run, for `testResults`. */
  ciRun(repository: string): string {
    this.#ciRun += this.random.int(1, 9);
    return `https://ci.example.com/${repository}/runs/${this.#ciRun}`;
  }
}
