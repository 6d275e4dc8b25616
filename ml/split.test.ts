import { describe, expect, it } from 'vitest';
import { addDays, monthEnd, parseDay as dayNumber } from '../core/calendar.ts';
import { monthEnds, NotEnoughDataError, planSnapshots, purgeGap } from './split.ts';

describe('calendar helpers', () => {
  it('work on business dates without time zones', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(monthEnd('2025-02-10')).toBe('2025-02-28');
    expect(monthEnd('2024-12-31')).toBe('2024-12-31');
    expect(monthEnds('2024-01-31', '2024-04-29')).toEqual(['2024-01-31', '2024-02-29', '2024-03-31']);
    expect(() => dayNumber('2024-1-1')).toThrow(/YYYY-MM-DD/);
  });
});

describe('snapshot plan', () => {
  const base = {
    firstInvoiceDate: '2023-11-01',
    asOfDate: '2026-10-31',
    minHistoryDays: 90,
    horizonDays: 180,
    testMonths: 6,
    validationMonths: 5,
    gapMonths: 0,
  };

  it('labels month-ends whose horizon ends by the as-of date, and splits them by time', () => {
    const p = planSnapshots(base);
    expect(p.labelled[0]).toBe('2024-01-31');
    expect(p.labelled.at(-1)).toBe('2026-04-30');
    expect(addDays(p.labelled.at(-1)!, 180) <= base.asOfDate).toBe(true);
    expect(addDays(monthEnd(addDays(p.labelled.at(-1)!, 1)), 180) > base.asOfDate).toBe(true);
    expect(p.test).toEqual([
      '2025-11-30',
      '2025-12-31',
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
    ]);
    expect(p.validation).toEqual(['2025-06-30', '2025-07-31', '2025-08-31', '2025-09-30', '2025-10-31']);
    expect(p.train.at(-1)).toBe('2025-05-31');
    expect([...p.train, ...p.validation, ...p.test]).toEqual(p.labelled);
    expect(p.gap).toEqual([]);
  });

  it('leaves gap months out between validation and test', () => {
    const p = planSnapshots({ ...base, gapMonths: 6 });
    expect(p.gap).toEqual([
      '2025-05-31',
      '2025-06-30',
      '2025-07-31',
      '2025-08-31',
      '2025-09-30',
      '2025-10-31',
    ]);
    expect(p.validation.at(-1)).toBe('2025-04-30');
    // With a gap of ceil(horizon / 30) months, no validation label window reaches the test period.
    expect(addDays(p.validation.at(-1)!, 180) < p.test[0]!).toBe(true);
  });

  it("'purge' leaves out exactly the snapshots whose label window reaches past the first test snapshot", () => {
    const p = planSnapshots({ ...base, gapMonths: 'purge' });
    // First test snapshot 2025-11-30: 2025-05-31 + 180 days = 2025-11-27 is kept, 2025-06-30 is not.
    expect(p.gap).toEqual(['2025-06-30', '2025-07-31', '2025-08-31', '2025-09-30', '2025-10-31']);
    expect(p.validation).toEqual(['2025-01-31', '2025-02-28', '2025-03-31', '2025-04-30', '2025-05-31']);
    for (const d of [...p.train, ...p.validation]) expect(addDays(d, 180) <= p.test[0]!).toBe(true);
    expect(purgeGap(['2025-01-31', '2025-02-28'], '2025-03-31', 32)).toBe(1);
    expect(purgeGap(['2025-01-31', '2025-02-28'], '2025-03-31', 31)).toBe(0);
  });

  it('says what is missing when the history is too short', () => {
    expect(() => planSnapshots({ ...base, firstInvoiceDate: '2025-06-01' })).toThrow(NotEnoughDataError);
    expect(() => planSnapshots({ ...base, firstInvoiceDate: '2025-06-01' })).toThrow(
      /Not enough history.*needed/,
    );
  });
});
