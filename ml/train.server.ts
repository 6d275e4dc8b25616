/**
 * Training and evaluating the risk model on a warehouse connection:
 *
 * 1. monthly snapshots with a complete label window, split by time (split.ts);
 * 2. for each snapshot, the features of every customer with history who is not already in default,
 *    and the label (features.server.ts);
 * 3. preprocessing fitted on the training snapshots only (features.ts);
 * 4. the candidate family (family.ts): the days-past-due rule, a logistic regression fitted to
 *    convergence, and a network tuned on the validation period and averaged over seeds; each
 *    calibrated (Platt or isotonic, chosen on validation) and evaluated on the test snapshots;
 * 5. the publication rule (select.ts), on validation: the best candidate that beats the rule with
 *    its bootstrap interval above zero serves, a simpler one when within noise of it, the rule when
 *    none does; the served candidate's calibration is refitted on the most recent labelled months.
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CandidateSummary, MemberMetadata, ModelMetadata, SplitSummary } from './artefacts.server.ts';
import { METADATA_FORMAT } from './artefacts.server.ts';
import { validateConfig, type RiskConfig } from './config.ts';
import {
  fitFamily,
  LOGISTIC_NAME,
  NETWORK_NAME,
  type CandidateResult,
  type FamilyResult,
  type FamilySettings,
  type Period,
} from './family.ts';
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
import type { AucDifference, Evaluation } from './metrics.ts';
import type { ScoringModel } from './model.ts';
import { serializeNetwork, type NetworkArtefacts } from './network.ts';
import type { Selection } from './select.ts';
import { NotEnoughDataError, planSnapshots, type SnapshotPlan } from './split.ts';
import type { EvaluatedModel } from './tables.server.ts';
import { useBackend, type BackendChoice } from './tf.ts';

/** The network candidate (the name predates the family and is kept in ml.model_evaluations). */
export const MODEL_NAME = NETWORK_NAME;
export { LOGISTIC_NAME };
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

/** The family's settings from the risk model's. */
export function familySettings(c: RiskConfig): FamilySettings {
  return {
    seed: c.seed,
    networkSeeds: c.networkSeeds,
    network: { hidden: c.hiddenUnits, l2: c.l2, learningRate: c.learningRate },
    search: c.search,
    linearSkip: c.linearSkip,
    batchSize: c.batchSize,
    maxEpochs: c.maxEpochs,
    patience: c.patience,
    monitor: c.monitor,
    classWeighting: c.classWeighting,
    maxRowsPerEpoch: c.maxRowsPerEpoch,
    searchRowVisits: c.searchRowVisits,
    logisticL2: c.logisticL2,
    bootstrapRounds: c.bootstrapRounds,
    minDefaultingCustomers: c.minDefaultingCustomers,
  };
}

export interface FitResult {
  readonly version: string;
  readonly published: boolean;
  readonly reason: string;
  readonly metadata: ModelMetadata;
  /** The serving networks' artefacts by member name (empty unless a network serves). */
  readonly networks: Record<string, NetworkArtefacts>;
  /** The serving model, ready to score (the caller disposes its networks). */
  readonly scoring: ScoringModel;
  readonly evaluation: EvaluationReport;
  readonly evaluated: EvaluatedModel[];
}

export interface EvaluationReport {
  readonly version: string;
  readonly status: 'published' | 'rejected';
  readonly reason: string;
  readonly label: string;
  readonly periods: ModelMetadata['split'];
  /** The candidate that serves and why (decided on validation). */
  readonly selection: Selection;
  readonly served: string;
  readonly test: Record<string, Evaluation>;
  readonly validation: Record<string, Evaluation>;
  /**
   * Each model's ROC AUC minus the rule's on test, with a 95 % interval from a paired bootstrap over
   * customers (validationComparisons: the same on validation, which the publication rule uses).
   */
  readonly comparisons: Record<string, AucDifference>;
  readonly validationComparisons: Record<string, AucDifference>;
  readonly candidates: Record<string, CandidateSummary>;
  /** The network search on the validation period: every setting tried. */
  readonly search: FamilyResult['search'];
  readonly baselines: {
    readonly logistic: {
      readonly intercept: number;
      readonly coefficients: Record<string, number>;
      readonly l2: number;
      readonly iterations: number;
      readonly gradientNorm: number;
      readonly converged: boolean;
    };
    readonly rule: { readonly feature: string };
  };
}

