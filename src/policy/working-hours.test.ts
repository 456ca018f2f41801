import { describe, expect, it } from 'vitest';
import { isValidTimeZone, parseWorkingHours } from './working-hours.js';

const WEEKDAYS = [1, 2, 3, 4, 5];

describe('parseWorkingHours', () => {
  it('reads a time range as Monday to Friday', () => {
    expect(parseWorkingHours('09:30-18:00')).toEqual({ days: WEEKDAYS, start: 570, end: 1080 });
    expect(parseWorkingHours('9:00-17:00')).toEqual({ days: WEEKDAYS, start: 540, end: 1020 });
    expect(parseWorkingHours(' 08:00 - 16:15 ')).toEqual({ days: WEEKDAYS, start: 480, end: 975 });
  });

  it('accepts midnight as the end of the day', () => {
    expect(parseWorkingHours('00:00-24:00')).toEqual({ days: WEEKDAYS, start: 0, end: 1440 });
  });

  it('reads day ranges, lists and full day names', () => {
    expect(parseWorkingHours('Mon-Fri 09:00-17:00')).toEqual({
      days: WEEKDAYS,
      start: 540,
      end: 1020,
    });
    expect(parseWorkingHours('Mon,Wed,Fri 10:00-14:00')).toEqual({
      days: [1, 3, 5],
      start: 600,
      end: 840,
    });
    expect(parseWorkingHours('monday-friday 09:00-17:00')).toEqual({
      days: WEEKDAYS,
      start: 540,
      end: 1020,
    });
    expect(parseWorkingHours('Mon - Thu, Sat 09:00-13:00')).toEqual({
      days: [1, 2, 3, 4, 6],
      start: 540,
      end: 780,
    });
    expect(parseWorkingHours('SAT,SUN 10:00-12:00')).toEqual({
      days: [6, 7],
      start: 600,
      end: 720,
    });
  });

  it('wraps ranges around the weekend', () => {
    expect(parseWorkingHours('Sun-Thu 08:00-16:00')).toEqual({
      days: [1, 2, 3, 4, 7],
      start: 480,
      end: 960,
    });
    expect(parseWorkingHours('Fri-Mon 10:00-14:00')).toEqual({
      days: [1, 5, 6, 7],
      start: 600,
      end: 840,
    });
    expect(parseWorkingHours('Sun-Sat 00:00-24:00')).toEqual({
      days: [1, 2, 3, 4, 5, 6, 7],
      start: 0,
      end: 1440,
    });
  });

  it('lists each day once', () => {
    expect(parseWorkingHours('Mon,Mon-Tue 09:00-10:00')).toEqual({
      days: [1, 2],
      start: 540,
      end: 600,
    });
  });

  it('rejects text that is not a time range', () => {
    for (const text of ['', '9-5', '09:00', '09:00 to 17:00', 'nine to five', '0900-1700']) {
      expect(parseWorkingHours(text), text).toBe(
        'must look like "09:00-17:00" or "Mon-Fri 09:00-17:00"',
      );
    }
  });

  it('rejects times of day that do not exist', () => {
    expect(parseWorkingHours('09:60-17:00')).toBe('"09:60-17:00" is not a time of day');
    expect(parseWorkingHours('24:00-24:00')).toBe('"24:00-24:00" is not a time of day');
    expect(parseWorkingHours('23:00-24:30')).toBe('"23:00-24:30" is not a time of day');
    expect(parseWorkingHours('09:00-25:00')).toBe('"09:00-25:00" is not a time of day');
  });

  it('rejects a range that ends before it starts (no overnight shifts)', () => {
    expect(parseWorkingHours('18:00-09:30')).toBe(
      'the end (09:30) must be after the start (18:00)',
    );
    expect(parseWorkingHours('09:00-09:00')).toBe(
      'the end (09:00) must be after the start (09:00)',
    );
  });

  it('rejects days it does not know', () => {
    expect(parseWorkingHours('Mo-Fr 09:00-17:00')).toBe(
      '"mo-fr" is not a day or range of days (use Mon, Tue, … Sun)',
    );
    expect(parseWorkingHours('Mon,,Fri 09:00-17:00')).toBe(
      '"" is not a day or range of days (use Mon, Tue, … Sun)',
    );
    expect(parseWorkingHours('Mon- 09:00-17:00')).toBe(
      '"mon-" is not a day or range of days (use Mon, Tue, … Sun)',
    );
  });

  it('rejects a range with more than two ends instead of dropping days', () => {
    expect(parseWorkingHours('Mon-Fri-Sat 09:00-17:00')).toBe(
      '"mon-fri-sat" is not a day or range of days (use Mon, Tue, … Sun)',
    );
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names and UTC', () => {
    for (const zone of ['Europe/Berlin', 'Asia/Kolkata', 'America/New_York', 'UTC', 'Etc/GMT+5']) {
      expect(isValidTimeZone(zone), zone).toBe(true);
    }
  });

  it('rejects names that are not time zones', () => {
    for (const zone of ['Asia/Seol', 'Mars/Olympus_Mons', 'Berlin', 'Europe/Berlin ']) {
      expect(isValidTimeZone(zone), zone).toBe(false);
    }
  });
});
