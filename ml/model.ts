/**
 * A scoring model of the candidate family, as the scorer and the explanations use it: a raw score
 * (margin) per row of the standardised matrix, then a calibration map to a probability of default.
 *
 * - network: the mean of several seeds' probabilities (class-weighted, uncalibrated); its margin is
 *   the logit of that mean;
 * - logistic: the linear predictor of a logistic regression;
 * - rule: one column of the matrix (times ±1), e.g. max days past due over 12 months.
 */
import { applyCalibrator, logit, type Calibrator } from './calibrate.ts';
import type { Matrix } from './features.ts';
import { logisticMargin, type LogisticModel } from './logistic.ts';
import { predict } from './network.ts';
import type { tf } from './tf.ts';

export type CandidateKind = 'network' | 'logistic' | 'rule';

export type ScoringModel =
  | { readonly kind: 'network'; readonly members: readonly tf.LayersModel[] }
  | ({ readonly kind: 'logistic' } & LogisticModel)
  | { readonly kind: 'rule'; readonly column: number; readonly sign: 1 | -1 };

/** The element-wise mean of equally long score vectors. */
export function meanScores(parts: readonly ArrayLike<number>[]): Float64Array {
  const first = parts[0];
  if (first === undefined) throw new Error('an ensemble needs at least one member');
  const out = new Float64Array(first.length);
  for (const p of parts) {
    if (p.length !== out.length)
      throw new Error(`ensemble members scored ${p.length} and ${out.length} rows`);
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (p[i] as number);
  }
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) / parts.length;
  return out;
}

/** The logit of each probability (clipped at 1e-7). */
export function logits(p: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: p.length }, (_, i) => logit(p[i] as number));
}

export function ruleMargin(column: number, sign: 1 | -1, x: Matrix): Float64Array {
  if (column < 0 || column >= x.cols) throw new Error(`the rule's column ${column} is not in the matrix`);
  return Float64Array.from({ length: x.rows }, (_, i) => sign * (x.data[i * x.cols + column] as number));
}

/** The raw score of every row. */
export function margin(m: ScoringModel, x: Matrix): Float64Array {
  switch (m.kind) {
    case 'network':
      return logits(meanScores(m.members.map((n) => predict(n, x))));
    case 'logistic':
      return logisticMargin(m, x);
    case 'rule':
      return ruleMargin(m.column, m.sign, x);
  }
}

/** The calibrated probability of default of every row. */
export function probabilities(m: ScoringModel, calibration: Calibrator, x: Matrix): Float64Array {
  return margin(m, x).map((s) => applyCalibrator(calibration, s));
}
