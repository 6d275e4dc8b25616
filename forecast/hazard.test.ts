import { describe, expect, it } from 'vitest';
import { parseDay } from '../core/calendar.ts';
import {
  featureLayout,
  fitHazard,
  HORIZON_WEEKS,
  personPeriods,
  predictWeeks,
  rowFeatures,
  type ItemOutcome,
  type ItemState,
  type TrainingOrigin,
} from './hazard.ts';
import { SeededRandom } from '../core/random.ts';

const D = parseDay('2026-03-31');

function item(over: Partial<ItemState & ItemOutcome> = {}): ItemState & ItemOutcome {
  return {
    customerId: 'C1',
    region: 'EMEA',
    dueDay: D + 10,
    openAmountRc: 1000,
    partlyPaid: false,
    settled12m: 10,
    meanLate12m: 0,
    sdLate12m: 1,
    meanLate3m: null,
    settled3m: 0,
    shareLate12m: 0.1,
    disputeOpen: false,
    contacts: 0,
    promisedDay: null,
    closedDay: null,
    closedByPayment: false,
    ...over,
  };
}

describe('person-period rows', () => {
  const layout = featureLayout(['EMEA'], 0);
  it('stops at the payment week with y = 1, censors a write-off, and keeps only weeks observed by the cutoff', () => {
    const origins: TrainingOrigin[] = [
      {
        origin: D,
        cutoff: D + 28,
        items: [
          item({ closedDay: D + 10, closedByPayment: true }), // week 2: rows for weeks 1 (0) and 2 (1)
          item({ closedDay: D + 16, closedByPayment: false }), // credit memo in week 3: weeks 1, 2 only
          item({ closedDay: null }), // open: weeks 1–4 (the cutoff allows four)
          item({ closedDay: D - 1, closedByPayment: true }), // closed before the origin: no row
        ],
      },
    ];
    const pp = personPeriods(layout, origins);
    expect(Array.from(pp.y)).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(pp.dpdStart)).toEqual([-10, -3, -10, -3, -10, -3, 4, 11]);
  });

  it('places the habitual payment day relative to the week', () => {
    const out = new Float32Array(layout.names.length);
    // habit = due (D + 10) + 3 days late = D + 13: in week 2 (D + 7, D + 14]
    rowFeatures(layout, item({ meanLate12m: 3 }), D, 2, out, 0);
    expect(out[layout.names.indexOf('habit_day in week')]).toBe(1);
    rowFeatures(layout, item({ meanLate12m: 3 }), D, 1, out, 0);
    expect(out[layout.names.indexOf('habit_day in week')]).toBe(0);
    expect(out[layout.names.indexOf('habit_day +8…14')]).toBe(1);
    // a promise dated in the week
    rowFeatures(layout, item({ promisedDay: D + 20 }), D, 3, out, 0);
    expect(out[layout.names.indexOf('promise_in_week')]).toBe(1);
  });
});

describe('the hazard model', () => {
  it('learns that customers pay in their habitual week, and its distribution sums to at most 1', () => {
    const rng = new SeededRandom(7);
    const origins: TrainingOrigin[] = [];
    for (let m = 0; m < 6; m++) {
      const origin = D - 30 * (6 - m);
      const items = Array.from({ length: 150 }, (_, i) => {
        const late = [0, 14, 35][i % 3] as number;
        const due = origin + rng.intBetween(-5, 20);
        const pay = due + late + rng.intBetween(-2, 2);
        return item({
          customerId: `C${i % 3}`,
          dueDay: due,
          meanLate12m: late,
          sdLate12m: 2,
          closedDay: pay > origin ? pay : origin + 1,
          closedByPayment: true,
        });
      });
      origins.push({ origin, cutoff: D, items });
    }
    const m = fitHazard(origins);
    expect(m.fit.converged).toBe(true);
    const [late35, onTime] = predictWeeks(
      m,
      [item({ dueDay: D + 3, meanLate12m: 35 }), item({ dueDay: D + 3, meanLate12m: 0 })],
      D,
    );
    const peak = (p: Float64Array) => p.indexOf(Math.max(...p));
    expect(peak(onTime!)).toBe(0); // D + 3 is in week 1
    expect(peak(late35!)).toBe(5); // D + 38 is in week 6
    for (const p of [late35!, onTime!]) {
      expect(p).toHaveLength(HORIZON_WEEKS);
      expect(p.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-12);
    }
  });
});
