/**
 * The risk model's tables in the warehouse (schema `ml`), written inside a warehouse job
 * (withNextGeneration) and served read-only like every other schema:
 *
 *   ml.customer_risk_scores   one row per customer for the latest scoring
 *   ml.model_evaluations      one row per model version × model/baseline × split × metric
 *   ml.model_calibration      one row per model version × model/baseline × split × calibration decile
 *   ml.model_selection        one row per model version: which candidate serves and why
 *   ml.risk_status            one row: whether the warehouse has scores, and if not what is missing
 *
 * docs/ml.md documents every column.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { Params, run, type SqlParam } from '../warehouse/duckdb.ts';
import type { AucDifference, Evaluation } from './metrics.ts';
import type { Shortfall } from './split.ts';

export const SCORES_DDL = `CREATE TABLE IF NOT EXISTS ml.customer_risk_scores (
    customer_id VARCHAR NOT NULL,
    as_of_date DATE NOT NULL,
    probability_of_default DOUBLE NOT NULL,
    risk_band VARCHAR NOT NULL,
    exposure_amount DECIMAL(18, 2) NOT NULL,
    expected_loss_amount DECIMAL(18, 2) NOT NULL,
    model_version VARCHAR NOT NULL,
    top_features VARCHAR NOT NULL,
    scored_at TIMESTAMP NOT NULL
)`;

const EVALUATIONS_DDL = `CREATE TABLE IF NOT EXISTS ml.model_evaluations (
    model_version VARCHAR NOT NULL,
    evaluated_at TIMESTAMP NOT NULL,
    model_name VARCHAR NOT NULL,
    is_candidate BOOLEAN NOT NULL,
    is_published BOOLEAN NOT NULL,
    split VARCHAR NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    metric VARCHAR NOT NULL,
    value DOUBLE,
    row_count INTEGER NOT NULL,
    positive_count INTEGER NOT NULL,
    is_served BOOLEAN NOT NULL DEFAULT false
)`;

const SELECTION_DDL = `CREATE TABLE IF NOT EXISTS ml.model_selection (
    model_version VARCHAR NOT NULL,
    evaluated_at TIMESTAMP NOT NULL,
    served_model VARCHAR NOT NULL,
    served_kind VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    best_model VARCHAR,
    best_minus_served DOUBLE,
    best_minus_served_low DOUBLE,
    best_minus_served_high DOUBLE,
    calibration_method VARCHAR NOT NULL,
    calibrated_from DATE NOT NULL,
    calibrated_to DATE NOT NULL,
    calibration_rows INTEGER NOT NULL,
    calibration_positives INTEGER NOT NULL,
    defaulting_customers INTEGER,
    defaulting_customers_needed INTEGER
)`;

export const STATUS_DDL = `CREATE TABLE IF NOT EXISTS ml.risk_status (
    state VARCHAR NOT NULL,
    model_version VARCHAR,
    served_model VARCHAR,
    shortfall VARCHAR,
    history_months INTEGER,
    history_months_needed INTEGER,
    first_invoice_date DATE,
    as_of_date DATE,
    horizon_days INTEGER,
    defaults_period VARCHAR,
    period_from DATE,
    period_to DATE,
    defaults INTEGER,
    defaults_needed INTEGER,
    updated_at TIMESTAMP NOT NULL
)`;

const CALIBRATION_DDL = `CREATE TABLE IF NOT EXISTS ml.model_calibration (
    model_version VARCHAR NOT NULL,
    model_name VARCHAR NOT NULL,
    split VARCHAR NOT NULL,
    bin INTEGER NOT NULL,
    row_count INTEGER NOT NULL,
    positive_count INTEGER NOT NULL,
    mean_predicted DOUBLE NOT NULL,
    observed_rate DOUBLE NOT NULL,
    min_score DOUBLE NOT NULL,
    max_score DOUBLE NOT NULL
)`;

export interface EvaluatedModel {
  /** 'risk_mlp', 'logistic_regression', 'rule_max_dpd_12m'. */
  readonly name: string;
  /** Every model of the family is a candidate for serving. */
  readonly isCandidate: boolean;
  /** This candidate serves the scores. */
  readonly isServed: boolean;
  readonly split: 'validation' | 'test';
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly evaluation: Evaluation;
  /** ROC AUC minus the rule's on this split, with its 95 % bootstrap interval (null for the rule). */
  readonly vsRule: AucDifference | null;
}

export const METRIC_NAMES = [
  'roc_auc',
  'pr_auc',
  'brier',
  'ks',
  'lift_top_decile',
  'base_rate',
  'ece',
  'roc_auc_vs_rule',
  'roc_auc_vs_rule_low',
  'roc_auc_vs_rule_high',
] as const;

