import { describe, expect, it } from 'vitest';
import { ManualClock } from '../shared/clock.js';
import { scheduledWork } from './scheduled-work.js';

describe('scheduledWork', () => {
  it('runs every job at most every 15 s, and one failing stops none of the others', async () => {
    const clock = new ManualClock('2026-11-02T10:00:00Z');
    const ran: string[] = [];
    const logged: string[] = [];
    const work = scheduledWork(
      clock,
      {
        'absences ending': () => Promise.reject(new Error('database went away')),
        reminders: () => Promise.resolve(ran.push('reminders')),
        agendas: () => Promise.resolve(ran.push('agendas')),
      },
      (_level, message, data) => logged.push(`${message} (${String(data?.error)})`),
    );
    await work();
    expect(ran).toEqual(['reminders', 'agendas']);
    expect(logged).toEqual(['scheduled work failed: absences ending (database went away)']);
    clock.advance(14_999);
    await work();
    expect(ran).toHaveLength(2);
    clock.advance(1);
    await work();
    expect(ran).toHaveLength(4);
  });
});
