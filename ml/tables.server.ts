/**
 * The risk model's tables in the warehouse (schema `ml`), written inside a warehouse job
 * (withNextGeneration) and served read-only like every other schema:
 *
 *   ml.customer_risk_scores   one row per customer for the latest scoring
 *   ml.model_evaluations      one row per model version × model/baseline × split × metric
 *   ml.model_calibration      one row per model version × model/baseline × split × calibration decile
 *
 * docs/ml.md documents every column.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { Params, run, type SqlParam } from '../warehouse/duckdb.ts';
import type { Evaluation } from './metrics.ts';

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
    positive_count INTEGER NOT NULL
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
  readonly isCandidate: boolean;
  readonly split: 'validation' | 'test';
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly evaluation: Evaluation;
}

export const METRIC_NAMES = ['roc_auc', 'pr_auc', 'brier', 'ks', 'lift_top_decile', 'base_rate'] as const;

export function metricValues(e: Evaluation): Record<(typeof METRIC_NAMES)[number], number> {
  return {
    roc_auc: e.rocAuc,
    pr_auc: e.prAuc,
    brier: e.brier,
    ks: e.ks,
    lift_top_decile: e.liftTopDecile,
    base_rate: e.rows > 0 ? e.positives / e.rows : Number.NaN,
  };
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
): Promise<void> {
  await run(conn, 'CREATE SCHEMA IF NOT EXISTS ml');
  await run(conn, EVALUATIONS_DDL);
  await run(conn, CALIBRATION_DDL);
  await run(conn, 'DELETE FROM ml.model_evaluations WHERE model_version = $1', [version]);
  await run(conn, 'DELETE FROM ml.model_calibration WHERE model_version = $1', [version]);
  const at = timestampText(evaluatedAt);
  const metrics = models.flatMap((m) =>
    Object.entries(metricValues(m.evaluation)).map(([metric, value]) => [
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
    ]),
  );
  await insertRows(
    conn,
    'ml.model_evaluations',
    '(CAST(? AS VARCHAR), CAST(? AS TIMESTAMP), ?, ?, ?, ?, CAST(? AS DATE), CAST(? AS DATE), ?, CAST(? AS DOUBLE), ?, ?)',
    metrics,
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