export function metricValues(
  e: Evaluation,
  vsRule: AucDifference | null = null,
): Record<(typeof METRIC_NAMES)[number], number> {
  return {
    roc_auc: e.rocAuc,
    pr_auc: e.prAuc,
    brier: e.brier,
    ks: e.ks,
    lift_top_decile: e.liftTopDecile,
    base_rate: e.rows > 0 ? e.positives / e.rows : Number.NaN,
    ece: e.ece,
    roc_auc_vs_rule: vsRule?.difference ?? Number.NaN,
    roc_auc_vs_rule_low: vsRule?.low ?? Number.NaN,
    roc_auc_vs_rule_high: vsRule?.high ?? Number.NaN,
  };
}

export interface SelectionRow {
  readonly servedModel: string;
  readonly servedKind: string;
  readonly reason: string;
  readonly bestModel: string | null;
  readonly bestMinusServed: AucDifference | null;
  readonly calibrationMethod: string;
  readonly calibratedFrom: string;
  readonly calibratedTo: string;
  readonly calibrationRows: number;
  readonly calibrationPositives: number;
  /** Customers with a default in the decision data, and the minimum for a model to serve. */
  readonly defaultingCustomers: number;
  readonly defaultingCustomersNeeded: number;
}

/** A JS time as the TIMESTAMP text DuckDB reads (UTC). */
export function timestampText(t: Date): string {
  return t.toISOString().replace('T', ' ').replace('Z', '');
}

/** Replace the evaluation rows of `version` (other versions' rows are kept: the history). */
export async function writeEvaluations(
  conn: DuckDBConnection,
  version: string,
  published: boolean,
  evaluatedAt: Date,
  models: readonly EvaluatedModel[],
  selection: SelectionRow,
): Promise<void> {
  await run(conn, 'CREATE SCHEMA IF NOT EXISTS ml');
  await run(conn, EVALUATIONS_DDL);
  // Warehouses written before the candidate family have no is_served column.
  await run(
    conn,
    'ALTER TABLE ml.model_evaluations ADD COLUMN IF NOT EXISTS is_served BOOLEAN DEFAULT false',
  );
  await run(conn, CALIBRATION_DDL);
  await run(conn, SELECTION_DDL);
  for (const column of ['defaulting_customers', 'defaulting_customers_needed']) {
    await run(conn, `ALTER TABLE ml.model_selection ADD COLUMN IF NOT EXISTS ${column} INTEGER`);
  }
  await run(conn, 'DELETE FROM ml.model_evaluations WHERE model_version = $1', [version]);
  await run(conn, 'DELETE FROM ml.model_calibration WHERE model_version = $1', [version]);
  await run(conn, 'DELETE FROM ml.model_selection WHERE model_version = $1', [version]);
  const at = timestampText(evaluatedAt);
  const metrics = models.flatMap((m) =>
    Object.entries(metricValues(m.evaluation, m.vsRule)).map(([metric, value]) => [
      version,
      at,
      m.name,
      m.isCandidate,
      published,
      m.split,
      m.periodFrom,
      m.periodTo,
      metric,
      Number.isFinite(value) ? value : null,
      m.evaluation.rows,
      m.evaluation.positives,
      m.isServed,
    ]),
  );
  await insertRows(
    conn,
    `ml.model_evaluations (model_version, evaluated_at, model_name, is_candidate, is_published, split,
       period_from, period_to, metric, value, row_count, positive_count, is_served)`,
    '(CAST(? AS VARCHAR), CAST(? AS TIMESTAMP), ?, ?, ?, ?, CAST(? AS DATE), CAST(? AS DATE), ?, CAST(? AS DOUBLE), ?, ?, ?)',
    metrics,
  );
  const d = selection.bestMinusServed;
  await insertRows(
    conn,
    `ml.model_selection (model_version, evaluated_at, served_model, served_kind, reason, best_model,
       best_minus_served, best_minus_served_low, best_minus_served_high, calibration_method, calibrated_from,
       calibrated_to, calibration_rows, calibration_positives, defaulting_customers, defaulting_customers_needed)`,
    '(?, CAST(? AS TIMESTAMP), ?, ?, ?, ?, CAST(? AS DOUBLE), CAST(? AS DOUBLE), CAST(? AS DOUBLE), ?, CAST(? AS DATE), CAST(? AS DATE), ?, ?, ?, ?)',
    [
      [
        version,
        at,
        selection.servedModel,
        selection.servedKind,
        selection.reason,
        selection.bestModel,
        d && Number.isFinite(d.difference) ? d.difference : null,
        d && Number.isFinite(d.low) ? d.low : null,
        d && Number.isFinite(d.high) ? d.high : null,
        selection.calibrationMethod,
        selection.calibratedFrom,
        selection.calibratedTo,
        selection.calibrationRows,
        selection.calibrationPositives,
        Number.isFinite(selection.defaultingCustomers) ? selection.defaultingCustomers : null,
        selection.defaultingCustomersNeeded,
      ],
    ],
  );
  const bins = models.flatMap((m) =>
    m.evaluation.calibration.map((b) => [
      version,
      m.name,
      m.split,
      b.bin,
      b.rows,
      b.positives,
      b.meanPredicted,
      b.observedRate,
      b.minScore,
      b.maxScore,
    ]),
  );
  await insertRows(conn, 'ml.model_calibration', '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', bins);
}

