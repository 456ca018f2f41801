import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseDuration', () => {
  it('reads each unit', () => {
    expect(parseDuration('45s')).toBe(45 * SECOND);
    expect(parseDuration('30m')).toBe(30 * MINUTE);
    expect(parseDuration('4h')).toBe(4 * HOUR);
    expect(parseDuration('1d')).toBe(DAY);
    expect(parseDuration('2w')).toBe(14 * DAY);
  });

  it('adds up combined units, in any order', () => {
    expect(parseDuration('1h30m')).toBe(90 * MINUTE);
    expect(parseDuration('90m')).toBe(90 * MINUTE);
    expect(parseDuration('1d12h')).toBe(36 * HOUR);
    expect(parseDuration('30m1h')).toBe(90 * MINUTE);
    expect(parseDuration('0h15m')).toBe(15 * MINUTE);
  });

  it('ignores surrounding whitespace', () => {
    expect(parseDuration('  4h\n')).toBe(4 * HOUR);
  });

  it('rejects what is not a positive duration', () => {
    for (const text of [
      '',
      '4',
      'h',
      '4 hours',
      '4 h',
      '1h 30m',
      '4H',
      '1.5h',
      '-1h',
      '4hours',
      'PT4H',
      '0s',
      '0h0m',
      '4x',
    ]) {
      expect(parseDuration(text), JSON.stringify(text)).toBeUndefined();
    }
  });
});

describe('formatDuration', () => {
  it('writes the largest units first and skips empty ones', () => {
    expect(formatDuration(90 * MINUTE)).toBe('1h30m');
    expect(formatDuration(DAY)).toBe('1d');
    expect(formatDuration(8 * DAY + 2 * SECOND)).toBe('1w1d2s');
    expect(formatDuration(4 * HOUR)).toBe('4h');
  });

  it('writes zero (and less) as 0s, and drops milliseconds', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(-5 * MINUTE)).toBe('0s');
    expect(formatDuration(999)).toBe('0s');
    expect(formatDuration(61_500)).toBe('1m1s');
  });

  it('round-trips through parseDuration for any positive whole number of seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 * 365 * 86_400 }), (seconds) => {
        const text = formatDuration(seconds * SECOND);
        expect(text).toMatch(/^(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?$/);
        expect(parseDuration(text)).toBe(seconds * SECOND);
      }),
    );
  });
});
