/**
 * The publication rule, pure: which candidate serves the scores, decided on the validation period.
 *
 * - The rule (a days-past-due step function) is the reference and can always serve.
 * - A model is **publishable** when it beats the rule on validation ROC AUC with the whole 95 %
 *   bootstrap interval of the difference above zero.
 * - Among the publishable models the best on validation wins; but when a simpler publishable model
 *   is within noise of it (the interval of best − simpler reaches zero or below), the simpler one
 *   serves (simplest first).
 * - With no publishable model, the rule serves; also when fewer customers than `evidence.needed`
 *   defaulted in the decision data (with a handful, a percentile bootstrap's interval is too narrow
 *   to trust: a model tuned on nearby data then "wins" by chance).
 *
 * So every trained version serves something: with enough history a fresh start always ends with
 * scores, and a model replaces the rule only when the data show it is better.
 */
import type { AucDifference } from './metrics.ts';

export interface CandidateScore {
  readonly name: string;
  /** 0 = the rule, then by complexity (logistic regression 1, network 2). */
  readonly complexity: number;
  readonly validationAuc: number;
  /** This candidate's validation AUC minus the rule's (null for the rule itself). */
  readonly vsRule: AucDifference | null;
}

export type SelectionReason =
  /** The best publishable model on validation serves. */
  | 'best'
  /** A simpler publishable model within noise of the best serves. */
  | 'simpler_within_noise'
  /** No model beat the rule beyond noise: the rule serves. */
  | 'no_model_beats_rule'
  /** Too few customers defaulted in the decision data to tell a model from the rule: the rule serves. */
  | 'too_few_defaults';

/** How much the decision rests on: customers with a default among the decision rows. */
export interface Evidence {
  readonly defaultingCustomers: number;
  /** Below this, no model is publishable (a percentile bootstrap over a handful of clusters is not to be trusted). */
  readonly needed: number;
}

export interface Selection {
  readonly served: string;
  readonly reason: SelectionReason;
  /** Models that beat the rule with the interval above zero. */
  readonly publishable: readonly string[];
  /** The best publishable model on validation (null when none). */
  readonly best: string | null;
  /** With 'simpler_within_noise': best − served on validation. */
  readonly bestVsServed: AucDifference | null;
  readonly evidence: Evidence;
}

export function isPublishable(c: CandidateScore): boolean {
  return c.vsRule !== null && Number.isFinite(c.vsRule.low) && c.vsRule.low > 0;
}

/**
 * Choose the serving candidate. `compare(a, b)` gives a's validation AUC minus b's with its bootstrap
 * interval (called only for publishable pairs).
 */
export function selectCandidate(
  candidates: readonly CandidateScore[],
  compare: (a: string, b: string) => AucDifference,
  evidence: Evidence = { defaultingCustomers: Number.POSITIVE_INFINITY, needed: 0 },
): Selection {
  const rule = candidates.find((c) => c.vsRule === null);
  if (!rule) throw new Error('internal: no rule among the candidates');
  const none = { served: rule.name, publishable: [], best: null, bestVsServed: null, evidence };
  if (evidence.defaultingCustomers < evidence.needed) return { ...none, reason: 'too_few_defaults' };
  const publishable = candidates.filter(isPublishable);
  if (publishable.length === 0) return { ...none, reason: 'no_model_beats_rule' };
  const best = [...publishable].sort(
    (a, b) => b.validationAuc - a.validationAuc || a.complexity - b.complexity,
  )[0] as CandidateScore;
  const simpler = publishable
    .filter((c) => c.complexity < best.complexity)
    .sort((a, b) => a.complexity - b.complexity);
  for (const s of simpler) {
    const d = compare(best.name, s.name);
    if (!(d.low > 0)) {
      return {
        served: s.name,
        reason: 'simpler_within_noise',
        publishable: publishable.map((c) => c.name),
        best: best.name,
        bestVsServed: d,
        evidence,
      };
    }
  }
  return {
    served: best.name,
    reason: 'best',
    publishable: publishable.map((c) => c.name),
    best: best.name,
    bestVsServed: null,
    evidence,
  };
}
