/**
 * Training and evaluating the risk model on a warehouse connection:
 *
 * 1. monthly snapshots with a complete label window, split by time (split.ts);
 * 2. for each snapshot, the features of every customer with history who is not already in default,
 *    and the label (features.server.ts);
 * 3. preprocessing fitted on the training snapshots only (features.ts);
 * 4. the candidate model, an ensemble: an MLP and a logistic-regression member, each trained with
 *    class weights and early stopping on the validation snapshots, their probabilities averaged and
 *    the mean Platt-scaled on the validation snapshots (ensemble.ts); the logistic-regression
 *    baseline trained the same way on its own (another seed) and Platt-scaled;
 *    the rule baseline (max days past due over 12 months) given a PD by isotonic regression on the
 *    training snapshots;
 * 5. all three evaluated on the test snapshots; the model is publishable only if its test ROC AUC
 *    beats both baselines'.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { MemberMetadata, ModelMetadata, SplitSummary } from './artefacts.server.ts';
import { METADATA_FORMAT } from './artefacts.server.ts';
import { applyPlatt, applyStep, fitIsotonic, fitPlatt, type Platt, type StepFunction } from './calibrate.ts';
import { validateConfig, type RiskConfig } from './config.ts';
import { meanScores } from './ensemble.ts';
import {
  columnNames,
  derive,
  featureSpec,
  fitPreprocessor,
  NUMERIC_FEATURES,
  transform,
  type DerivedFeatures,
  type Preprocessor,
} from './features.ts';
import { readDefaulters, readFeatures, warehouseFacts, type WarehouseFacts } from './features.server.ts';
import { aucDifferenceBootstrap, evaluate, rocAuc, type AucDifference, type Evaluation } from './metrics.ts';
import {
  batchSizeFor,
  buildNetwork,
  classWeights,
  predict,
  serializeNetwork,
  trainNetwork,
  type NetworkArtefacts,
  type TrainResult,
} from './network.ts';
import { NotEnoughDataError, planSnapshots, type SnapshotPlan } from './split.ts';
import type { EvaluatedModel } from './tables.server.ts';
import { useBackend, type BackendChoice, type tf } from './tf.ts';

/** The candidate model (the ensemble; the name predates it and is kept in ml.model_evaluations). */
export const MODEL_NAME = 'risk_mlp';
/** The ensemble's members: their names in the metadata and their folders under the version folder. */
export const MEMBER_NAMES = ['mlp', 'logistic'] as const;
export const LOGISTIC_NAME = 'logistic_regression';
export const RULE_NAME = 'rule_max_dpd_12m';
const RULE_FEATURE = 'max_dpd_12m';

export interface LabelledRow {
  readonly customerId: string;
  readonly snapshotDate: string;
  readonly derived: DerivedFeatures;
  readonly label: 0 | 1;
}

/**
 * The model's population at each date (customers with an invoice on or before it and not already in
 * default) with their features and labels.
 */
export async function readLabelledRows(
  conn: DuckDBConnection,
  dates: readonly string[],
  config: RiskConfig,
): Promise<LabelledRow[]> {
  const out: LabelledRow[] = [];
  for (const date of dates) {
    const customers = await readFeatures(conn, date, config);
    const defaulters = await readDefaulters(conn, date, config);
    for (const c of customers) {
      if (!c.hasHistory || c.inDefault) continue;
      out.push({
        customerId: c.customerId,
        snapshotDate: date,
        derived: derive(c.raw),
        label: defaulters.has(c.customerId) ? 1 : 0,
      });
    }
  }
  return out;
}

function summary(rows: readonly LabelledRow[], dates: readonly string[]): SplitSummary {
  return {
    from: dates[0] ?? '',
    to: dates.at(-1) ?? '',
    snapshots: dates.length,
    rows: rows.length,
    positives: rows.reduce((a, r) => a + r.label, 0),
  };
}

/** Deterministic version id: data (as-of date, load watermark), settings, features, backend. */
export function modelVersion(facts: WarehouseFacts, config: RiskConfig, backend: string): string {
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        format: METADATA_FORMAT,
        asOf: facts.asOfDate,
        watermark: facts.loadWatermark,
        config,
        features: featureSpec(),
        backend,
      }),
    )
    .digest('hex');
  return `pd-${facts.asOfDate}-${hash.slice(0, 10)}`;
}

