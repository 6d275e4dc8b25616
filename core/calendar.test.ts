import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  civilFromDays,
  daysFromCivil,
  firstOfMonth,
  formatDay,
  isWeekend,
  lastOfMonth,
  monthEnd,
  parseDay,
  today,
  weekday,
  weekdayOnOrAfter,
} from './calendar.ts';

const day = parseDay;

describe('calendar', () => {
  it('matches the proleptic Gregorian calendar of Date in UTC, whatever the process time zone', () => {
    for (let d = daysFromCivil(1, 1, 1); d <= daysFromCivil(9999, 12, 31); d += 331) {
      const utc = new Date(d * 86_400_000);
      expect(formatDay(d)).toBe(utc.toISOString().slice(0, 10));
      expect(civilFromDays(d)).toEqual([utc.getUTCFullYear(), utc.getUTCMonth() + 1, utc.getUTCDate()]);
      expect(weekday(d)).toBe(utc.getUTCDay());
      expect(parseDay(formatDay(d))).toBe(d);
    }
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(formatDay(-1)).toBe('1969-12-31');
  });

  it('parses only real YYYY-MM-DD dates', () => {
    expect(parseDay('2024-02-29')).toBe(daysFromCivil(2024, 2, 29));
    expect(() => parseDay('2023-02-29')).toThrow(/not a calendar date/);
    expect(() => parseDay('2025-13-01')).toThrow(/not a calendar date/);
    expect(() => parseDay('2025-6-30')).toThrow(/YYYY-MM-DD/);
    expect(() => parseDay('2025-06-30T00:00:00Z')).toThrow(/YYYY-MM-DD/);
  });

  it('knows weekends and rolls a weekend day to Monday', () => {
    expect(weekday(day('1970-01-01'))).toBe(4); // a Thursday
    expect([day('2026-06-27'), day('2026-06-28'), day('2026-06-29')].map(isWeekend)).toEqual([
      true,
      true,
      false,
    ]);
    expect(formatDay(weekdayOnOrAfter(day('2026-06-27')))).toBe('2026-06-29'); // Saturday
    expect(formatDay(weekdayOnOrAfter(day('2026-06-28')))).toBe('2026-06-29'); // Sunday
    expect(formatDay(weekdayOnOrAfter(day('2026-06-30')))).toBe('2026-06-30'); // Tuesday
  });

  it('finds month starts and month ends, leap years included', () => {
    const end = (d: string) => formatDay(lastOfMonth(day(d)));
    expect(end('2024-02-10')).toBe('2024-02-29');
    expect(end('2023-02-28')).toBe('2023-02-28');
    expect(end('1900-02-01')).toBe('1900-02-28');
    expect(end('2000-02-01')).toBe('2000-02-29');
    expect(end('2025-12-31')).toBe('2025-12-31');
    expect(end('2025-04-01')).toBe('2025-04-30');
    expect(formatDay(firstOfMonth(day('2025-12-31')))).toBe('2025-12-01');
    expect(monthEnd('2025-02-10')).toBe('2025-02-28');
  });

  it('adds months, keeping the day or taking the shorter month’s last day', () => {
    const plus = (d: string, n: number) => formatDay(addMonths(day(d), n));
    expect(plus('2025-01-31', 1)).toBe('2025-02-28');
    expect(plus('2024-01-31', 1)).toBe('2024-02-29');
    expect(plus('2025-03-31', -1)).toBe('2025-02-28');
    expect(plus('2025-11-15', 2)).toBe('2026-01-15');
    expect(plus('2025-01-15', -1)).toBe('2024-12-15');
    expect(plus('2024-02-29', -36)).toBe('2021-02-28');
    expect(plus('2024-02-29', 48)).toBe('2028-02-29');
    expect(plus('2026-06-30', 0)).toBe('2026-06-30');
  });

  it('adds days to dates as text, and reads today in UTC', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    // 2026-07-01 08:30 in Tokyo is still 2026-06-30 in UTC.
    expect(formatDay(today(new Date('2026-06-30T23:30:00Z')))).toBe('2026-06-30');
  });
});
