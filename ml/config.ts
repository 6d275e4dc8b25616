/**
 * The risk model's settings: the label, the snapshots and split, the network and its training, and
 * the risk bands. Every setting is recorded in the model's metadata; docs/ml.md explains each.
 */

export interface RiskBand {
  readonly name: string;
  /** Lower bound of the band's probability of default (inclusive). */
  readonly minPd: number;
}

export interface RiskConfig {
  // ---- label
  /** Days after the snapshot in which a default counts. */
  readonly horizonDays: number;
  /** An invoice more than this many days past due is a default. */
  readonly defaultDaysPastDue: number;
  /** A customer with a write-off in this many days up to the snapshot is still "in default" (not scored by the model). */
  readonly cureDays: number;
  // ---- snapshots and split
  /** First snapshot: the first month-end at least this many days after the first invoice. */
  readonly minHistoryDays: number;
  /** The last labelled monthly snapshots used for the test period. */
  readonly testMonths: number;
  /** The labelled monthly snapshots before the test period used for validation (early stopping, calibration). */
  readonly validationMonths: number;
  /**
   * Monthly snapshots left out between validation and test. 'purge' (the default) leaves out exactly
   * those whose label window (snapshot + horizon) would reach past the first test snapshot, so that
   * no outcome in the test period is used for training, early stopping or calibration; a number
   * leaves out that many (0 keeps every snapshot; docs/ml.md discusses the trade-off).
   */
  readonly gapMonths: number | 'purge';
  // ---- network and training
  readonly seed: number;
  /** Where the network's search starts: hidden layer sizes, L2 penalty, learning rate. */
  readonly hiddenUnits: readonly number[];
  /** Add a linear term of the inputs to the network's score (network.ts, "wide and deep"). */
  readonly linearSkip: boolean;
  readonly l2: number;
  readonly learningRate: number;
  /** Values the search on the validation period tries, one setting at a time (family.ts). */
  readonly search: {
    readonly l2: readonly number[];
    readonly hidden: readonly (readonly number[])[];
    readonly learningRate: readonly number[];
  };
  /** The chosen network setting is trained with this many seeds (seed, seed + 1, …); their probabilities are averaged. */
  readonly networkSeeds: number;
  /** Rows one training epoch visits at most (every default and a fresh sample of the others above it). */
  readonly maxRowsPerEpoch: number;
  /** Training rows the network search may visit in all; the search tries fewer settings on large data. */
  readonly searchRowVisits: number;
  /** L2 penalties of the logistic regression, strongest first; the best on validation ROC AUC is kept. */
  readonly logisticL2: readonly number[];
  /** Resamples of customers for the bootstrap intervals. */
  readonly bootstrapRounds: number;
  /** Customers with a default in the validation period's decision half below which the rule serves. */
  readonly minDefaultingCustomers: number;
  /** Rows per training step; grown for large data (network.ts batchSizeFor). */
  readonly batchSize: number;
  readonly maxEpochs: number;
  /** Stop after this many epochs without a better validation figure; the best epoch's weights are kept. */
  readonly patience: number;
  /** The validation figure early stopping watches: ROC AUC (the publication criterion) or the weighted log loss. */
  readonly monitor: 'auc' | 'loss';
  /** Weight of a default relative to a non-default: 'balanced' = n_neg / n_pos, 'sqrt' = its square root, 'none' = 1. */
  readonly classWeighting: 'balanced' | 'sqrt' | 'none';
  // ---- scoring
  /** Bands from the lowest; a customer's band is the last whose minPd ≤ PD. */
  readonly bands: readonly RiskBand[];
  /** How many features are listed as a customer's top contributors. */
  readonly topFeatures: number;
}

