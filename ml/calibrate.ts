/**
 * Turning scores into probabilities, pure and deterministic:
 *
 * - Platt scaling: p = sigmoid(a · logit(s) + b), a and b fitted by Newton's method on a held-out set.
 *   The networks are trained with class weights (defaults are rare), which inflates their raw
 *   outputs; Platt scaling on the validation period brings them back to default rates. It is
 *   monotone, so it changes no ranking metric.
 * - Isotonic regression (pool adjacent violators): a non-decreasing step function, used to give the
 *   days-past-due rule a probability (the training default rate of each step).
 */

const EPS = 1e-7;

export function logit(p: number): number {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

export interface Platt {
  readonly a: number;
  readonly b: number;
}

export function applyPlatt(p: Platt, score: number): number {
  return sigmoid(p.a * logit(score) + p.b);
}

/**
 * Fit Platt scaling by Newton's method on the log loss, with Platt's smoothed targets
 * ((positives + 1) / (positives + 2) and 1 / (negatives + 2)) so a small set cannot drive a to
 * infinity. Returns the identity (a = 1, b = 0) when the set has only one class.
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): Platt {
  const n = scores.length;
  let positives = 0;
  for (let i = 0; i < n; i++) positives += labels[i] as number;
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return { a: 1, b: 0 };
  const hi = (positives + 1) / (positives + 2);
  const lo = 1 / (negatives + 2);
  const z = Float64Array.from({ length: n }, (_, i) => logit(scores[i] as number));
  const t = Float64Array.from({ length: n }, (_, i) => ((labels[i] as number) === 1 ? hi : lo));
  let a = 1;
  let b = 0;
  const loss = (a1: number, b1: number): number => {
    let l = 0;
    for (let i = 0; i < n; i++) {
      const f = a1 * (z[i] as number) + b1;
      // log(1 + e^f) − t·f, stable
      l += (f > 0 ? f + Math.log1p(Math.exp(-f)) : Math.log1p(Math.exp(f))) - (t[i] as number) * f;
    }
    return l;
  };
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < n; i++) {
      const zi = z[i] as number;
      const p = sigmoid(a * zi + b);
      const d = p - (t[i] as number);
      const w = p * (1 - p);
      ga += d * zi;
      gb += d;
      haa += w * zi * zi;
      hab += w * zi;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    // Backtracking line search: Newton steps can overshoot far from the optimum.
    let step = 1;
    let next = loss(a - step * da, b - step * db);
    while (next > current && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (next > current) break;
    a -= step * da;
    b -= step * db;
    const improved = current - next;
    current = next;
    if (Math.abs(step * da) < 1e-10 && Math.abs(step * db) < 1e-10) break;
    if (improved < 1e-12) break;
  }
  return { a, b };
}

/** A non-decreasing step function: x below thresholds[0] maps to values[0]; x ≥ thresholds[k] to values[k]. */
export interface StepFunction {
  readonly thresholds: number[];
  readonly values: number[];
}

export function applyStep(f: StepFunction, x: number): number {
  let lo = 0;
  let hi = f.thresholds.length - 1;
  // Last k with thresholds[k] <= x (or 0).
  let k = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((f.thresholds[mid] as number) <= x) {
      k = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return f.values[k] as number;
}

/**
 * Isotonic regression of labels on x (pool adjacent violators), with each block's rate smoothed
 * towards the overall rate by `prior` pseudo-rows, so a block of three rows does not claim 0 % or
 * 100 %. Returns the step function (block starts and rates).
 */
export function fitIsotonic(x: ArrayLike<number>, labels: ArrayLike<number>, prior = 1): StepFunction {
  return fitIsotonicOrdered(x, labels, ascendingOrder(x), prior);
}

/** Row indices by ascending x (ties by index). */
function ascendingOrder(x: ArrayLike<number>): Int32Array {
  const values = Float64Array.from({ length: x.length }, (_, i) => x[i] as number);
  return Int32Array.from({ length: x.length }, (_, i) => i).sort(
    (i, j) => (values[i] as number) - (values[j] as number) || i - j,
  );
}

/** fitIsotonic given the rows in ascending order of x (`order` may list a subset of the rows). */
function fitIsotonicOrdered(
  x: ArrayLike<number>,
  labels: ArrayLike<number>,
  order: ArrayLike<number>,
  prior = 1,
): StepFunction {
  const n = order.length;
  if (n === 0) throw new Error('isotonic regression needs at least one row');
  let total = 0;
  for (let k = 0; k < n; k++) total += labels[order[k] as number] as number;
  const base = total / n;
  // Groups of equal x first (a step function cannot split them), then pool adjacent violators.
  const gx: number[] = [];
  const gs: number[] = [];
  const gc: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    const xi = x[i] as number;
    const last = gx.length - 1;
    if (last >= 0 && gx[last] === xi) {
      gs[last] = (gs[last] as number) + (labels[i] as number);
      gc[last] = (gc[last] as number) + 1;
    } else {
      gx.push(xi);
      gs.push(labels[i] as number);
      gc.push(1);
    }
  }
  const start: number[] = [];
  const sum: number[] = [];
  const cnt: number[] = [];
  for (let g = 0; g < gx.length; g++) {
    start.push(gx[g] as number);
    sum.push(gs[g] as number);
    cnt.push(gc[g] as number);
    while (start.length >= 2) {
      const m = start.length - 1;
      if ((sum[m - 1] as number) / (cnt[m - 1] as number) <= (sum[m] as number) / (cnt[m] as number)) break;
      sum[m - 1] = (sum[m - 1] as number) + (sum[m] as number);
      cnt[m - 1] = (cnt[m - 1] as number) + (cnt[m] as number);
      start.pop();
      sum.pop();
      cnt.pop();
    }
  }
  const values = sum.map((s, k) => (s + prior * base) / ((cnt[k] as number) + prior));
  // Smoothing keeps the order of the raw rates only approximately; re-impose it.
  for (let k = 1; k < values.length; k++) values[k] = Math.max(values[k] as number, values[k - 1] as number);
  return { thresholds: start, values };
}

/**
 * A calibration map from a candidate's raw score (its margin: the logit of a network's mean
 * probability, a logistic regression's linear predictor, the rule's feature value) to a probability
 * of default. Platt: sigmoid(a · score + b); isotonic: a smoothed non-decreasing step function.
 */
export type Calibrator =
  | { readonly method: 'platt'; readonly a: number; readonly b: number }
  | { readonly method: 'isotonic'; readonly steps: StepFunction };

export type CalibrationMethod = Calibrator['method'];

/** Raw scores are clipped to ±16 before Platt scaling (where logit's own clipping at 1e-7 lies). */
const SCORE_LIMIT = 16;

export function applyCalibrator(c: Calibrator, score: number): number {
  return c.method === 'platt'
    ? sigmoid(c.a * Math.max(-SCORE_LIMIT, Math.min(SCORE_LIMIT, score)) + c.b)
    : applyStep(c.steps, score);
}

/**
 * Platt scaling on raw scores (not probabilities): fitPlatt works on logit(s), so the scores are
 * passed through the logistic function first (logit(sigmoid(z)) = z up to clipping).
 */
export function fitCalibrator(
  method: CalibrationMethod,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
): Calibrator {
  if (method === 'isotonic') return { method, steps: fitIsotonic(scores, labels) };
  const z = Float64Array.from({ length: scores.length }, (_, i) => scores[i] as number);
  const p = fitPlattOnScores(z, labels);
  return { method, a: p.a, b: p.b };
}

/** fitPlatt on raw scores z directly (no logit clipping). */
function fitPlattOnScores(z: Float64Array, labels: ArrayLike<number>): Platt {
  // fitPlatt takes probabilities and fits on their logit, which gives z back within ±16.
  const s = Float64Array.from(z, (v) => sigmoid(Math.max(-SCORE_LIMIT, Math.min(SCORE_LIMIT, v))));
  return fitPlatt(s, labels);
}

export interface CalibrationChoice {
  readonly method: CalibrationMethod;
  /** Mean log loss of each method's out-of-fold probabilities (lower is better). */
  readonly crossValidatedLogLoss: Readonly<Record<CalibrationMethod, number>>;
  readonly folds: number;
}

function meanLogLoss(p: ArrayLike<number>, y: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i] as number));
    sum += (y[i] as number) === 1 ? -Math.log(q) : -Math.log(1 - q);
  }
  return p.length > 0 ? sum / p.length : Number.NaN;
}

