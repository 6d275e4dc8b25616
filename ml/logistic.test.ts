import { describe, expect, it } from 'vitest';
import type { Matrix } from './features.ts';
import { choleskySolve, fitLogistic, logisticMargin } from './logistic.ts';
import { SeededRandom } from '../core/random.ts';

/** Rows from a known logistic model: intercept −2, coefficients [1.5, −1, 0]. */
function sample(rows: number, seed: number): { x: Matrix; y: Float32Array } {
  const rng = new SeededRandom(seed);
  const cols = 3;
  const data = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = rng.normal();
    const z = -2 + 1.5 * (data[i * cols] as number) - (data[i * cols + 1] as number);
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x: { data, rows, cols }, y };
}

/** The penalised objective's gradient, computed directly. */
function gradient(
  x: Matrix,
  y: Float32Array,
  fit: { intercept: number; coefficients: number[] },
  l2: number,
) {
  const eta = logisticMargin(fit, x);
  const g = new Array<number>(x.cols + 1).fill(0);
  for (let i = 0; i < x.rows; i++) {
    const r = 1 / (1 + Math.exp(-(eta[i] as number))) - (y[i] as number);
    for (let j = 0; j < x.cols; j++)
      g[j] = (g[j] as number) + (r * (x.data[i * x.cols + j] as number)) / x.rows;
    g[x.cols] = (g[x.cols] as number) + r / x.rows;
  }
  fit.coefficients.forEach((b, j) => (g[j] = (g[j] as number) + l2 * b));
  return g;
}

describe('logistic regression by Newton steps', () => {
  it('solves a symmetric positive definite system, and refuses one that is not', () => {
    const a = Float64Array.from([4, 2, 2, 3]);
    const x = choleskySolve(a, Float64Array.from([2, 5]), 2);
    expect(x?.[0]).toBeCloseTo(-0.5, 12);
    expect(x?.[1]).toBeCloseTo(2, 12);
    expect(choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2)).toBeNull();
  });

  it('converges: the gradient of the objective is zero at the solution, and the true model is recovered', () => {
    const { x, y } = sample(20_000, 1);
    const fit = fitLogistic(x, y, { l2: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.iterations).toBeLessThan(15);
    for (const g of gradient(x, y, fit, 0)) expect(Math.abs(g)).toBeLessThan(1e-6);
    // Within about three standard errors of the true values (20,000 rows).
    expect(Math.abs(fit.intercept + 2)).toBeLessThan(0.1);
    expect(Math.abs((fit.coefficients[0] as number) - 1.5)).toBeLessThan(0.1);
    expect(Math.abs((fit.coefficients[1] as number) + 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.coefficients[2] as number)).toBeLessThan(0.05);
  });

  it('shrinks the coefficients (not the intercept) by the L2 penalty, converging there too', () => {
    const { x, y } = sample(5_000, 2);
    const weak = fitLogistic(x, y, { l2: 1e-4 });
    const strong = fitLogistic(x, y, { l2: 0.1 });
    expect(strong.converged).toBe(true);
    for (const g of gradient(x, y, strong, 0.1)) expect(Math.abs(g)).toBeLessThan(1e-6);
    expect(Math.abs(strong.coefficients[0] as number)).toBeLessThan(
      Math.abs(weak.coefficients[0] as number) * 0.8,
    );
    // A warm start from another penalty reaches the same solution.
    const warm = fitLogistic(x, y, { l2: 0.1, start: weak });
    warm.coefficients.forEach((b, j) => expect(b).toBeCloseTo(strong.coefficients[j] as number, 6));
  });

  it('reaches the same optimum when the Hessian comes from a subsample (the gradient uses every row)', () => {
    const { x, y } = sample(20_000, 3);
    const full = fitLogistic(x, y, { l2: 1e-3 });
    const sub = fitLogistic(x, y, { l2: 1e-3, hessianRows: 3_000, seed: 7 });
    expect(sub.converged).toBe(true);
    expect(sub.intercept).toBeCloseTo(full.intercept, 5);
    sub.coefficients.forEach((b, j) => expect(b).toBeCloseTo(full.coefficients[j] as number, 5));
  });

  it('weighs rows: weight 2 on a row is that row twice', () => {
    const { x, y } = sample(400, 4);
    const weights = Float64Array.from({ length: 400 }, (_, i) => (i < 100 ? 2 : 1));
    const weighted = fitLogistic(x, y, { l2: 0.01, weights });
    const rows = [...Array.from({ length: 100 }, (_, i) => i), ...Array.from({ length: 400 }, (_, i) => i)];
    const doubled: Matrix = {
      data: Float32Array.from(rows.flatMap((i) => [...x.data.subarray(i * 3, i * 3 + 3)])),
      rows: rows.length,
      cols: 3,
    };
    const plain = fitLogistic(
      doubled,
      Float32Array.from(rows, (i) => y[i] as number),
      { l2: 0.01 },
    );
    weighted.coefficients.forEach((b, j) => expect(b).toBeCloseTo(plain.coefficients[j] as number, 6));
  });
});