export const DEFAULT_CONFIG: RiskConfig = {
  horizonDays: 180,
  defaultDaysPastDue: 90,
  cureDays: 180,
  minHistoryDays: 90,
  testMonths: 6,
  validationMonths: 5,
  gapMonths: 'purge',
  seed: 42,
  hiddenUnits: [32],
  linearSkip: true,
  l2: 1e-3,
  learningRate: 1e-2,
  search: { l2: [1e-4, 1e-3, 1e-2], hidden: [[16], [32], [64]], learningRate: [3e-3, 1e-2, 3e-2] },
  networkSeeds: 3,
  maxRowsPerEpoch: 32_768,
  searchRowVisits: 1_500_000,
  logisticL2: [1e-1, 1e-2, 1e-3, 1e-4],
  bootstrapRounds: 500,
  minDefaultingCustomers: 20,
  batchSize: 256,
  maxEpochs: 150,
  patience: 10,
  monitor: 'auc',
  classWeighting: 'sqrt',
  bands: [
    { name: 'low', minPd: 0 },
    { name: 'medium', minPd: 0.02 },
    { name: 'high', minPd: 0.05 },
    { name: 'very high', minPd: 0.15 },
  ],
  topFeatures: 5,
};

/** The band of customers already in default at the scoring date (PD = 1, outside the model). */
export const IN_DEFAULT_BAND = 'in default';

export function riskBand(bands: readonly RiskBand[], pd: number): string {
  if (bands.length === 0) throw new Error('no risk bands configured');
  let name = (bands[0] as RiskBand).name;
  for (const b of bands) if (pd >= b.minPd) name = b.name;
  return name;
}

export function validateConfig(c: RiskConfig): void {
  const problems: string[] = [];
  const positiveInt = (name: keyof RiskConfig, v: number) => {
    if (!Number.isInteger(v) || v <= 0) problems.push(`${name} must be a positive whole number, got ${v}`);
  };
  positiveInt('horizonDays', c.horizonDays);
  positiveInt('defaultDaysPastDue', c.defaultDaysPastDue);
  positiveInt('testMonths', c.testMonths);
  positiveInt('validationMonths', c.validationMonths);
  positiveInt('batchSize', c.batchSize);
  positiveInt('maxEpochs', c.maxEpochs);
  positiveInt('patience', c.patience);
  positiveInt('topFeatures', c.topFeatures);
  positiveInt('networkSeeds', c.networkSeeds);
  positiveInt('maxRowsPerEpoch', c.maxRowsPerEpoch);
  positiveInt('searchRowVisits', c.searchRowVisits);
  positiveInt('bootstrapRounds', c.bootstrapRounds);
  if (!Number.isInteger(c.minDefaultingCustomers) || c.minDefaultingCustomers < 0)
    problems.push('minDefaultingCustomers must be a whole number ≥ 0');
  if (c.logisticL2.length === 0 || !c.logisticL2.every((v) => v >= 0))
    problems.push('logisticL2 must list at least one penalty ≥ 0');
  if (!c.search.l2.every((v) => v >= 0)) problems.push('search.l2 values must be ≥ 0');
  if (!c.search.learningRate.every((v) => v > 0)) problems.push('search.learningRate values must be > 0');
  if (!c.search.hidden.every((h) => h.every((u) => Number.isInteger(u) && u > 0)))
    problems.push('search.hidden sizes must be positive whole numbers');
  if (!Number.isInteger(c.cureDays) || c.cureDays < 0) problems.push('cureDays must be ≥ 0');
  if (!Number.isInteger(c.minHistoryDays) || c.minHistoryDays < 0)
    problems.push('minHistoryDays must be ≥ 0');
  if (c.gapMonths !== 'purge' && (!Number.isInteger(c.gapMonths) || c.gapMonths < 0)) {
    problems.push("gapMonths must be 'purge' or a whole number ≥ 0");
  }
  if (!c.hiddenUnits.every((u) => Number.isInteger(u) && u > 0))
    problems.push('hiddenUnits must be positive');
  if (!(c.learningRate > 0)) problems.push('learningRate must be > 0');
  if (!(c.l2 >= 0)) problems.push('l2 must be ≥ 0');
  const mins = c.bands.map((b) => b.minPd);
  if (
    mins[0] !== 0 ||
    mins.some((m, i) => i > 0 && m <= (mins[i - 1] as number)) ||
    mins.some((m) => m >= 1)
  ) {
    problems.push('bands must start at minPd 0 and increase strictly below 1');
  }
  if (problems.length > 0) throw new Error(`Invalid risk model settings:\n  - ${problems.join('\n  - ')}`);
}
