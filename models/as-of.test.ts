import { describe, expect, it } from 'vitest';
import { asOfVars, checkAsOfSpec, isAsOfSpec, resolveAsOf, todayIn } from './as-of.ts';

describe('the as-of date', () => {
  it('takes a real calendar date, "today" or "latest", and nothing else', () => {
    for (const ok of ['latest', 'today', '2026-06-30', '2024-02-29']) expect(isAsOfSpec(ok), ok).toBe(true);
    for (const bad of ['2026-02-30', '2026-6-30', 'yesterday', "2026-06-30' OR 1=1", '', '9999-99-99']) {
      expect(isAsOfSpec(bad), bad).toBe(false);
    }
    expect(() => checkAsOfSpec('2026-02-30', '--as-of')).toThrow(
      '--as-of: "2026-02-30" is not an as-of date. Use a date (YYYY-MM-DD), "today" or "latest".',
    );
  });

  it('"today" is the calendar date in the reporting time zone, not the machine’s', () => {
    // 2026-12-06 20:30 UTC is already 2026-12-07 in Tokyo and still 2026-12-06 in New York.
    const now = new Date('2026-12-06T20:30:00Z');
    expect(todayIn('Asia/Tokyo', now)).toBe('2026-12-07');
    expect(todayIn('America/New_York', now)).toBe('2026-12-06');
    expect(resolveAsOf('today', 'Asia/Tokyo', 'x', now)).toEqual({
      date: '2026-12-07',
      label: 'today in Asia/Tokyo',
    });
  });

  it('"latest" leaves the date to the build (the last document date); a date is passed as a var', () => {
    const latest = resolveAsOf('latest', 'UTC', 'x');
    expect(latest).toEqual({ date: null, label: 'the last document date' });
    expect(asOfVars(latest)).toEqual({});
    expect(asOfVars(resolveAsOf('2026-05-31', 'UTC', '--as-of'))).toEqual({ as_of_date: '2026-05-31' });
  });
});
