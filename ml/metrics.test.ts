import { describe, expect, it } from 'vitest';
import {
  aucDifferenceBootstrap,
  brier,
  calibrationTable,
  evaluate,
  expectedCalibrationError,
  ks,
  lift,
  prAuc,
  rocAuc,
} from './metrics.ts';
import { SeededRandom } from '../core/random.ts';

describe('ROC AUC', () => {
  it('is the share of positive/negative pairs ranked right, ties counting half', () => {
    // Positives 0.9, 0.4; negatives 0.8, 0.4, 0.1. Pairs: (0.9 > all 3) = 3; (0.4 vs 0.8) 0, vs 0.4 ½, vs 0.1 1.
    expect(rocAuc({ scores: [0.9, 0.8, 0.4, 0.4, 0.1], labels: [1, 0, 1, 0, 0] })).toBeCloseTo(4.5 / 6, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for a constant score', () => {
    expect(rocAuc({ scores: [3, 2, 1], labels: [1, 0, 0] })).toBe(1);
    expect(rocAuc({ scores: [1, 2, 3], labels: [1, 0, 0] })).toBe(0);
    expect(rocAuc({ scores: [7, 7, 7, 7], labels: [1, 0, 1, 0] })).toBe(0.5);
  });

  it('does not depend on row order and is NaN with one class only', () => {
    const a = rocAuc({ scores: [0.2, 0.9, 0.4, 0.4], labels: [0, 1, 1, 0] });
    const b = rocAuc({ scores: [0.4, 0.4, 0.9, 0.2], labels: [0, 1, 1, 0] });
    expect(a).toBe(b);
    expect(rocAuc({ scores: [0.1, 0.2], labels: [0, 0] })).toBeNaN();
  });

  it('rejects bad input', () => {
    expect(() => rocAuc({ scores: [0.1], labels: [0, 1] })).toThrow(/differ in length/);
    expect(() => rocAuc({ scores: [Number.NaN], labels: [1] })).toThrow(/finite/);
    expect(() => rocAuc({ scores: [0.1], labels: [2] })).toThrow(/0 or 1/);
  });
});

describe('PR AUC (average precision)', () => {
  it('averages the precision at each positive', () => {
    // Ranking: 1 (pos), 0 (neg), 1 (pos): precision 1/1 at the first, 2/3 at the second.
    expect(prAuc({ scores: [0.9, 0.5, 0.1], labels: [1, 0, 1] })).toBeCloseTo((1 + 2 / 3) / 2, 12);
  });

  it('treats a tied group as one threshold', () => {
    // All tied: precision 1/2 for both positives.
    expect(prAuc({ scores: [0.5, 0.5, 0.5, 0.5], labels: [1, 0, 1, 0] })).toBeCloseTo(0.5, 12);
  });
});

describe('Brier, KS and lift', () => {
  it('Brier is the mean squared error of the probabilities', () => {
    expect(brier({ scores: [0.8, 0.2, 0.5], labels: [1, 0, 1] })).toBeCloseTo((0.04 + 0.04 + 0.25) / 3, 12);
  });

  it('KS is the largest gap between the cumulative distributions', () => {
    // From the top: after 0.9 → TPR 1/2, FPR 0; after 0.7 → 1/2, 1/2; after 0.6 → 1, 1/2; after 0.1 → 1, 1.
    expect(ks({ scores: [0.9, 0.7, 0.6, 0.1], labels: [1, 0, 1, 0] })).toBeCloseTo(0.5, 12);
    expect(ks({ scores: [0.9, 0.8, 0.2, 0.1], labels: [1, 1, 0, 0] })).toBe(1);
  });

  it('lift in the top decile is its default rate over the overall rate', () => {
    const scores = Array.from({ length: 20 }, (_, i) => 20 - i);
    const labels = scores.map((_, i) => (i === 0 || i === 5 || i === 12 ? 1 : 0));
    // Top 10 % = 2 rows, 1 default: 0.5 / (3 / 20).
    expect(lift({ scores, labels }, 0.1)).toBeCloseTo(0.5 / 0.15, 12);
  });

  it('lift shares a tied group across the cut', () => {
    // 10 rows all tied, 2 defaults: the top row taken is an average row, lift 1.
    expect(lift({ scores: Array(10).fill(1), labels: [1, 1, 0, 0, 0, 0, 0, 0, 0, 0] })).toBeCloseTo(1, 12);
  });
});

describe('calibration table', () => {
  it('cuts sorted scores into equal bins with mean prediction and observed rate', () => {
    const scores = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    const labels = [0, 0, 0, 0, 1, 0, 1, 0, 1, 1];
    const bins = calibrationTable({ scores, labels }, 5);
    expect(bins.map((b) => b.rows)).toEqual([2, 2, 2, 2, 2]);
    expect(bins.map((b) => b.positives)).toEqual([0, 0, 1, 1, 2]);
    expect(bins[0]?.meanPredicted).toBeCloseTo(0.15, 12);
    expect(bins[4]).toMatchObject({ bin: 5, observedRate: 1, minScore: 0.9, maxScore: 1 });
  });

  it('keeps tied scores in one bin', () => {
    const bins = calibrationTable({ scores: [0.1, 0.5, 0.5, 0.5, 0.9], labels: [0, 0, 1, 0, 1] }, 5);
    expect(bins.map((b) => b.rows)).toEqual([1, 3, 1]);
    expect(bins.reduce((a, b) => a + b.rows, 0)).toBe(5);
  });

  it("the expected calibration error weighs each bin's gap between prediction and observation by its rows", () => {
    const scores = [0.1, 0.1, 0.3, 0.3, 0.5, 0.5, 0.5, 0.5];
    const labels = [0, 0, 0, 1, 1, 1, 0, 1];
    const bins = calibrationTable({ scores, labels }, 4);
    // Bins: {0.1, 0.1} predicted 0.1 observed 0; {0.3, 0.3} 0.3 vs 0.5; {0.5 ×4} 0.5 vs 0.75.
    expect(expectedCalibrationError(bins)).toBeCloseTo((2 * 0.1 + 2 * 0.2 + 4 * 0.25) / 8, 12);
    expect(evaluate(labels, scores).ece).toBeCloseTo((2 * 0.1 + 2 * 0.2 + 4 * 0.25) / 8, 12);
    expect(expectedCalibrationError([])).toBeNaN();
  });

  it('evaluate() ranks with one score and calibrates with another', () => {
    const e = evaluate([1, 0, 0], [3, 2, 1], [0.9, 0.2, 0.1]);
    expect(e).toMatchObject({ rows: 3, positives: 1, rocAuc: 1, ks: 1 });
    expect(e.brier).toBeCloseTo((0.01 + 0.04 + 0.01) / 3, 12);
  });
});

describe('paired bootstrap of an AUC difference', () => {
  it('is centred on the difference, seeded, and resamples whole clusters', () => {
    const n = 200;
    const labels = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const good = labels.map((y, i) => y + ((i * 7919) % 13) / 20);
    const noisy = labels.map((y, i) => y * 0.3 + ((i * 104729) % 17) / 20);
    const clusters = labels.map((_, i) => `c${Math.floor(i / 4)}`);
    const a = aucDifferenceBootstrap(labels, good, noisy, clusters, { rounds: 200, seed: 3 });
    const b = aucDifferenceBootstrap(labels, good, noisy, clusters, { rounds: 200, seed: 3 });
    expect(a).toEqual(b);
    expect(a.difference).toBeCloseTo(
      rocAuc({ scores: good, labels }) - rocAuc({ scores: noisy, labels }),
      12,
    );
    expect(a.low).toBeLessThanOrEqual(a.difference);
    expect(a.high).toBeGreaterThanOrEqual(a.difference);
    expect(a.shareAWins).toBeGreaterThan(0.9);
    const same = aucDifferenceBootstrap(labels, good, good, clusters, { rounds: 50, seed: 3 });
    expect(same).toMatchObject({ difference: 0, low: 0, high: 0, shareAWins: 0 });
  });

  it("a resample's difference is the AUC difference on the resampled rows, whole clusters repeated", () => {
    const labels = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0];
    const a = [0.9, 0.1, 0.4, 0.35, 0.2, 0.4, 0.3, 0.8, 0.5, 0.1, 0.6, 0.7];
    const b = [0.2, 0.3, 0.1, 0.9, 0.5, 0.5, 0.6, 0.4, 0.2, 0.8, 0.3, 0.1];
    const clusters = ['x', 'y', 'x', 'z', 'y', 'w', 'z', 'w', 'v', 'v', 'u', 'u'];
    for (const seed of [1, 2, 3, 4, 5]) {
      const one = aucDifferenceBootstrap(labels, a, b, clusters, { rounds: 1, seed });
      // The same draws by hand: clusters in order of first appearance, one draw per cluster.
      const order = [...new Set(clusters)];
      const rng = new SeededRandom(seed, 101);
      const drawn = order.map(() => order[rng.int(order.length)] as string);
      const rows = drawn.flatMap((c) => clusters.flatMap((x, i) => (x === c ? [i] : [])));
      const pick = (v: number[]) => rows.map((i) => v[i] as number);
      const expected =
        rocAuc({ scores: pick(a), labels: pick(labels) }) - rocAuc({ scores: pick(b), labels: pick(labels) });
      if (Number.isNaN(expected)) expect(one.rounds).toBe(0);
      else expect(one.low).toBeCloseTo(expected, 12);
    }
  });
});
