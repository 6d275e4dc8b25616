import { describe, expect, it } from 'vitest';
import { parseDay } from '../core/calendar.ts';
import { normalCdf, quantiles, simulate, type SimItem } from './simulate.ts';

const D = parseDay('2026-03-31');
const weekly = (d: number) => [Math.ceil(d / 7) - 1];

function items(n: number, customers: number): SimItem[] {
  return Array.from({ length: n }, (_, i) => ({
    customerId: `C${i % customers}`,
    probs: [0.5, 0.3],
    groups: [{ key: 0, amount: 10 }],
  }));
}

describe('simulation', () => {
  const opts = {
    sims: 300,
    seed: 3,
    rho: 0,
    groupCount: 1,
    periodCount: 13,
    periodsOfDay: weekly,
    origin: D,
  };

  it('is reproducible with a seed, and its mean is the expected amount', () => {
    const a = simulate(items(200, 20), opts);
    const b = simulate(items(200, 20), opts);
    expect(Array.from(a)).toEqual(Array.from(b));
    let week1 = 0;
    for (let s = 0; s < opts.sims; s++) week1 += a[s * 13] as number;
    expect(week1 / opts.sims).toBeGreaterThan(200 * 10 * 0.5 * 0.95);
    expect(week1 / opts.sims).toBeLessThan(200 * 10 * 0.5 * 1.05);
  });

  it('a common customer factor widens the interval', () => {
    const width = (rho: number) => {
      const o = { ...opts, rho };
      const [lo, hi] = quantiles(simulate(items(200, 5), o), o, 0, 0, [0.1, 0.9]);
      return (hi as number) - (lo as number);
    };
    expect(width(0.75)).toBeGreaterThan(1.5 * width(0));
  });

  it('rejects a correlation outside [0, 1)', () => {
    expect(() => simulate(items(1, 1), { ...opts, rho: 1 })).toThrow(/rho/);
  });

  it('normalCdf', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.2815515655)).toBeCloseTo(0.9, 6);
    expect(normalCdf(-1.2815515655)).toBeCloseTo(0.1, 6);
  });
});
