import type { ManualClock } from '../../shared/clock.js';

/**
 * A story is one change's life, written as an async generator: it acts (through
 * the use cases, at the clock's time) and yields the instant, in milliseconds,
 * at which it acts next.
 */
export type Story = AsyncGenerator<number, void, void>;

interface Scheduled {
  readonly at: number;
  /** Ties keep the order stories were scheduled in, so the history is deterministic. */
  readonly order: number;
  readonly story: Story;
}

/**
 * Plays many stories interleaved in time order on one ManualClock, so the audit
 * chain records every step in the order it happened. A step due after `end`
 * (now) is not played: that change is left where it is, still in flight.
 */
export class Timeline {
  readonly #clock: ManualClock;
  readonly #end: number;
  readonly #queue: Scheduled[] = [];
  #order = 0;

  constructor(clock: ManualClock, end: Date) {
    this.#clock = clock;
    this.#end = end.getTime();
  }

  /** Starts `story` at `at` (its first step runs then). */
  add(at: number, story: Story): void {
    this.#schedule(at, story);
  }

  async play(): Promise<void> {
    for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
      this.#clock.set(new Date(next.at));
      const step = await next.story.next();
      // A story never goes back in time: a step it asks for earlier runs now.
      if (!step.done) this.#schedule(Math.max(step.value, next.at), next.story);
    }
  }

  #schedule(at: number, story: Story): void {
    if (at > this.#end) {
      void story.return();
      return;
    }
    const entry = { at, order: this.#order++, story };
    // Binary search for the first entry due later: the queue stays sorted by (at, order).
    let low = 0;
    let high = this.#queue.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#queue[middle]!.at <= at) low = middle + 1;
      else high = middle;
    }
    this.#queue.splice(low, 0, entry);
  }
}
