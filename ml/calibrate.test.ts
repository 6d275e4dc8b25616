import { describe, expect, it } from 'vitest';
import { applyPlatt, applyStep, fitIsotonic, fitPlatt, logit, sigmoid } from './calibrate.ts';
import { SeededRandom } from '../core/random.ts';

describe('Platt scaling', () => {
  it('recovers the slope and intercept that generated the outcomes', () => {
    const rng = new SeededRandom(7);
    const scores: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const s = 0.02 + 0.96 * rng.next();
      scores.push(s);
      labels.push(rng.next() < sigmoid(0.5 * logit(s) - 1) ? 1 : 0);
    }
    const p = fitPlatt(scores, labels);
    expect(p.a).toBeCloseTo(0.5, 1);
    expect(p.b).toBeCloseTo(-1, 1);
  });

  it('is monotone, so it keeps the ranking', () => {
    const p = { a: 0.7, b: -2 };
    const xs = [0.01, 0.1, 0.3, 0.6, 0.99];
    const ys = xs.map((x) => applyPlatt(p, x));
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
  });

  it('is the identity with one class only', () => {
    expect(fitPlatt([0.2, 0.4], [0, 0])).toEqual({ a: 1, b: 0 });
  });

  it('stays finite on perfectly separated data (smoothed targets)', () => {
    const p = fitPlatt([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]);
    expect(Number.isFinite(p.a) && Number.isFinite(p.b)).toBe(true);
    expect(applyPlatt(p, 0.9)).toBeLessThan(1);
  });
});

describe('isotonic regression (pool adjacent violators)', () => {
  it('pools violating neighbours into non-decreasing steps', () => {
    // Rates by x: 0 → 0/2, 1 → 1/1, 2 → 0/1, 3 → 2/2. x=1 and x=2 violate: pooled to 1/2.
    const f = fitIsotonic([0, 0, 1, 2, 3, 3], [0, 0, 1, 0, 1, 1], 0);
    expect(f).toEqual({ thresholds: [0, 1, 3], values: [0, 0.5, 1] });
  });

  it('smooths each step towards the overall rate with the prior', () => {
    const f = fitIsotonic([0, 1], [0, 1], 1);
    // Overall rate 1/2: (0 + 0.5) / 2 and (1 + 0.5) / 2.
    expect(f.values).toEqual([0.25, 0.75]);
  });

  it('applyStep takes the step at or below x', () => {
    const f = { thresholds: [0, 10, 30], values: [0.01, 0.05, 0.2] };
    expect([-5, 0, 9.9, 10, 29, 30, 400].map((x) => applyStep(f, x))).toEqual([
      0.01, 0.01, 0.01, 0.05, 0.05, 0.2, 0.2,
    ]);
  });
});
