/**
 * The candidate risk model is an ensemble: the MLP and a logistic-regression member, each trained
 * on its own (network.ts), their raw (class-weighted, uncalibrated) probabilities averaged, and the
 * mean Platt-scaled on the validation period (calibrate.ts). Averaging is done before calibration so
 * there is one calibration, fitted on what is actually scored.
 */
import type { Matrix } from './features.ts';
import { predict } from './network.ts';
import type { tf } from './tf.ts';

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

/** The ensemble's raw probability for every row: the mean of its members' (before calibration). */
export function predictEnsemble(members: readonly tf.LayersModel[], x: Matrix): Float64Array {
  return meanScores(members.map((m) => predict(m, x)));
}
