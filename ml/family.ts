/**
 * The candidate family on a standardised matrix, split by time into train, validation and test:
 * what `arlens train` does on the warehouse's snapshots and `arlens train --matrix` on any feature
 * table.
 *
 * 1. **rule**: one column as the score (max days past due over 12 months on the warehouse; on a
 *    plain matrix the column with the best training ROC AUC, sign included);
 * 2. **logistic regression**, fitted to convergence (logistic.ts) for each L2 penalty of a small
 *    path; the best on the validation period's tuning half is kept;
 * 3. **network** (network.ts): a small search on the tuning half of the validation period, one
 *    setting at a time (L2, then the hidden width, then the learning rate; each keeps the best so
 *    far), early stopping on that half; the chosen setting is then trained with more seeds and the
 *    seeds' probabilities averaged.
 *
 * Each candidate's calibration (Platt or isotonic) is chosen by cross-validation over customers on
 * the validation period and fitted there; the candidates are evaluated on the test period with it.
 * The serving candidate is chosen on the validation period's decision half, which no tuning has
 * seen (select.ts); its calibration is then refitted on the most recent labelled rows, so its PDs
 * track the current default rate.
 */
import {
  applyCalibrator,
  chooseCalibration,
  fitCalibrator,
  type CalibrationChoice,
  type Calibrator,
} from './calibrate.ts';
import type { Matrix } from './features.ts';
import { fitLogistic, logisticMargin, type LogisticFit } from './logistic.ts';
import { aucDifferenceBootstrap, evaluate, rocAuc, type AucDifference, type Evaluation } from './metrics.ts';
import { logits, margin, meanScores, ruleMargin, type CandidateKind, type ScoringModel } from './model.ts';
import {
  batchSizeFor,
  buildNetwork,
  classWeights,
  predict,
  trainNetwork,
  type Labelled,
  type TrainResult,
} from './network.ts';
import { selectCandidate, type Selection } from './select.ts';
import type { tf } from './tf.ts';
import { SeededRandom } from '../core/random.ts';

export interface Period extends Labelled {
  /** One cluster id per row (the customer): bootstrap and cross-validation resample whole clusters. */
  readonly clusters: readonly string[];
}

export interface NetworkSetting {
  readonly hidden: readonly number[];
  readonly l2: number;
  readonly learningRate: number;
}

export interface FamilySettings {
  readonly seed: number;
  /** Seeds the chosen network setting is trained with (their probabilities are averaged). */
  readonly networkSeeds: number;
  /** The network search starts here. */
  readonly network: NetworkSetting;
  /** Values tried for each setting, one setting at a time, in this order. */
  readonly search: {
    readonly l2: readonly number[];
    readonly hidden: readonly (readonly number[])[];
    readonly learningRate: readonly number[];
  };
  readonly linearSkip: boolean;
  readonly batchSize: number;
  readonly maxEpochs: number;
  readonly patience: number;
  readonly monitor: 'auc' | 'loss';
  readonly classWeighting: 'balanced' | 'sqrt' | 'none';
  readonly maxRowsPerEpoch: number;
  /**
   * Training rows the search may visit in all (epochs × rows per epoch, summed over its trials): a
   * deterministic budget. The starting setting and the extra seeds always train; a search trial
   * starts only while the budget lasts, so large data tries fewer settings.
   */
  readonly searchRowVisits: number;
  /** L2 penalties of the logistic-regression path (strongest first). */
  readonly logisticL2: readonly number[];
  readonly bootstrapRounds: number;
  /** Customers with a default in the decision half below which no model is publishable. */
  readonly minDefaultingCustomers: number;
}

export interface FamilyData {
  readonly columns: readonly string[];
  readonly train: Period;
  readonly validation: Period;
  readonly test: Period;
  /** The most recent labelled rows: the served model's calibration is refitted on them. */
  readonly recent: Labelled;
  /** The rule's column (higher = riskier unless sign −1), or 'auto' for the column with the best training ROC AUC. */
  readonly rule: { readonly name: string; readonly column: number | 'auto'; readonly sign?: 1 | -1 };
}

