/** The one source of "now". Domain and app code receive it; only the composition root picks the real one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests of reminders, expiry and freezes. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start: Date | string = '2026-11-02T10:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  set(at: Date | string): void {
    this.#now = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.#now += ms;
  }
}