/** One INSERT … VALUES with bound parameters for all rows (`shape` has one ? per column). */
async function insertRows(
  conn: DuckDBConnection,
  table: string,
  shape: string,
  rows: readonly (readonly SqlParam[])[],
): Promise<void> {
  if (rows.length === 0) return;
  const p = new Params();
  const values = rows.map((r) => {
    let k = 0;
    return shape.replace(/\?/g, () => p.add(r[k++] ?? null));
  });
  await run(conn, `INSERT INTO ${table} VALUES ${values.join(', ')}`, p.values);
}

export interface ScoreRow {
  readonly customerId: string;
  readonly probabilityOfDefault: number;
  readonly riskBand: string;
  /** JSON text. */
  readonly topFeatures: string;
}

/**
 * Replace ml.customer_risk_scores with one row per scored customer. Exposure is the customer's open
 * AR in the reporting currency at the scoring date (marts.fct_credit_exposure.open_ar_rc, 0 when the
 * customer has none); expected loss = exposure × PD, computed in DECIMAL and rounded to cents.
 */
export async function writeScores(
  conn: DuckDBConnection,
  o: { asOfDate: string; modelVersion: string; scoredAt: Date; rows: readonly ScoreRow[] },
): Promise<void> {
  await run(conn, 'CREATE SCHEMA IF NOT EXISTS ml');
  await run(conn, 'DROP TABLE IF EXISTS ml._risk_scores_in');
  await run(
    conn,
    `CREATE TABLE ml._risk_scores_in (
       customer_id VARCHAR, probability_of_default DOUBLE, risk_band VARCHAR, top_features VARCHAR)`,
  );
  const appender = await conn.createAppender('_risk_scores_in', 'ml');
  try {
    for (const r of o.rows) {
      appender.appendVarchar(r.customerId);
      appender.appendDouble(r.probabilityOfDefault);
      appender.appendVarchar(r.riskBand);
      appender.appendVarchar(r.topFeatures);
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
  await run(conn, 'DROP TABLE IF EXISTS ml.customer_risk_scores');
  await run(conn, SCORES_DDL);
  await run(
    conn,
    `INSERT INTO ml.customer_risk_scores
     SELECT
         s.customer_id,
         CAST($1 AS DATE),
         s.probability_of_default,
         s.risk_band,
         coalesce(e.open_ar_rc, 0)::DECIMAL(18, 2),
         CAST(coalesce(e.open_ar_rc, 0) * CAST(s.probability_of_default AS DECIMAL(18, 9)) AS DECIMAL(18, 2)),
         $2,
         s.top_features,
         CAST($3 AS TIMESTAMP)
     FROM ml._risk_scores_in AS s
     LEFT JOIN marts.fct_credit_exposure AS e USING (customer_id)
     ORDER BY s.customer_id`,
    [o.asOfDate, o.modelVersion, timestampText(o.scoredAt)],
  );
  await run(conn, 'DROP TABLE ml._risk_scores_in');
}

/** What ml.risk_status says: scores from a model, or what is missing (in numbers). */
export type RiskStatus =
  | { readonly state: 'scored'; readonly modelVersion: string; readonly servedModel: string }
  | { readonly state: 'not_enough_data'; readonly shortfall: Shortfall }
  | { readonly state: 'failed' };

/** Replace the one row of ml.risk_status. */
export async function writeStatus(conn: DuckDBConnection, status: RiskStatus, at: Date): Promise<void> {
  await run(conn, 'CREATE SCHEMA IF NOT EXISTS ml');
  await run(conn, STATUS_DDL);
  await run(conn, 'DELETE FROM ml.risk_status');
  const s = status.state === 'not_enough_data' ? status.shortfall : null;
  const h = s?.kind === 'history' ? s : null;
  const d = s?.kind === 'defaults' ? s : null;
  await run(
    conn,
    `INSERT INTO ml.risk_status VALUES (?, ?, ?, ?, ?, ?, CAST(? AS DATE), CAST(? AS DATE), ?, ?, CAST(? AS DATE),
       CAST(? AS DATE), ?, ?, CAST(? AS TIMESTAMP))`,
    [
      status.state,
      status.state === 'scored' ? status.modelVersion : null,
      status.state === 'scored' ? status.servedModel : null,
      s?.kind ?? null,
      h?.have ?? null,
      h?.needed ?? null,
      h?.firstInvoiceDate ?? null,
      h?.asOfDate ?? null,
      h?.horizonDays ?? null,
      d?.period ?? null,
      d?.from ?? null,
      d?.to ?? null,
      d?.defaults ?? null,
      d?.needed ?? null,
      timestampText(at),
    ],
  );
}
