/**
 * Evaluation metrics for a binary default model, pure functions over (score, label) pairs.
 *
 * Scores only need to rank for the ranking metrics (ROC AUC, PR AUC, KS, lift); Brier and the
 * calibration table need probabilities. Ties are handled exactly (no dependence on row order):
 * ROC AUC counts a tied positive/negative pair as half a concordant pair, PR AUC and KS move through
 * the scores one distinct value at a time.
 */
import { SeededRandom } from '../core/random.ts';

export interface Scored {
  readonly scores: ArrayLike<number>;
  /** 1 = default, 0 = no default. */
  readonly labels: ArrayLike<number>;
}

function check({ scores, labels }: Scored): void {
  if (scores.length !== labels.length) {
    throw new Error(`scores (${scores.length}) and labels (${labels.length}) differ in length`);
  }
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s)) throw new Error(`score ${i} is not a finite number: ${s}`);
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new Error(`label ${i} must be 0 or 1, got ${String(y)}`);
  }
}

/**
 * Row indices by descending score, equal scores by ascending index. The scores are sorted natively
 * (a typed-array sort, without a comparator: several times faster than sorting indices with one on
 * large data), then each row is placed after the rows with a higher score and the earlier rows with
 * its own. Scores are finite (check()); −0 counts as 0.
 */
function byScoreDesc(scores: ArrayLike<number>): number[] {
  const n = scores.length;
  const sorted = Float64Array.from({ length: n }, (_, i) => (scores[i] as number) + 0).sort();
  /** Rows with a score above v: n − (first position in `sorted` past v). */
  const above = (v: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as number) <= v) lo = mid + 1;
      else hi = mid;
    }
    return n - lo;
  };
  const next = new Map<number, number>();
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const v = (scores[i] as number) + 0;
    const p = next.get(v) ?? above(v);
    out[p] = i;
    next.set(v, p + 1);
  }
  return out;
}

interface Group {
  readonly positives: number;
  readonly negatives: number;
}

/**
 * The last groups() computed, with a copy of their input: evaluate() asks for the same ones four
 * times, and comparing the input (one pass) is much cheaper than sorting it again.
 */
let lastGroups: { scores: Float64Array; labels: Float64Array; groups: Group[] } | null = null;