export interface FitOptions {
  readonly config: RiskConfig;
  readonly backend?: BackendChoice;
  readonly log?: (msg: string) => void;
}

const signed = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(4)}` : 'n/a');
export const intervalText = (d: AucDifference) =>
  `${signed(d.difference)} (95 % interval ${signed(d.low)} .. ${signed(d.high)})`;

/** Why the served candidate serves, in a sentence (the Risk page words the same facts itself). */
export function selectionReason(f: Pick<FamilyResult, 'selection' | 'candidates'>): string {
  const { selection } = f;
  const c = (name: string) => f.candidates.find((x) => x.name === name);
  const vs = (name: string) => {
    const d = c(name)?.vsRule?.validation;
    return d ? `${name} − rule ${intervalText(d)}` : name;
  };
  const models = f.candidates.filter((x) => x.vsRule !== null).map((x) => vs(x.name));
  switch (selection.reason) {
    case 'too_few_defaults':
      return (
        `only ${selection.evidence.defaultingCustomers} customers defaulted in the validation period's decision half; ` +
        `at least ${selection.evidence.needed} are needed to tell a model from the rule ${selection.served} ` +
        `beyond chance, so the rule serves (${models.join('; ')})`
      );
    case 'no_model_beats_rule':
      return (
        `no model beat the rule ${selection.served} beyond noise on validation ROC AUC (${models.join('; ')}), ` +
        `so the rule serves`
      );
    case 'simpler_within_noise':
      return (
        `${selection.served} beats the rule on validation (${vs(selection.served)}); ${selection.best} was ahead by ` +
        `${selection.bestVsServed ? intervalText(selection.bestVsServed) : 'n/a'}, within noise, so the simpler model serves`
      );
    case 'best':
      return `${selection.served} beats the rule on validation (${vs(selection.served)}) and is the best that does`;
  }
}

function headline(e: Evaluation): Record<string, number | null> {
  const v = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    roc_auc: v(e.rocAuc),
    pr_auc: v(e.prAuc),
    brier: v(e.brier),
    ks: v(e.ks),
    lift_top_decile: v(e.liftTopDecile),
    ece: v(e.ece),
  };
}

export function candidateSummaries(candidates: readonly CandidateResult[]): Record<string, CandidateSummary> {
  return Object.fromEntries(
    candidates.map((c) => [
      c.name,
      {
        kind: c.kind,
        calibration: c.calibrationChoice.method,
        validation: headline(c.validation),
        test: headline(c.test),
        vsRule: c.vsRule,
        details: c.details,
      },
    ]),
  );
}

