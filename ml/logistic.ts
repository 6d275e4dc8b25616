/**
 * Logistic regression fitted to convergence: L2-penalised maximum likelihood by Newton's method
 * (iteratively reweighted least squares) on the standardised design matrix, in float64, pure and
 * deterministic.
 *
 * The objective is the weighted mean log loss plus (l2 / 2) · Σ β² (the intercept is not penalised),
 * so `l2` means the same on 1,000 rows as on a million. Each step solves H δ = g (Cholesky) with
 * the exact gradient and a backtracking line search; it stops when the largest gradient component
 * is below `tolerance`. For large data the Hessian is computed on a fixed, seeded subsample (every
 * default and a sample of the others, reweighted so it estimates the full Hessian): with the exact
 * gradient, Newton's method still converges to the exact optimum, only in a few more steps
 * ("sub-sampled Newton"). The result records the steps taken and the final gradient norm, so
 * "converged" is a checked fact, not an assumption.
 */
import type { Matrix } from './features.ts';
import { SeededRandom } from '../core/random.ts';

export interface LogisticModel {
  readonly intercept: number;
  readonly coefficients: number[];
}

export interface LogisticFit extends LogisticModel {
  readonly l2: number;
  readonly iterations: number;
  /** Largest |gradient component| of the objective at the solution. */
  readonly gradientNorm: number;
  readonly converged: boolean;
  /** Weighted mean log loss on the training rows at the solution (without the penalty). */
  readonly logLoss: number;
}

export interface LogisticOptions {
  readonly l2: number;
  /** Per-row weights (default 1). */
  readonly weights?: ArrayLike<number>;
  readonly maxIterations?: number;
  readonly tolerance?: number;
  /** Start from this solution (a path over l2 values converges in a few steps). */
  readonly start?: LogisticModel;
  /** Rows used for the Hessian at most (default 100,000); the gradient always uses every row. */
  readonly hessianRows?: number;
  readonly seed?: number;
}

/** The linear predictor η = intercept + x·β for every row. */
export function logisticMargin(m: LogisticModel, x: Matrix): Float64Array {
  const out = new Float64Array(x.rows);
  const p = x.cols;
  if (m.coefficients.length !== p) {
    throw new Error(`the logistic model has ${m.coefficients.length} coefficients for ${p} columns`);
  }
  const beta = Float64Array.from(m.coefficients);
  for (let i = 0; i < x.rows; i++) {
    let eta = m.intercept;
    const base = i * p;
    for (let j = 0; j < p; j++) eta += (beta[j] as number) * (x.data[base + j] as number);
    out[i] = eta;
  }
  return out;
}

const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
/** log(1 + e^z), stable. */
const softplus = (z: number) => (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z)));

/** Solve A x = b for a symmetric positive definite A (row-major, k × k) by Cholesky; null if not SPD. */
export function choleskySolve(a: Float64Array, b: Float64Array, k: number): Float64Array | null {
  const l = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * k + j] as number;
      for (let m = 0; m < j; m++) s -= (l[i * k + m] as number) * (l[j * k + m] as number);
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * k + i] = Math.sqrt(s);
      } else {
        l[i * k + j] = s / (l[j * k + j] as number);
      }
    }
  }
  const y = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = b[i] as number;
    for (let m = 0; m < i; m++) s -= (l[i * k + m] as number) * (y[m] as number);
    y[i] = s / (l[i * k + i] as number);
  }
  const x = new Float64Array(k);
  for (let i = k - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let m = i + 1; m < k; m++) s -= (l[m * k + i] as number) * (x[m] as number);
    x[i] = s / (l[i * k + i] as number);
  }
  return x;
}

/**
 * Rows for the Hessian: all of them when there are at most `limit`; otherwise every positive and a
 * seeded sample of the negatives, each sampled negative standing for 1 / rate of them.
 */
function hessianSample(
  y: ArrayLike<number>,
  limit: number,
  seed: number,
): { rows: Int32Array; scale: Float64Array } {
  const n = y.length;
  if (n <= limit)
    return { rows: Int32Array.from({ length: n }, (_, i) => i), scale: new Float64Array(n).fill(1) };
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < n; i++) ((y[i] as number) > 0.5 ? positives : negatives).push(i);
  const keep = Math.max(1, Math.min(negatives.length, limit - positives.length));
  const rng = new SeededRandom(seed, 53);
  // Partial Fisher–Yates: the first `keep` of a seeded shuffle.
  for (let k = 0; k < keep; k++) {
    const j = k + rng.int(negatives.length - k);
    const t = negatives[k] as number;
    negatives[k] = negatives[j] as number;
    negatives[j] = t;
  }
  const chosen = negatives.slice(0, keep).sort((a, b) => a - b);
  const rows = Int32Array.from([...positives, ...chosen]);
  const scale = new Float64Array(rows.length);
  scale.fill(1, 0, positives.length);
  scale.fill(negatives.length / keep, positives.length);
  return { rows, scale };
}