function sameInput(a: Float64Array, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Distinct score values from the highest down, with the positives and negatives at each. */
function groups(s: Scored): Group[] {
  if (lastGroups && sameInput(lastGroups.scores, s.scores) && sameInput(lastGroups.labels, s.labels)) {
    return lastGroups.groups;
  }
  const out = computeGroups(s);
  lastGroups = { scores: Float64Array.from(s.scores), labels: Float64Array.from(s.labels), groups: out };
  return out;
}

function computeGroups(s: Scored): Group[] {
  const order = byScoreDesc(s.scores);
  const out: Group[] = [];
  let i = 0;
  while (i < order.length) {
    const v = s.scores[order[i] as number] as number;
    let pos = 0;
    let neg = 0;
    while (i < order.length && s.scores[order[i] as number] === v) {
      if (s.labels[order[i] as number] === 1) pos++;
      else neg++;
      i++;
    }
    out.push({ positives: pos, negatives: neg });
  }
  return out;
}

function counts(s: Scored): { positives: number; negatives: number } {
  let positives = 0;
  for (let i = 0; i < s.labels.length; i++) positives += s.labels[i] as number;
  return { positives, negatives: s.labels.length - positives };
}

/** Area under the ROC curve; NaN when there are no positives or no negatives. */
export function rocAuc(s: Scored): number {
  check(s);
  const { positives, negatives } = counts(s);
  if (positives === 0 || negatives === 0) return Number.NaN;
  // Walk from the highest score down: each positive outranks the negatives below it.
  let negativesBelow = negatives;
  let concordant = 0;
  for (const g of groups(s)) {
    negativesBelow -= g.negatives;
    concordant += g.positives * (negativesBelow + g.negatives / 2);
  }
  return concordant / (positives * negatives);
}

/**
 * Area under the precision–recall curve as average precision: the mean over positives of the
 * precision at the threshold that first includes them (a tied group counts as one threshold).
 */
export function prAuc(s: Scored): number {
  check(s);
  const { positives } = counts(s);
  if (positives === 0) return Number.NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  for (const g of groups(s)) {
    tp += g.positives;
    fp += g.negatives;
    ap += (g.positives / positives) * (tp / (tp + fp));
  }
  return ap;
}

/** Mean squared difference between predicted probability and outcome. */
export function brier(s: Scored): number {
  check(s);
  if (s.scores.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < s.scores.length; i++) {
    const d = (s.scores[i] as number) - (s.labels[i] as number);
    sum += d * d;
  }
  return sum / s.scores.length;
}

/** Kolmogorov–Smirnov statistic: the largest gap between the score distributions of the two classes. */
export function ks(s: Scored): number {
  check(s);
  const { positives, negatives } = counts(s);
  if (positives === 0 || negatives === 0) return Number.NaN;
  let tp = 0;
  let fp = 0;
  let best = 0;
  for (const g of groups(s)) {
    tp += g.positives;
    fp += g.negatives;
    best = Math.max(best, Math.abs(tp / positives - fp / negatives));
  }
  return best;
}

/**
 * Default rate among the top `fraction` of rows by score over the overall default rate. The cut
 * takes ceil(n × fraction) rows; rows tied with the last one taken share its group's rate, so the
 * result does not depend on row order.
 */
export function lift(s: Scored, fraction = 0.1): number {
  check(s);
  const n = s.scores.length;
  const { positives } = counts(s);
  if (n === 0 || positives === 0) return Number.NaN;
  const take = Math.max(1, Math.ceil(n * fraction));
  let taken = 0;
  let hits = 0;
  for (const g of groups(s)) {
    const size = g.positives + g.negatives;
    const part = Math.min(size, take - taken);
    hits += (part * g.positives) / size;
    taken += part;
    if (taken >= take) break;
  }
  return hits / taken / (positives / n);
}

export interface CalibrationBin {
  /** 1 = lowest scores … bins = highest. */
  readonly bin: number;
  readonly rows: number;
  readonly positives: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
  readonly minScore: number;
  readonly maxScore: number;
}

/**
 * Calibration table: rows sorted by score and cut into `bins` groups of (nearly) equal size (deciles
 * by default), each with its mean predicted probability and observed default rate. Rows with equal
 * scores are kept in the same bin (a bin can then be larger than n / bins, and bins can be fewer).
 */
export function calibrationTable(s: Scored, bins = 10): CalibrationBin[] {
  check(s);
  const n = s.scores.length;
  if (n === 0) return [];
  const order = byScoreDesc(s.scores).reverse();
  const out: CalibrationBin[] = [];
  let start = 0;
  for (let b = 1; b <= bins && start < n; b++) {
    let end = Math.max(start + 1, Math.round((n * b) / bins));
    // Keep ties together: extend the bin to the end of its last score value.
    while (end < n && s.scores[order[end] as number] === s.scores[order[end - 1] as number]) end++;
    let pos = 0;
    let sum = 0;
    for (let k = start; k < end; k++) {
      const i = order[k] as number;
      pos += s.labels[i] as number;
      sum += s.scores[i] as number;
    }
    out.push({
      bin: out.length + 1,
      rows: end - start,
      positives: pos,
      meanPredicted: sum / (end - start),
      observedRate: pos / (end - start),
      minScore: s.scores[order[start] as number] as number,
      maxScore: s.scores[order[end - 1] as number] as number,
    });
    start = end;
  }
  return out;
}

export interface Evaluation {
  readonly rows: number;
  readonly positives: number;
  readonly rocAuc: number;
  readonly prAuc: number;
  readonly brier: number;
  readonly ks: number;
  readonly liftTopDecile: number;
  /**
   * Expected calibration error over the calibration table's bins (deciles by predicted
   * probability): Σ (rows in bin / rows) · |mean predicted − observed rate|.
   */
  readonly ece: number;
  readonly calibration: CalibrationBin[];
}

/** Expected calibration error of a calibration table (equal-frequency bins). */
export function expectedCalibrationError(bins: readonly CalibrationBin[]): number {
  const n = bins.reduce((a, b) => a + b.rows, 0);
  if (n === 0) return Number.NaN;
  return bins.reduce((a, b) => a + (b.rows / n) * Math.abs(b.meanPredicted - b.observedRate), 0);
}

/**
 * Every metric at once. `rank` orders the rows for the ranking metrics; `probability` (default:
 * the same numbers) is used for Brier and calibration.
 */
export function evaluate(
  labels: ArrayLike<number>,
  rank: ArrayLike<number>,
  probability: ArrayLike<number> = rank,
): Evaluation {
  const r: Scored = { scores: rank, labels };
  const p: Scored = { scores: probability, labels };
  const calibration = calibrationTable(p, 10);
  return {
    rows: labels.length,
    positives: counts(r).positives,
    rocAuc: rocAuc(r),
    prAuc: prAuc(r),
    brier: brier(p),
    ks: ks(r),
    liftTopDecile: lift(r, 0.1),
    ece: expectedCalibrationError(calibration),
    calibration,
  };
}

/**
 * One score's ranking prepared for repeated weighted ROC AUCs: rows by ascending score, as the index
 * of their cluster and their label, and where each run of equal scores ends.
 */
interface RankedClusters {
  readonly cluster: Int32Array;
  readonly positive: Uint8Array;
  /** 1 at the last position of each run of equal scores. */
  readonly runEnd: Uint8Array;
}

function rankClusters(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  clusterOf: Int32Array,
): RankedClusters {
  const order = byScoreDesc(scores).reverse();
  const n = order.length;
  const cluster = new Int32Array(n);
  const positive = new Uint8Array(n);
  const runEnd = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k] as number;
    cluster[k] = clusterOf[i] as number;
    positive[k] = labels[i] === 1 ? 1 : 0;
    runEnd[k] = k + 1 === n || scores[order[k + 1] as number] !== scores[i] ? 1 : 0;
  }
  return { cluster, positive, runEnd };
}