/** The serving networks' metadata and artefacts (one per seed). */
export async function servedNetworks(
  family: FamilyResult,
): Promise<{ members: MemberMetadata[]; artefacts: Record<string, NetworkArtefacts> }> {
  if (family.served.model.kind !== 'network') return { members: [], artefacts: {} };
  const network = family.candidates.find((c) => c.kind === 'network');
  const hidden = (network?.details['hidden'] as number[] | undefined) ?? [];
  const seeds = (network?.details['seeds'] as number[] | undefined) ?? [];
  const members: MemberMetadata[] = [];
  const artefacts: Record<string, NetworkArtefacts> = {};
  for (const [k, model] of family.networkMembers.entries()) {
    const training = family.networkTraining[k];
    const seed = seeds[k] ?? k;
    const name = `seed-${seed}`;
    members.push({
      name,
      dir: `members/${name}`,
      hidden,
      seed,
      epochs: training?.epochs ?? 0,
      bestEpoch: training?.bestEpoch ?? 0,
      validationAuc: null,
      trainSeconds: training?.seconds ?? 0,
    });
    artefacts[name] = await serializeNetwork(model);
  }
  return { members, artefacts };
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
  for (const period of ['train', 'validation', 'test'] as const) {
    const s = split[period];
    const needed = period === 'train' ? 5 : 1;
    if (s.positives < needed || s.rows - s.positives < needed) {
      throw new NotEnoughDataError(
        `Not enough defaults to ${period === 'train' ? 'train' : period === 'validation' ? 'choose' : 'calibrate'} ` +
          `the risk model: the ${period} period (${s.from} .. ${s.to}) has ${s.positives} default(s) among ${s.rows} ` +
          `customer-snapshots; at least ${needed} of each class are needed. Load more history or change the split ` +
          '(docs/ml.md).',
        { kind: 'defaults', period, from: s.from, to: s.to, defaults: s.positives, rows: s.rows, needed },
      );
    }
  }

  const prep: Preprocessor = fitPreprocessor(train.map((r) => r.derived));
  const period = (rs: readonly LabelledRow[]): Period => ({
    x: transform(
      rs.map((r) => r.derived),
      prep,
    ),
    y: Float32Array.from(rs, (r) => r.label),
    clusters: rs.map((r) => r.customerId),
  });
  const testPeriod = period(test);
  const backend = await useBackend(o.backend ?? 'auto');
  const columns = columnNames(prep);
  const family = await fitFamily(
    {
      columns,
      train: period(train),
      validation: period(validation),
      test: testPeriod,
      recent: testPeriod,
      rule: { name: RULE_NAME, column: NUMERIC_FEATURES.findIndex((f) => f.name === RULE_FEATURE) },
    },
    familySettings(config),
    log,
  );
  const reason = selectionReason(family);
  const version = modelVersion(facts, config, backend);
  const { members, artefacts } = await servedNetworks(family);
  if (family.served.model.kind !== 'network') for (const m of family.networkMembers) m.dispose();
  const candidates = candidateSummaries(family.candidates);
  const served = family.served;
  const metadata: ModelMetadata = {
    format: METADATA_FORMAT,
    version,
    status: 'published',
    statusReason: reason,
    trainedAt: new Date().toISOString(),
    backend,
    seed: config.seed,
    config,
    data: facts,
    split,
    features: { spec: featureSpec(), columns, preprocessor: prep },
    served: {
      name: served.name,
      kind: served.model.kind,
      calibration: served.calibration,
      calibratedOn: split.test,
      members,
      logistic:
        served.model.kind === 'logistic'
          ? { intercept: served.model.intercept, coefficients: served.model.coefficients }
          : null,
      rule: served.model.kind === 'rule' ? { column: served.model.column, sign: served.model.sign } : null,
    },
    selection: family.selection,
    candidates,
  };
  const byName = <T>(f: (c: CandidateResult) => T) =>
    Object.fromEntries(family.candidates.map((c) => [c.name, f(c)])) as Record<string, T>;
  const models = family.candidates.filter((c) => c.vsRule !== null);
  const evaluation: EvaluationReport = {
    version,
    status: 'published',
    reason,
    label:
      `default within ${config.horizonDays} days after the snapshot: an invoice more than ` +
      `${config.defaultDaysPastDue} days past due, or a write-off`,
    periods: split,
    selection: family.selection,
    served: served.name,
    test: byName((c) => c.test),
    validation: byName((c) => c.validation),
    comparisons: Object.fromEntries(models.map((c) => [c.name, c.vsRule?.test as AucDifference])),
    validationComparisons: Object.fromEntries(
      models.map((c) => [c.name, c.vsRule?.validation as AucDifference]),
    ),
    candidates,
    search: family.search,
    baselines: {
      logistic: {
        intercept: family.logistic.intercept,
        coefficients: Object.fromEntries(columns.map((c, j) => [c, family.logistic.coefficients[j] ?? 0])),
        l2: family.logistic.l2,
        iterations: family.logistic.iterations,
        gradientNorm: family.logistic.gradientNorm,
        converged: family.logistic.converged,
      },
      rule: { feature: RULE_FEATURE },
    },
  };
  const evaluated: EvaluatedModel[] = [];
  for (const [splitName, s] of [
    ['test', split.test],
    ['validation', split.validation],
  ] as const) {
    for (const c of family.candidates) {
      evaluated.push({
        name: c.name,
        isCandidate: true,
        isServed: c.name === served.name,
        split: splitName,
        periodFrom: s.from,
        periodTo: s.to,
        evaluation: splitName === 'test' ? c.test : c.validation,
        vsRule: c.vsRule ? c.vsRule[splitName] : null,
      });
    }
  }
  log(`serving ${served.name}: ${reason}`);
  return {
    version,
    published: true,
    reason,
    metadata,
    networks: artefacts,
    scoring: served.model,
    evaluation,
    evaluated,
  };
}
