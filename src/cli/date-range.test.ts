import { describe, expect, it } from 'vitest';
import { parseDateBound } from './date-range.js';

describe('parseDateBound', () => {
  it('takes a day as the whole UTC day', () => {
    expect(parseDateBound('2026-11-01', 'from').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseDateBound('2026-11-01', 'to').toISOString()).toBe('2026-11-02T00:00:00.000Z');
    expect(parseDateBound('2028-02-29', 'to').toISOString()).toBe('2028-03-01T00:00:00.000Z');
  });

  it('takes an instant with its offset, the instant itself included', () => {
    expect(parseDateBound('2026-11-01T09:30:00Z', 'from').toISOString()).toBe(
      '2026-11-01T09:30:00.000Z',
    );
    expect(parseDateBound('2026-11-01T09:30+01:00', 'to').toISOString()).toBe(
      '2026-11-01T08:30:00.001Z',
    );
    expect(parseDateBound('2026-11-01T09:30:00.250Z', 'from').getTime()).toBe(
      Date.parse('2026-11-01T09:30:00.250Z'),
    );
  });

  it.each([
    ['yesterday', 'is not a date'],
    ['2026-02-30', 'not a date in the calendar'],
    ['2026-13-01', 'not a date in the calendar'],
    ['2026-02-30T10:00:00Z', 'not a date in the calendar'],
    ['2026-11-01T09:30:00', 'is not a date'],
    ['2026-11-01T24:00:00Z', 'is not a date'],
    ['01/11/2026', 'is not a date'],
    ['', 'is not a date'],
  ])('refuses %j', (text, message) => {
    expect(() => parseDateBound(text, 'from')).toThrow(message);
  });
});
