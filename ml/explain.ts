/**
 * Why a customer got its probability of default: occlusion against the training mean. For each
 * feature, the customer's row is scored again with that feature set to its training mean (0 after
 * standardisation; for a categorical feature, its one-hot columns set to the training shares of each
 * value), and the feature's contribution is
 *
 *     PD(customer) − PD(customer with the feature at its mean)
 *
 * in probability points: positive = the feature raises this customer's PD. Model-agnostic (it only
 * needs a scoring function), exact for what it claims, and cheap: one extra row per feature.
 */
import type { ColumnGroup, Matrix } from './features.ts';

/** Scores rows of a matrix as calibrated probabilities. */
export type ScoreFn = (x: Matrix) => Float32Array | Float64Array;

/**
 * contributions[i][g] for every row i and column group g. Rows are processed in chunks so memory
 * stays bounded (rows × groups scoring rows per chunk).
 */
export function occlusion(
  x: Matrix,
  groups: readonly ColumnGroup[],
  score: ScoreFn,
  chunkRows = 2048,
): Float64Array[] {
  const out: Float64Array[] = [];
  const g = groups.length;
  for (let start = 0; start < x.rows; start += chunkRows) {
    const end = Math.min(x.rows, start + chunkRows);
    const n = end - start;
    // Block layout: n original rows, then for each group its n occluded rows.
    const data = new Float32Array(n * (g + 1) * x.cols);
    data.set(x.data.subarray(start * x.cols, end * x.cols), 0);
    groups.forEach((group, k) => {
      const offset = n * (k + 1) * x.cols;
      data.set(x.data.subarray(start * x.cols, end * x.cols), offset);
      for (let i = 0; i < n; i++) {
        const row = offset + i * x.cols;
        group.columns.forEach((c, m) => {
          data[row + c] = group.baseline[m] as number;
        });
      }
    });
    const p = score({ data, rows: n * (g + 1), cols: x.cols });
    for (let i = 0; i < n; i++) {
      const c = new Float64Array(g);
      for (let k = 0; k < g; k++) c[k] = (p[i] as number) - (p[n * (k + 1) + i] as number);
      out.push(c);
    }
  }
  return out;
}

export interface Contribution {
  readonly feature: string;
  /** The customer's value of the feature (as defined in features.ts; a category as text). */
  readonly value: number | string | null;
  /** Probability points, rounded to 4 decimals. */
  readonly contribution: number;
}

/** The k features with the largest |contribution|, largest first (ties: feature order). */
export function topContributions(
  contributions: ArrayLike<number>,
  groups: readonly ColumnGroup[],
  value: (feature: string) => number | string | null,
  k: number,
): Contribution[] {
  return groups
    .map((group, j) => ({ j, c: contributions[j] as number, feature: group.name }))
    .filter((e) => e.c !== 0)
    .sort((a, b) => Math.abs(b.c) - Math.abs(a.c) || a.j - b.j)
    .slice(0, k)
    .map((e) => ({ feature: e.feature, value: value(e.feature), contribution: Math.round(e.c * 1e4) / 1e4 }));
}