/** A trained network and its raw (uncalibrated) probabilities on the validation and test rows. */
interface NetworkFit {
  readonly model: tf.LayersModel;
  readonly train: TrainResult;
  readonly seed: number;
  readonly hidden: readonly number[];
  readonly rawValidation: Float32Array | Float64Array;
  readonly rawTest: Float32Array | Float64Array;
}

/** Platt scaling fitted on the validation rows, applied to both periods. */
interface Calibrated {
  readonly platt: Platt;
  readonly validation: Float64Array;
  readonly test: Float64Array;
}

export interface FitResult {
  readonly version: string;
  readonly published: boolean;
  readonly reason: string;
  readonly metadata: ModelMetadata;
  /** The ensemble members' artefacts, by member name. */
  readonly networks: Record<string, NetworkArtefacts>;
  /** The ensemble's trained networks, in the order of metadata.ensemble.members (the caller disposes them). */
  readonly members: tf.LayersModel[];
  readonly evaluation: EvaluationReport;
  readonly evaluated: EvaluatedModel[];
}

export interface EvaluationReport {
  readonly version: string;
  readonly status: 'published' | 'rejected';
  readonly reason: string;
  readonly label: string;
  readonly periods: ModelMetadata['split'];
  readonly test: Record<string, Evaluation>;
  readonly validation: Record<string, Evaluation>;
  /**
   * The model's test ROC AUC minus each baseline's, with a 95 % interval from a paired bootstrap
   * over customers: how sure the comparison is (the publication rule uses the point difference).
   */
  readonly comparisons: Record<string, AucDifference>;
  readonly baselines: {
    readonly logistic: { readonly intercept: number; readonly coefficients: Record<string, number> };
    readonly rule: { readonly feature: string; readonly steps: StepFunction };
  };
}

export interface FitOptions {
  readonly config: RiskConfig;
  readonly backend?: BackendChoice;
  readonly log?: (msg: string) => void;
}

function labels(rows: readonly LabelledRow[]): Float32Array {
  return Float32Array.from(rows, (r) => r.label);
}

function calibrate(
  rawValidation: ArrayLike<number>,
  rawTest: ArrayLike<number>,
  yVal: Float32Array,
): Calibrated {
  const platt = fitPlatt(rawValidation, yVal);
  const apply = (p: ArrayLike<number>) =>
    Float64Array.from({ length: p.length }, (_, i) => applyPlatt(platt, p[i] as number));
  return { platt, validation: apply(rawValidation), test: apply(rawTest) };
}