/** ROC AUC when every row of cluster c counts `multiplicity[c]` times; ties count half. */
function clusterWeightedAuc(r: RankedClusters, multiplicity: Int32Array): number {
  let negativesBelow = 0;
  let concordant = 0;
  let runPos = 0;
  let runNeg = 0;
  let positives = 0;
  const n = r.cluster.length;
  for (let k = 0; k < n; k++) {
    const w = multiplicity[r.cluster[k] as number] as number;
    if (w !== 0) {
      if (r.positive[k] === 1) runPos += w;
      else runNeg += w;
    }
    if (r.runEnd[k] === 1) {
      concordant += runPos * (negativesBelow + runNeg / 2);
      negativesBelow += runNeg;
      positives += runPos;
      runPos = 0;
      runNeg = 0;
    }
  }
  if (positives === 0 || negativesBelow === 0) return Number.NaN;
  return concordant / (positives * negativesBelow);
}

export interface AucDifference {
  /** ROC AUC of a − ROC AUC of b on all rows. */
  readonly difference: number;
  /** 2.5 % and 97.5 % percentiles of the bootstrap differences. */
  readonly low: number;
  readonly high: number;
  /** Share of bootstrap samples in which a's AUC exceeds b's. */
  readonly shareAWins: number;
  readonly rounds: number;
}

/**
 * Paired bootstrap of the ROC AUC difference between two scores of the same rows, resampling whole
 * clusters (a customer's snapshots are not independent), with a seeded generator.
 */
export function aucDifferenceBootstrap(
  labels: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  clusters: readonly string[],
  o: { rounds?: number; seed?: number } = {},
): AucDifference {
  const rounds = o.rounds ?? 500;
  const rng = new SeededRandom(o.seed ?? 1, 101);
  const byCluster = new Map<string, number[]>();
  clusters.forEach((c, i) => {
    const list = byCluster.get(c);
    if (list) list.push(i);
    else byCluster.set(c, [i]);
  });
  const clusterCount = byCluster.size;
  const clusterOf = new Int32Array(labels.length);
  [...byCluster.values()].forEach((rows, c) => {
    for (const i of rows) clusterOf[i] = c;
  });
  const difference = rocAuc({ scores: a, labels }) - rocAuc({ scores: b, labels });
  // Each resample is a multiplicity per cluster; the AUC of a weighted sample needs no new sort.
  const rankA = rankClusters(a, labels, clusterOf);
  const rankB = rankClusters(b, labels, clusterOf);
  const multiplicity = new Int32Array(clusterCount);
  const diffs: number[] = [];
  let wins = 0;
  for (let r = 0; r < rounds; r++) {
    multiplicity.fill(0);
    for (let k = 0; k < clusterCount; k++) {
      const c = rng.int(clusterCount);
      multiplicity[c] = (multiplicity[c] as number) + 1;
    }
    const d = clusterWeightedAuc(rankA, multiplicity) - clusterWeightedAuc(rankB, multiplicity);
    if (Number.isNaN(d)) continue;
    diffs.push(d);
    if (d > 0) wins++;
  }
  diffs.sort((x, y) => x - y);
  const q = (p: number) =>
    diffs[Math.min(diffs.length - 1, Math.max(0, Math.floor(p * diffs.length)))] ?? Number.NaN;
  return {
    difference,
    low: q(0.025),
    high: q(0.975),
    shareAWins: diffs.length > 0 ? wins / diffs.length : Number.NaN,
    rounds: diffs.length,
  };
}