/** Fit an L2-penalised logistic regression of y (0/1) on x by Newton's method. */
export function fitLogistic(x: Matrix, y: ArrayLike<number>, o: LogisticOptions): LogisticFit {
  const n = x.rows;
  const p = x.cols;
  if (y.length !== n) throw new Error(`${y.length} labels for ${n} rows`);
  if (n === 0) throw new Error('logistic regression needs at least one row');
  if (!(o.l2 >= 0)) throw new Error('l2 must be ≥ 0');
  const k = p + 1; // coefficients, then the intercept
  const w = o.weights;
  let totalWeight = 0;
  let weightedPositives = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? (w[i] as number) : 1;
    totalWeight += wi;
    weightedPositives += wi * (y[i] as number);
  }
  const beta = new Float64Array(k);
  if (o.start) {
    beta.set(o.start.coefficients);
    beta[p] = o.start.intercept;
  } else {
    const rate = Math.min(1 - 1e-6, Math.max(1e-6, weightedPositives / totalWeight));
    beta[p] = Math.log(rate / (1 - rate));
  }
  const maxIterations = o.maxIterations ?? 100;
  const tolerance = o.tolerance ?? 1e-7;
  const sample = hessianSample(y, o.hessianRows ?? 100_000, o.seed ?? 1);
  const eta = new Float64Array(n);

  const margins = (b: Float64Array, out: Float64Array) => {
    for (let i = 0; i < n; i++) {
      let s = b[p] as number;
      const base = i * p;
      for (let j = 0; j < p; j++) s += (b[j] as number) * (x.data[base + j] as number);
      out[i] = s;
    }
  };
  const objective = (b: Float64Array, e: Float64Array): { loss: number; penalised: number } => {
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const wi = w ? (w[i] as number) : 1;
      const z = e[i] as number;
      loss += wi * (softplus(z) - (y[i] as number) * z);
    }
    loss /= totalWeight;
    let ss = 0;
    for (let j = 0; j < p; j++) ss += (b[j] as number) * (b[j] as number);
    return { loss, penalised: loss + (o.l2 / 2) * ss };
  };

  margins(beta, eta);
  let current = objective(beta, eta);
  let iterations = 0;
  let gradientNorm = Number.POSITIVE_INFINITY;
  const grad = new Float64Array(k);
  const hess = new Float64Array(k * k);
  const trial = new Float64Array(k);
  const trialEta = new Float64Array(n);
  for (; iterations < maxIterations; iterations++) {
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      const wi = w ? (w[i] as number) : 1;
      const r = wi * (sigmoid(eta[i] as number) - (y[i] as number));
      const base = i * p;
      for (let j = 0; j < p; j++) grad[j] = (grad[j] as number) + r * (x.data[base + j] as number);
      grad[p] = (grad[p] as number) + r;
    }
    for (let j = 0; j < k; j++) grad[j] = (grad[j] as number) / totalWeight;
    for (let j = 0; j < p; j++) grad[j] = (grad[j] as number) + o.l2 * (beta[j] as number);
    gradientNorm = 0;
    for (let j = 0; j < k; j++) gradientNorm = Math.max(gradientNorm, Math.abs(grad[j] as number));
    if (gradientNorm < tolerance) break;

    hess.fill(0);
    let sampleWeight = 0;
    for (let s = 0; s < sample.rows.length; s++) {
      const i = sample.rows[s] as number;
      const wi = (w ? (w[i] as number) : 1) * (sample.scale[s] as number);
      sampleWeight += wi;
      const q = sigmoid(eta[i] as number);
      const c = wi * q * (1 - q);
      if (c === 0) continue;
      const base = i * p;
      for (let a = 0; a < p; a++) {
        const ca = c * (x.data[base + a] as number);
        if (ca === 0) continue;
        const row = a * k;
        for (let b = 0; b <= a; b++)
          hess[row + b] = (hess[row + b] as number) + ca * (x.data[base + b] as number);
        hess[row + p] = (hess[row + p] as number) + ca;
      }
      hess[p * k + p] = (hess[p * k + p] as number) + c;
    }
    // Scale to the full data's weight, mirror the lower triangle, add the penalty.
    const f = sampleWeight > 0 ? 1 / sampleWeight : 0;
    for (let a = 0; a < k; a++) {
      for (let b = 0; b <= a; b++) {
        const v = a === p ? (hess[b * k + p] as number) : (hess[a * k + b] as number);
        const scaled = v * f;
        hess[a * k + b] = scaled;
        hess[b * k + a] = scaled;
      }
    }
    for (let j = 0; j < p; j++) hess[j * k + j] = (hess[j * k + j] as number) + o.l2;
    // A tiny ridge keeps the system solvable when a column is constant and l2 = 0.
    for (let j = 0; j < k; j++) hess[j * k + j] = (hess[j * k + j] as number) + 1e-10;
    const delta = choleskySolve(hess, grad, k);
    if (delta === null) break;
    let step = 1;
    let next = current;
    for (let tries = 0; tries < 40; tries++) {
      for (let j = 0; j < k; j++) trial[j] = (beta[j] as number) - step * (delta[j] as number);
      margins(trial, trialEta);
      next = objective(trial, trialEta);
      if (next.penalised <= current.penalised + 1e-15) break;
      step /= 2;
    }
    if (next.penalised > current.penalised + 1e-15) break;
    beta.set(trial);
    eta.set(trialEta);
    const improvement = current.penalised - next.penalised;
    current = next;
    if (improvement < 1e-16 && step < 1e-6) break;
  }
  return {
    intercept: beta[p] as number,
    coefficients: Array.from(beta.subarray(0, p)),
    l2: o.l2,
    iterations,
    gradientNorm,
    converged: gradientNorm < tolerance,
    logLoss: current.loss,
  };
}