/** Train and evaluate on the data behind `conn`. Nothing is written anywhere. */
export async function fitRiskModel(conn: DuckDBConnection, o: FitOptions): Promise<FitResult> {
  const config = o.config;
  validateConfig(config);
  const log = o.log ?? (() => {});
  const facts = await warehouseFacts(conn);
  const plan: SnapshotPlan = planSnapshots({
    ...config,
    firstInvoiceDate: facts.firstInvoiceDate,
    asOfDate: facts.asOfDate,
  });
  const started = performance.now();
  const rows = await readLabelledRows(conn, [...plan.train, ...plan.validation, ...plan.test], config);
  const inSplit = (dates: readonly string[]) => {
    const set = new Set(dates);
    return rows.filter((r) => set.has(r.snapshotDate));
  };
  const train = inSplit(plan.train);
  const validation = inSplit(plan.validation);
  const test = inSplit(plan.test);
  const split = {
    train: summary(train, plan.train),
    validation: summary(validation, plan.validation),
    gap: plan.gap,
    test: summary(test, plan.test),
  };
  log(
    `features for ${plan.train.length + plan.validation.length + plan.test.length} monthly snapshots ` +
      `(${rows.length} customer-snapshots) in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `defaults: train ${split.train.positives}/${split.train.rows}, validation ${split.validation.positives}/` +
      `${split.validation.rows}, test ${split.test.positives}/${split.test.rows}`,
  );
  for (const [name, s] of Object.entries({
    train: split.train,
    validation: split.validation,
    test: split.test,
  })) {
    const needed = name === 'train' ? 5 : 1;
    if (s.positives < needed || s.rows - s.positives < needed) {
      throw new NotEnoughDataError(
        `Not enough defaults to ${name === 'test' ? 'evaluate' : 'train'} the risk model: the ${name} period ` +
          `(${s.from} .. ${s.to}) has ${s.positives} default(s) among ${s.rows} customer-snapshots; at least ` +
          `${needed} of each class are needed. Load more history or change the split (docs/ml.md).`,
      );
    }
  }

  const prep: Preprocessor = fitPreprocessor(train.map((r) => r.derived));
  const xTrain = transform(
    train.map((r) => r.derived),
    prep,
  );
  const xVal = transform(
    validation.map((r) => r.derived),
    prep,
  );
  const xTest = transform(
    test.map((r) => r.derived),
    prep,
  );
  const yTrain = labels(train);
  const yVal = labels(validation);
  const yTest = labels(test);
  const backend = await useBackend(o.backend ?? 'auto');
  const cw = classWeights(yTrain, config.classWeighting);

  const fitNetwork = async (hidden: readonly number[], seed: number, name: string): Promise<NetworkFit> => {
    const model = buildNetwork({ inputs: xTrain.cols, hidden, seed, linearSkip: config.linearSkip });
    const result = await trainNetwork(
      model,
      { x: xTrain, y: yTrain },
      { x: xVal, y: yVal },
      {
        learningRate: config.learningRate,
        l2: config.l2,
        batchSize: batchSizeFor(xTrain.rows, config.batchSize),
        maxEpochs: config.maxEpochs,
        patience: config.patience,
        classWeight: cw,
        seed,
        monitor: config.monitor,
      },
    );
    log(
      `${name}: ${result.epochs} epochs (best ${result.bestEpoch}) on ${backend} in ${result.seconds.toFixed(1)} s`,
    );
    return {
      model,
      train: result,
      seed,
      hidden,
      rawValidation: predict(model, xVal),
      rawTest: predict(model, xTest),
    };
  };

  // The candidate: the MLP (seed) and a logistic-regression member (seed + 2), averaged, calibrated.
  const mlp = await fitNetwork(config.hiddenUnits, config.seed, `${MODEL_NAME} member mlp`);
  const lrMember = await fitNetwork([], config.seed + 2, `${MODEL_NAME} member logistic`);
  const fits = [mlp, lrMember];
  const ensemble = calibrate(
    meanScores(fits.map((f) => f.rawValidation)),
    meanScores(fits.map((f) => f.rawTest)),
    yVal,
  );
  const memberAuc = (f: NetworkFit) => rocAuc({ scores: f.rawValidation, labels: yVal });
  const members: MemberMetadata[] = fits.map((f, i) => ({
    name: MEMBER_NAMES[i] as string,
    dir: `members/${MEMBER_NAMES[i] as string}`,
    hidden: f.hidden,
    seed: f.seed,
    epochs: f.train.epochs,
    bestEpoch: f.train.bestEpoch,
    validationAuc: memberAuc(f),
    trainSeconds: f.train.seconds,
  }));
  log(
    `validation ROC AUC: ${members.map((m) => `member ${m.name} ${(m.validationAuc ?? Number.NaN).toFixed(4)}`).join(', ')}, ` +
      `ensemble ${rocAuc({ scores: ensemble.validation, labels: yVal }).toFixed(4)}`,
  );
  // The baseline: logistic regression on its own (seed + 1), calibrated on its own.
  const logisticFit = await fitNetwork([], config.seed + 1, LOGISTIC_NAME);
  const logistic = calibrate(logisticFit.rawValidation, logisticFit.rawTest, yVal);
  const kernel = logisticFit.model.getWeights()[0]?.dataSync() ?? new Float32Array();
  const bias = logisticFit.model.getWeights()[1]?.dataSync()[0] ?? 0;
  const columns = columnNames(prep);
  const logisticCoefficients = Object.fromEntries(columns.map((c, j) => [c, Number(kernel[j] ?? 0)]));
  logisticFit.model.dispose();

  const ruleIndex = NUMERIC_FEATURES.findIndex((f) => f.name === RULE_FEATURE);
  const ruleScore = (rs: readonly LabelledRow[]) =>
    Float64Array.from(rs, (r) => r.derived.numeric[ruleIndex] ?? 0);
  const steps = fitIsotonic(ruleScore(train), yTrain);
  const ruleVal = ruleScore(validation);
  const ruleTest = ruleScore(test);

  const testEval: Record<string, Evaluation> = {
    [MODEL_NAME]: evaluate(yTest, ensemble.test),
    [LOGISTIC_NAME]: evaluate(yTest, logistic.test),
    [RULE_NAME]: evaluate(
      yTest,
      ruleTest,
      ruleTest.map((x) => applyStep(steps, x)),
    ),
  };
  const valEval: Record<string, Evaluation> = {
    [MODEL_NAME]: evaluate(yVal, ensemble.validation),
    [LOGISTIC_NAME]: evaluate(yVal, logistic.validation),
    [RULE_NAME]: evaluate(
      yVal,
      ruleVal,
      ruleVal.map((x) => applyStep(steps, x)),
    ),
  };
  const customers = test.map((r) => r.customerId);
  const comparisons: Record<string, AucDifference> = {
    [LOGISTIC_NAME]: aucDifferenceBootstrap(yTest, ensemble.test, logistic.test, customers, {
      seed: config.seed,
    }),
    [RULE_NAME]: aucDifferenceBootstrap(yTest, ensemble.test, ruleTest, customers, { seed: config.seed }),
  };
  const auc = (name: string) => testEval[name]?.rocAuc ?? Number.NaN;
  const beats = auc(MODEL_NAME) > auc(LOGISTIC_NAME) && auc(MODEL_NAME) > auc(RULE_NAME);
  const fmt = (x: number) => x.toFixed(4);
  const reason = beats
    ? `test ROC AUC ${fmt(auc(MODEL_NAME))} beats logistic regression (${fmt(auc(LOGISTIC_NAME))}) and the rule (${fmt(auc(RULE_NAME))})`
    : `test ROC AUC ${fmt(auc(MODEL_NAME))} does not beat ${[
        auc(MODEL_NAME) > auc(LOGISTIC_NAME) ? '' : `logistic regression (${fmt(auc(LOGISTIC_NAME))})`,
        auc(MODEL_NAME) > auc(RULE_NAME) ? '' : `the rule (${fmt(auc(RULE_NAME))})`,
      ]
        .filter((s) => s !== '')
        .join(' and ')}`;

  const version = modelVersion(facts, config, backend);
  const status = beats ? 'published' : 'rejected';
  const headline = (e: Evaluation) => ({
    roc_auc: e.rocAuc,
    pr_auc: e.prAuc,
    brier: e.brier,
    ks: e.ks,
    lift_top_decile: e.liftTopDecile,
  });
  const metadata: ModelMetadata = {
    format: METADATA_FORMAT,
    version,
    status,
    statusReason: reason,
    trainedAt: new Date().toISOString(),
    backend,
    seed: config.seed,
    config,
    data: facts,
    split,
    features: { spec: featureSpec(), columns, preprocessor: prep },
    ensemble: { combine: 'mean', members },
    network: {
      hidden: config.hiddenUnits,
      l2: config.l2,
      epochs: mlp.train.epochs,
      bestEpoch: mlp.train.bestEpoch,
      classWeight: cw,
      trainSeconds: mlp.train.seconds,
      history: mlp.train.history,
    },
    calibration: ensemble.platt,
    metrics: Object.fromEntries(Object.entries(testEval).map(([k, e]) => [k, headline(e)])),
  };
  const evaluation: EvaluationReport = {
    version,
    status,
    reason,
    label:
      `default within ${config.horizonDays} days after the snapshot: an invoice more than ` +
      `${config.defaultDaysPastDue} days past due, or a write-off`,
    periods: split,
    test: testEval,
    validation: valEval,
    comparisons,
    baselines: {
      logistic: { intercept: bias, coefficients: logisticCoefficients },
      rule: { feature: RULE_FEATURE, steps },
    },
  };
  const evaluated: EvaluatedModel[] = [];
  for (const [splitName, evals, s] of [
    ['test', testEval, split.test],
    ['validation', valEval, split.validation],
  ] as const) {
    for (const [name, e] of Object.entries(evals)) {
      evaluated.push({
        name,
        isCandidate: name === MODEL_NAME,
        split: splitName,
        periodFrom: s.from,
        periodTo: s.to,
        evaluation: e,
      });
    }
  }
  return {
    version,
    published: beats,
    reason,
    metadata,
    networks: Object.fromEntries(
      await Promise.all(
        fits.map(async (f, i) => [MEMBER_NAMES[i] as string, await serializeNetwork(f.model)]),
      ),
    ) as Record<string, NetworkArtefacts>,
    members: fits.map((f) => f.model),
    evaluation,
    evaluated,
  };
}
