import { describe, expect, it } from 'vitest';
import { bias, coverage, wape, weeklyTotals } from './evaluate.ts';

describe('forecast accuracy', () => {
  it('weekly totals weight each distribution by the amount', () => {
    const t = weeklyTotals([100, 50], [Float64Array.from([0.5, 0.5]), Float64Array.from([1])]);
    expect(t.slice(0, 3)).toEqual([100, 50, 0]);
    expect(t).toHaveLength(13);
  });

  it('WAPE and bias over the first weeks of every origin', () => {
    const rows = [
      { forecast: [110, 90, 100, 100, 999], actual: [100, 100, 100, 100, 1] },
      { forecast: [50, 50, 50, 50], actual: [100, 100, 100, 100] },
    ];
    expect(wape(rows)).toBeCloseTo((10 + 10 + 200) / 800);
    expect(bias(rows)).toBeCloseTo(-200 / 800);
    expect(wape(rows, 1)).toBeCloseTo(60 / 200);
  });

  it('coverage counts actuals inside the interval, ends included', () => {
    expect(coverage([{ actual: [1, 5, 10, 11], low: [1, 0, 0, 0], high: [2, 4, 10, 10] }])).toBe(0.5);
  });
});
