import { describe, expect, it } from 'vitest';
import {
  applyCalibrator,
  applyPlatt,
  applyStep,
  chooseCalibration,
  fitCalibrator,
  fitIsotonic,
  fitPlatt,
  logit,
  sigmoid,
} from './calibrate.ts';
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

describe('calibration of raw scores, Platt or isotonic chosen by cross-validation', () => {
  /** Scores z ~ N(0, 1), outcomes from `rate(z)`, 20 rows per cluster. */
  function data(rate: (z: number) => number, n: number, seed: number) {
    const rng = new SeededRandom(seed);
    const scores: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      scores.push(z);
      labels.push(rng.next() < rate(z) ? 1 : 0);
    }
    return { scores, labels, clusters: scores.map((_, i) => `c${Math.floor(i / 20)}`) };
  }

  it('Platt scaling maps a raw score z to sigmoid(a z + b), fitted on the scores themselves', () => {
    const d = data((z) => sigmoid(1.5 * z - 3), 20_000, 5);
    const c = fitCalibrator('platt', d.scores, d.labels);
    if (c.method !== 'platt') throw new Error('expected Platt');
    expect(c.a).toBeCloseTo(1.5, 0);
    expect(c.b).toBeCloseTo(-3, 0);
    expect(applyCalibrator(c, 0.7)).toBeCloseTo(sigmoid(c.a * 0.7 + c.b), 12);
  });

  it('chooses Platt for a logistic relation and isotonic for a step, by out-of-fold log loss', () => {
    const logistic = data((z) => sigmoid(2 * z - 2), 6_000, 6);
    const platt = chooseCalibration(logistic.scores, logistic.labels, logistic.clusters);
    expect(platt.method).toBe('platt');
    expect(platt.crossValidatedLogLoss.platt).toBeLessThan(platt.crossValidatedLogLoss.isotonic);
    // A step the logistic curve cannot follow: 2 % below z = 1, 60 % above.
    const step = data((z) => (z < 1 ? 0.02 : 0.6), 6_000, 7);
    const isotonic = chooseCalibration(step.scores, step.labels, step.clusters);
    expect(isotonic.method).toBe('isotonic');
    expect(isotonic.folds).toBe(5);
    const c = fitCalibrator('isotonic', step.scores, step.labels);
    expect(applyCalibrator(c, 0)).toBeLessThan(0.1);
    expect(applyCalibrator(c, 2)).toBeGreaterThan(0.5);
  });
});
