import { describe, expect, it } from 'vitest';
import { parseDay } from '../core/calendar.ts';
import {
  bucketOf,
  bucketRateBaseline,
  customerDelayBaseline,
  dueDateBaseline,
  fitBucketRates,
} from './baselines.ts';
import type { ItemState, PersonPeriods } from './hazard.ts';

const D = parseDay('2026-03-31');
const base: ItemState & { meanDaysLate12m: number | null } = {
  customerId: 'C1',
  region: 'EMEA',
  dueDay: D + 10,
  openAmountRc: 100,
  partlyPaid: false,
  settled12m: 3,
  meanLate12m: 5,
  meanDaysLate12m: 12,
  sdLate12m: 2,
  meanLate3m: null,
  settled3m: 0,
  shareLate12m: 0.5,
  disputeOpen: false,
  contacts: 0,
  promisedDay: null,
};
const week = (p: Float64Array) => p.findIndex((x) => x === 1) + 1;

describe('baselines', () => {
  it('due date: the week of the due date; overdue items in week 1; beyond 13 weeks nothing', () => {
    const [a, b, c] = dueDateBaseline([base, { ...base, dueDay: D - 40 }, { ...base, dueDay: D + 200 }], D);
    expect(week(a!)).toBe(2);
    expect(week(b!)).toBe(1);
    expect(c!.reduce((x, y) => x + y, 0)).toBe(0);
  });

  it('customer delay: the due date plus the average days late (none without history)', () => {
    const [a, b] = customerDelayBaseline([base, { ...base, meanDaysLate12m: null }], D);
    expect(week(a!)).toBe(4); // D + 22
    expect(week(b!)).toBe(2);
  });

  it('bucket rate: amount-weighted rates per customer, shrunk toward the portfolio, rolled through the buckets', () => {
    // C1: 4 item-weeks not yet due, amount 100 each, 2 paid → 0.5; C2: 4 not due, none paid → 0.
    const pp: PersonPeriods = {
      x: { data: new Float32Array(0), rows: 8, cols: 0 },
      y: Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0]),
      amount: Float64Array.from([100, 100, 100, 100, 100, 100, 100, 100]),
      customer: ['C1', 'C1', 'C1', 'C1', 'C2', 'C2', 'C2', 'C2'],
      dpdStart: Int32Array.from([-5, -5, -5, -5, -5, -5, -5, -5]),
    };
    const r = fitBucketRates(pp);
    expect(r.portfolio[0]).toBeCloseTo(0.25);
    expect(r.customers.get('C1')![0]).toBeCloseTo((4 * 0.5 + 4 * 0.25) / 8);
    const [p] = bucketRateBaseline(r, [{ ...base, dueDay: D + 100 }], D);
    expect(p![0]).toBeCloseTo(0.375);
    expect(p![1]).toBeCloseTo(0.625 * 0.375);
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(1)).toBe(1);
    expect(bucketOf(91)).toBe(4);
  });
});