export const NETWORK_NAME = 'risk_mlp';
export const LOGISTIC_NAME = 'logistic_regression';

export interface SearchTrial {
  readonly setting: NetworkSetting;
  readonly seed: number;
  /** null: not trained, the search budget was spent. */
  readonly tuningAuc: number | null;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly seconds: number;
}

export interface CandidateResult {
  readonly name: string;
  readonly kind: CandidateKind;
  /** 0 rule, 1 logistic regression, 2 network. */
  readonly complexity: number;
  /** What was fitted: for the network its setting and seeds, for the logistic regression its L2 and convergence, for the rule its column. */
  readonly details: Record<string, unknown>;
  readonly calibrationChoice: CalibrationChoice;
  /** Fitted on the validation period (used for the test evaluation). */
  readonly calibration: Calibrator;
  readonly validation: Evaluation;
  readonly test: Evaluation;
  /** This candidate's ROC AUC minus the rule's, with a 95 % bootstrap interval (null for the rule). */
  readonly vsRule: { readonly validation: AucDifference; readonly test: AucDifference } | null;
  readonly trainSeconds: number;
}

export interface FamilyResult {
  readonly candidates: readonly CandidateResult[];
  readonly selection: Selection;
  readonly search: readonly SearchTrial[];
  /** The serving candidate, its calibration refitted on the most recent labelled rows. */
  readonly served: {
    readonly name: string;
    readonly model: ScoringModel;
    readonly calibration: Calibrator;
  };
  /** The network candidate's members (all seeds), whether or not it serves; the caller disposes them. */
  readonly networkMembers: readonly tf.LayersModel[];
  readonly networkTraining: readonly TrainResult[];
  readonly classWeight: { readonly 0: number; readonly 1: number };
  /** The logistic regression's fit (coefficients in column order). */
  readonly logistic: LogisticFit;
  readonly rule: { readonly name: string; readonly column: number; readonly sign: 1 | -1 };
}

/**
 * Resamples for a bootstrap over `rows` rows: the configured number, but above 100,000 rows fewer
 * (never below 200), so that each comparison costs about the same as on 100,000 rows with 500.
 */
export function bootstrapRounds(configured: number, rows: number): number {
  if (rows <= 100_000) return configured;
  return Math.min(configured, Math.max(200, Math.floor((configured * 100_000) / rows)));
}

/**
 * The validation period's customers in two halves, drawn once per customer (seeded): the **tuning**
 * half chooses the logistic penalty and the network's setting and stops its training; the
 * **decision** half is left untouched by all of that and decides which candidate serves (select.ts)
 * and reports the validation figures. Choosing on the data the network was tuned on would flatter it.
 */
export function validationHalves(
  clusters: readonly string[],
  seed: number,
): { tuning: Int32Array; decision: Int32Array } {
  const rng = new SeededRandom(seed, 83);
  const half = new Map<string, boolean>();
  const tuning: number[] = [];
  const decision: number[] = [];
  clusters.forEach((c, i) => {
    let t = half.get(c);
    if (t === undefined) {
      t = rng.next() < 0.5;
      half.set(c, t);
    }
    (t ? tuning : decision).push(i);
  });
  return { tuning: Int32Array.from(tuning), decision: Int32Array.from(decision) };
}

/** The rows `idx` of a period. */
export function subset(p: Period, idx: Int32Array): Period {
  const cols = p.x.cols;
  const data = new Float32Array(idx.length * cols);
  idx.forEach((row, k) => data.set(p.x.data.subarray(row * cols, (row + 1) * cols), k * cols));
  return {
    x: { data, rows: idx.length, cols },
    y: Float32Array.from(idx, (row) => p.y[row] as number),
    clusters: Array.from(idx, (row) => p.clusters[row] as string),
  };
}