/** A small stable hash of a string (FNV-1a), for assigning clusters to folds. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Platt or isotonic, chosen on one period by cross-validation over clusters (a customer's rows stay
 * in one fold; 5 folds, 3 above 100,000 rows): each method is fitted on k − 1 folds and scored (log loss) on the rows of the k-th;
 * the lower mean log loss wins, Platt on ties (the simpler map).
 */
export function chooseCalibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  clusters: readonly string[],
  folds = scores.length > 100_000 ? 3 : 5,
): CalibrationChoice {
  const n = scores.length;
  const fold = Int32Array.from(clusters, (c) => hash(c) % folds);
  const out: Record<CalibrationMethod, Float64Array> = {
    platt: new Float64Array(n),
    isotonic: new Float64Array(n),
  };
  // One sort for every fold's isotonic fit: each fold's rows, in this order, are sorted too.
  const order = ascendingOrder(scores);
  for (let f = 0; f < folds; f++) {
    const fitRows: number[] = [];
    const heldOut: number[] = [];
    for (let i = 0; i < n; i++) (fold[i] === f ? heldOut : fitRows).push(i);
    if (heldOut.length === 0 || fitRows.length === 0) continue;
    const s = Float64Array.from(fitRows, (i) => scores[i] as number);
    const y = Float64Array.from(fitRows, (i) => labels[i] as number);
    const platt = fitCalibrator('platt', s, y);
    const isotonic: Calibrator = {
      method: 'isotonic',
      steps: fitIsotonicOrdered(
        scores,
        labels,
        order.filter((i) => fold[i] !== f),
      ),
    };
    for (const i of heldOut) {
      out.platt[i] = applyCalibrator(platt, scores[i] as number);
      out.isotonic[i] = applyCalibrator(isotonic, scores[i] as number);
    }
  }
  const loss = { platt: meanLogLoss(out.platt, labels), isotonic: meanLogLoss(out.isotonic, labels) };
  return {
    method: loss.isotonic < loss.platt ? 'isotonic' : 'platt',
    crossValidatedLogLoss: loss,
    folds,
  };
}