const pick = (v: ArrayLike<number>, idx: Int32Array) => Float64Array.from(idx, (i) => v[i] as number);

const key = (s: NetworkSetting) => JSON.stringify([s.hidden, s.l2, s.learningRate]);
const labelsOf = (p: Labelled) => p.y;

/** The column whose values rank the training labels best (ROC AUC, either direction). */
export function bestRuleColumn(
  x: Matrix,
  y: ArrayLike<number>,
  candidates?: readonly number[],
): {
  column: number;
  sign: 1 | -1;
} {
  let best = { column: 0, sign: 1 as 1 | -1, auc: -1 };
  for (const j of candidates ?? Array.from({ length: x.cols }, (_, k) => k)) {
    const auc = rocAuc({ scores: ruleMargin(j, 1, x), labels: y });
    if (!Number.isFinite(auc)) continue;
    const strength = Math.max(auc, 1 - auc);
    if (strength > best.auc + 1e-12) best = { column: j, sign: auc >= 0.5 ? 1 : -1, auc: strength };
  }
  return { column: best.column, sign: best.sign };
}

export async function fitFamily(
  data: FamilyData,
  s: FamilySettings,
  log: (msg: string) => void = () => {},
): Promise<FamilyResult> {
  const { train, validation, test } = data;
  const yVal = labelsOf(validation);
  const yTest = labelsOf(test);
  const halves = validationHalves(validation.clusters, s.seed);
  const tuning = subset(validation, halves.tuning);
  const decision = subset(validation, halves.decision);
  log(
    `validation customers in halves: tuning ${tuning.x.rows} rows (${tuning.y.reduce((a, b) => a + b, 0)} defaults), ` +
      `decision ${decision.x.rows} rows (${decision.y.reduce((a, b) => a + b, 0)} defaults)`,
  );

  // ---- the rule
  const ruleStarted = performance.now();
  const ruleColumn =
    data.rule.column === 'auto'
      ? bestRuleColumn(train.x, train.y)
      : { column: data.rule.column, sign: data.rule.sign ?? 1 };
  const ruleModel: ScoringModel = { kind: 'rule', ...ruleColumn };
  const ruleSeconds = (performance.now() - ruleStarted) / 1000;

  // ---- logistic regression: a path of L2 penalties, each fitted to convergence
  const logisticStarted = performance.now();
  let bestLogistic: { fit: LogisticFit; auc: number } | undefined;
  let start: LogisticFit | undefined;
  for (const l2 of s.logisticL2) {
    const fit = fitLogistic(train.x, train.y, { l2, seed: s.seed, ...(start ? { start } : {}) });
    start = fit;
    const auc = rocAuc({ scores: logisticMargin(fit, tuning.x), labels: tuning.y });
    log(
      `logistic regression, L2 ${l2}: ${fit.iterations} Newton steps, gradient ${fit.gradientNorm.toExponential(1)}` +
        `${fit.converged ? '' : ' (NOT converged)'}, tuning ROC AUC ${auc.toFixed(4)}`,
    );
    // A weaker penalty has to do better by more than rounding to be preferred.
    if (!bestLogistic || auc > bestLogistic.auc + 1e-4) bestLogistic = { fit, auc };
  }
  if (!bestLogistic) throw new Error('internal: no logistic-regression penalty to try');
  const logisticFit = bestLogistic.fit;
  const logisticModel: ScoringModel = { kind: 'logistic', ...logisticFit };
  const logisticSeconds = (performance.now() - logisticStarted) / 1000;

  // ---- the network: search on validation, then more seeds of the chosen setting
  const cw = classWeights(train.y, s.classWeighting);
  const epochRows = Math.min(train.x.rows, s.maxRowsPerEpoch);
  const batchSize = batchSizeFor(epochRows, s.batchSize);
  const trainOne = async (setting: NetworkSetting, seed: number) => {
    const model = buildNetwork({
      inputs: train.x.cols,
      hidden: setting.hidden,
      seed,
      linearSkip: s.linearSkip,
    });
    const result = await trainNetwork(model, train, tuning, {
      learningRate: setting.learningRate,
      l2: setting.l2,
      batchSize,
      maxEpochs: s.maxEpochs,
      patience: s.patience,
      classWeight: cw,
      seed,
      monitor: s.monitor,
      maxRowsPerEpoch: s.maxRowsPerEpoch,
    });
    const pVal = predict(model, validation.x);
    const auc = rocAuc({ scores: pick(pVal, halves.tuning), labels: tuning.y });
    return { model, result, pVal, auc };
  };
  const networkStarted = performance.now();
  const search: SearchTrial[] = [];
  const tried = new Set<string>();
  let visits = 0;
  let best: { setting: NetworkSetting; fit: Awaited<ReturnType<typeof trainOne>> } | undefined;
  const consider = async (setting: NetworkSetting) => {
    if (tried.has(key(setting))) return;
    tried.add(key(setting));
    if (search.length > 0 && visits >= s.searchRowVisits) {
      search.push({ setting, seed: s.seed, tuningAuc: null, epochs: 0, bestEpoch: 0, seconds: 0 });
      log(
        `network ${JSON.stringify(setting.hidden)} L2 ${setting.l2} learning rate ${setting.learningRate}: not tried ` +
          `(the search's budget of ${s.searchRowVisits.toLocaleString('en-US')} training rows is spent)`,
      );
      return;
    }
    const fit = await trainOne(setting, s.seed);
    visits += fit.result.epochs * epochRows;
    search.push({
      setting,
      seed: s.seed,
      tuningAuc: fit.auc,
      epochs: fit.result.epochs,
      bestEpoch: fit.result.bestEpoch,
      seconds: fit.result.seconds,
    });
    log(
      `network ${JSON.stringify(setting.hidden)} L2 ${setting.l2} learning rate ${setting.learningRate}: ` +
        `${fit.result.epochs} epochs (best ${fit.result.bestEpoch}) in ${fit.result.seconds.toFixed(1)} s, ` +
        `tuning ROC AUC ${fit.auc.toFixed(4)}`,
    );
    if (!best || fit.auc > best.fit.auc + 1e-4) {
      best?.fit.model.dispose();
      best = { setting, fit };
    } else {
      fit.model.dispose();
    }
  };
  await consider(s.network);
  for (const l2 of s.search.l2) await consider({ ...(best as NonNullable<typeof best>).setting, l2 });
  for (const hidden of s.search.hidden)
    await consider({ ...(best as NonNullable<typeof best>).setting, hidden });
  for (const learningRate of s.search.learningRate)
    await consider({ ...(best as NonNullable<typeof best>).setting, learningRate });
  const chosen = best as NonNullable<typeof best>;
  const members = [chosen.fit.model];
  const training = [chosen.fit.result];
  const memberVal = [chosen.fit.pVal];
  for (let k = 1; k < s.networkSeeds; k++) {
    const fit = await trainOne(chosen.setting, s.seed + k);
    members.push(fit.model);
    training.push(fit.result);
    memberVal.push(fit.pVal);
    log(
      `network seed ${s.seed + k}: ${fit.result.epochs} epochs (best ${fit.result.bestEpoch}) in ` +
        `${fit.result.seconds.toFixed(1)} s, tuning ROC AUC ${fit.auc.toFixed(4)}`,
    );
  }
  const networkModel: ScoringModel = { kind: 'network', members };
  const networkSeconds = (performance.now() - networkStarted) / 1000;

  // ---- calibration on validation, evaluation on validation and test
  const evaluationStarted = performance.now();
  const scored = [
    { name: data.rule.name, kind: 'rule' as const, complexity: 0, model: ruleModel, seconds: ruleSeconds },
    {
      name: LOGISTIC_NAME,
      kind: 'logistic' as const,
      complexity: 1,
      model: logisticModel,
      seconds: logisticSeconds,
    },
    {
      name: NETWORK_NAME,
      kind: 'network' as const,
      complexity: 2,
      model: networkModel,
      seconds: networkSeconds,
    },
  ].map((c) => {
    const val = c.kind === 'network' ? logits(meanScores(memberVal)) : margin(c.model, validation.x);
    return { ...c, val, decision: pick(val, halves.decision), test: margin(c.model, test.x) };
  });
  const rule = scored[0] as (typeof scored)[number];
  const bootstrap = (labels: Float32Array, a: Float64Array, b: Float64Array, clusters: readonly string[]) =>
    aucDifferenceBootstrap(labels, a, b, clusters, {
      seed: s.seed,
      rounds: bootstrapRounds(s.bootstrapRounds, labels.length),
    });
  const candidates: CandidateResult[] = scored.map((c) => {
    const calibrationChoice = chooseCalibration(c.val, yVal, validation.clusters);
    const calibration = fitCalibrator(calibrationChoice.method, c.val, yVal);
    const pd = (m: Float64Array) => m.map((v) => applyCalibrator(calibration, v));
    return {
      name: c.name,
      kind: c.kind,
      complexity: c.complexity,
      details:
        c.kind === 'network'
          ? {
              hidden: chosen.setting.hidden,
              l2: chosen.setting.l2,
              learningRate: chosen.setting.learningRate,
              linearSkip: s.linearSkip,
              seeds: members.map((_, k) => s.seed + k),
              epochs: training.map((t) => t.epochs),
              bestEpochs: training.map((t) => t.bestEpoch),
              batchSize,
              maxRowsPerEpoch: s.maxRowsPerEpoch,
              classWeight: cw,
            }
          : c.kind === 'logistic'
            ? {
                l2: logisticFit.l2,
                iterations: logisticFit.iterations,
                gradientNorm: logisticFit.gradientNorm,
                converged: logisticFit.converged,
              }
            : { column: data.columns[ruleColumn.column], sign: ruleColumn.sign },
      calibrationChoice,
      calibration,
      validation: evaluate(decision.y, c.decision, pd(c.decision)),
      test: evaluate(yTest, c.test, pd(c.test)),
      vsRule:
        c.kind === 'rule'
          ? null
          : {
              validation: bootstrap(decision.y, c.decision, rule.decision, decision.clusters),
              test: bootstrap(yTest, c.test, rule.test, test.clusters),
            },
      trainSeconds: c.seconds,
    };
  });

  log(
    `calibration and evaluation of the candidates in ${((performance.now() - evaluationStarted) / 1000).toFixed(1)} s`,
  );
  // ---- the publication rule, on validation
  const byName = new Map(scored.map((c) => [c.name, c]));
  const selection = selectCandidate(
    candidates.map((c) => ({
      name: c.name,
      complexity: c.complexity,
      validationAuc: c.validation.rocAuc,
      vsRule: c.vsRule?.validation ?? null,
    })),
    (a, b) =>
      bootstrap(
        decision.y,
        (byName.get(a) as (typeof scored)[number]).decision,
        (byName.get(b) as (typeof scored)[number]).decision,
        decision.clusters,
      ),
    {
      defaultingCustomers: new Set(decision.clusters.filter((_, i) => (decision.y[i] as number) === 1)).size,
      needed: s.minDefaultingCustomers,
    },
  );
  const servedCandidate = candidates.find((c) => c.name === selection.served) as CandidateResult;
  const servedScored = byName.get(selection.served) as (typeof scored)[number];
  // Refit the chosen calibration method on the most recent labelled rows.
  const recentMargin = margin(servedScored.model, data.recent.x);
  const calibration = fitCalibrator(servedCandidate.calibrationChoice.method, recentMargin, data.recent.y);
  return {
    candidates,
    selection,
    search,
    served: { name: selection.served, model: servedScored.model, calibration },
    networkMembers: members,
    networkTraining: training,
    classWeight: cw,
    logistic: logisticFit,
    rule: { name: data.rule.name, ...ruleColumn },
  };
}
