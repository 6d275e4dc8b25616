/**
 * The risk model's jobs: train, score, and `ensureRiskScores` (what `npm start` calls).
 *
 * Every job runs inside a warehouse generation (warehouse/engine.ts withJobOn): it reads the marts
 * from its private copy, writes ml.* there, and the copy is published atomically (on PostgreSQL, the
 * ml schema); the server never sees half a scoring. Model artefacts live in `modelDir` (default <warehouse>/ml, see artefacts.server.ts).
 */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { connQuery, queryRows, tableExists, toCount } from '../warehouse/convert.ts';
import { run } from '../warehouse/duckdb.ts';
import { withJobOn, withPublishedOn, type WarehouseEngine } from '../warehouse/engine.ts';
import {
  checkFeatures,
  disposeModel,
  loadModel,
  publishedVersion,
  publishModel,
  readMetadata,
  saveModel,
  type LoadedModel,
  type ModelMetadata,
} from './artefacts.server.ts';
import { DEFAULT_CONFIG, type RiskConfig } from './config.ts';
import { warehouseFacts, type WarehouseFacts } from './features.server.ts';
import { scoreCustomers, type ScoreSummary } from './score.server.ts';
import { NotEnoughDataError, type Shortfall } from './split.ts';
import { writeEvaluations, writeStatus } from './tables.server.ts';
import { fitRiskModel, modelVersion, type EvaluationReport } from './train.server.ts';
import { useBackend, type BackendChoice } from './tf.ts';

/** What the risk jobs write (published back whole on a PostgreSQL warehouse). */
const ML_SCHEMAS = ['ml'];

/** What warehouseFacts reads (a PostgreSQL read copies only these). */
const FACT_RELATIONS = [
  'marts.fct_invoices',
  'intermediate.int_as_of',
  'intermediate.int_invoice_reductions',
  'intermediate.int_load_watermark',
  'meta.manifest',
];

/** Where model artefacts go when no folder is named: beside the warehouse file. */
export function defaultModelDir(warehouseDir: string): string {
  return join(warehouseDir, 'ml');
}

export interface TrainReport {
  readonly version: string;
  readonly published: boolean;
  readonly reason: string;
  /** The version's artefact folder. */
  readonly dir: string;
  readonly metadata: ModelMetadata;
  readonly evaluation: EvaluationReport;
}

interface TrainInJob {
  readonly report: TrainReport;
  /** The trained model, ready to score (caller disposes). */
  readonly model: LoadedModel;
}

async function trainInJob(
  conn: DuckDBConnection,
  modelDir: string,
  config: RiskConfig,
  backend: BackendChoice,
  log: (msg: string) => void,
): Promise<TrainInJob> {
  const fit = await fitRiskModel(conn, { config, backend, log });
  const dir = await saveModel(modelDir, {
    metadata: fit.metadata,
    members: fit.networks,
    evaluation: fit.evaluation,
  });
  const served = fit.metadata.served;
  await writeEvaluations(conn, fit.version, fit.published, new Date(fit.metadata.trainedAt), fit.evaluated, {
    servedModel: served.name,
    servedKind: served.kind,
    reason: fit.metadata.selection.reason,
    bestModel: fit.metadata.selection.best,
    bestMinusServed: fit.metadata.selection.bestVsServed,
    calibrationMethod: served.calibration.method,
    calibratedFrom: served.calibratedOn.from,
    calibratedTo: served.calibratedOn.to,
    calibrationRows: served.calibratedOn.rows,
    calibrationPositives: served.calibratedOn.positives,
    defaultingCustomers: fit.metadata.selection.evidence.defaultingCustomers,
    defaultingCustomersNeeded: fit.metadata.selection.evidence.needed,
  });
  return {
    report: {
      version: fit.version,
      published: fit.published,
      reason: fit.reason,
      dir,
      metadata: fit.metadata,
      evaluation: fit.evaluation,
    },
    model: { metadata: fit.metadata, scoring: fit.scoring },
  };
}

export interface TrainOptions {
  readonly warehouseDir: string;
  /** The warehouse engine (default DuckDB, in warehouseDir). */
  readonly engine?: WarehouseEngine;
  readonly modelDir?: string;
  readonly config?: RiskConfig;
  readonly backend?: BackendChoice;
  readonly log?: (msg: string) => void;
  /** Also score every customer with the new model in the same warehouse job (default true). */
  readonly score?: boolean;
}

export interface TrainAndScore extends TrainReport {
  readonly scores: ScoreSummary | null;
}

/**
 * Train and evaluate the candidate family on the published warehouse; write the artefacts and the
 * evaluation (ml.model_evaluations, ml.model_calibration, ml.model_selection); publish the version
 * (published.json; the selection always names a serving candidate) and, unless `score` is false,
 * score every customer with it in the same warehouse job. Too little data is recorded in
 * ml.risk_status and thrown as NotEnoughDataError.
 */
export async function trainRiskModel(o: TrainOptions): Promise<TrainAndScore> {
  const modelDir = o.modelDir ?? defaultModelDir(o.warehouseDir);
  const log = o.log ?? (() => {});
  try {
    const { report, scores } = await withJobOn(
      o.warehouseDir,
      o.engine,
      'train',
      async (conn) => {
        const { report, model } = await trainInJob(
          conn,
          modelDir,
          o.config ?? DEFAULT_CONFIG,
          o.backend ?? 'auto',
          log,
        );
        try {
          return { report, scores: o.score === false ? null : await scoreCustomers(conn, model) };
        } finally {
          disposeModel(model);
        }
      },
      { writes: ML_SCHEMAS },
    );
    await publishModel(modelDir, report.version);
    return { ...report, scores };
  } catch (e) {
    if (e instanceof NotEnoughDataError) await recordShortfall(o.warehouseDir, o.engine, e);
    throw e;
  }
}

export interface ScoreOptions {
  readonly warehouseDir: string;
  /** The warehouse engine (default DuckDB, in warehouseDir). */
  readonly engine?: WarehouseEngine;
  readonly modelDir?: string;
  /** A model version to use instead of the published one. */
  readonly version?: string;
  readonly backend?: BackendChoice;
}

/** Score every customer with the published model (or `version`) into ml.customer_risk_scores. */
export async function scoreRiskModel(o: ScoreOptions): Promise<ScoreSummary> {
  const modelDir = o.modelDir ?? defaultModelDir(o.warehouseDir);
  const version = o.version ?? (await publishedVersion(modelDir));
  if (version === undefined) {
    throw new Error(`No published risk model in ${modelDir}. Train one first: arlens train`);
  }
  await useBackend(o.backend ?? 'auto');
  const model = await loadModel(modelDir, version);
  try {
    return await withJobOn(o.warehouseDir, o.engine, 'score', (conn) => scoreCustomers(conn, model), {
      writes: ML_SCHEMAS,
    });
  } finally {
    disposeModel(model);
  }
}

export interface EnsureOptions {
  readonly warehouseDir: string;
  /** The warehouse engine (default DuckDB, in warehouseDir). */
  readonly engine?: WarehouseEngine;
  readonly modelDir: string;
  readonly log?: (msg: string) => void;
  /** Settings for a model trained here (default DEFAULT_CONFIG). */
  readonly config?: RiskConfig;
}

export interface EnsureResult {
  /** The model the scores come from, or null when there is none. */
  readonly modelVersion: string | null;
  /** The candidate that serves (e.g. 'logistic_regression'), or null. */
  readonly servedModel: string | null;
  /** A model was trained in this call. */
  readonly trained: boolean;
  /** Scores were written in this call. */
  readonly scored: boolean;
  /** What happened, in a sentence. */
  readonly message: string;
  /** Too little data: what is missing, in numbers. */
  readonly shortfall: Shortfall | null;
}

/** Are ml.customer_risk_scores from `version`, for the warehouse's as-of date, and newer than the last build? */
async function scoresCurrent(
  conn: DuckDBConnection,
  facts: WarehouseFacts,
  version: string,
): Promise<boolean> {
  const query = connQuery(conn);
  if (!(await tableExists(query, 'ml', 'customer_risk_scores'))) return false;
  if (!(await tableExists(query, 'ml', 'risk_status'))) return false;
  const rows = await queryRows(
    conn,
    `SELECT
       count(*) AS n,
       count(*) FILTER (WHERE model_version = $1 AND as_of_date = CAST($2 AS DATE)) AS matching,
       coalesce(min(scored_at) >= CAST($3 AS TIMESTAMP), true) AS after_build,
       (SELECT count(*) FROM ml.risk_status WHERE state = 'scored' AND model_version = $1) AS status
     FROM ml.customer_risk_scores`,
    [version, facts.asOfDate, facts.lastBuildAt ?? '1970-01-01 00:00:00'],
  );
  const r = rows[0];
  if (r === undefined) return false;
  const n = toCount(r['n']);
  return n > 0 && toCount(r['matching']) === n && r['after_build'] === true && toCount(r['status']) === 1;
}

function fitsData(m: ModelMetadata, facts: WarehouseFacts): boolean {
  return m.data.asOfDate === facts.asOfDate && m.data.loadWatermark === facts.loadWatermark;
}

/** A sentence for a shortfall (the Risk page words the same numbers in the user's language). */
export function shortfallText(s: Shortfall): string {
  if (s.kind === 'history') {
    return (
      `not enough history: ${s.have} of the ${s.needed} month-ends the risk model needs have a complete ` +
      `${s.horizonDays}-day outcome window (invoices from ${s.firstInvoiceDate} to ${s.asOfDate}); ` +
      `${s.needed - s.have} more month(s) of invoice history are needed`
    );
  }
  return (
    `not enough defaults: the ${s.period} period (${s.from} .. ${s.to}) has ${s.defaults} among ${s.rows} ` +
    `customer-months; at least ${s.needed} are needed`
  );
}

/**
 * Record in ml.risk_status that the data cannot support a model (and drop scores of another as-of
 * date, which would contradict it); nothing is written when the status already says so.
 */
async function recordShortfall(
  warehouseDir: string,
  engine: WarehouseEngine | undefined,
  e: NotEnoughDataError,
): Promise<void> {
  const shortfall = e.shortfall;
  if (!shortfall) return;
  const same = await withPublishedOn(
    warehouseDir,
    engine,
    async (conn) => {
      if (!(await tableExists(connQuery(conn), 'ml', 'risk_status'))) return false;
      const rows = await queryRows(
        conn,
        `SELECT state, shortfall, history_months, defaults FROM ml.risk_status`,
      );
      const r = rows[0];
      return (
        rows.length === 1 &&
        r?.['state'] === 'not_enough_data' &&
        r['shortfall'] === shortfall.kind &&
        (shortfall.kind === 'history'
          ? toCount(r['history_months']) === shortfall.have
          : toCount(r['defaults']) === shortfall.defaults)
      );
    },
    { only: ['ml.risk_status'] },
  );
  if (same) return;
  await withJobOn(
    warehouseDir,
    engine,
    'risk-status',
    async (conn) => {
      await run(conn, 'DROP TABLE IF EXISTS ml.customer_risk_scores');
      await writeStatus(conn, { state: 'not_enough_data', shortfall }, new Date());
    },
    { writes: ML_SCHEMAS },
  );
}

/**
 * Make sure the warehouse has current risk scores: train the candidate family when no model has been
 * trained for the warehouse's data (the selection always names a serving candidate), or reuse the
 * one that was, and score when the scores are missing, from another model, or older than the last
 * build. Too little data is recorded (ml.risk_status) and reported, not thrown.
 */
export async function ensureRiskScores(o: EnsureOptions): Promise<EnsureResult> {
  const log = o.log ?? (() => {});
  const config = o.config ?? DEFAULT_CONFIG;
  const backend = await useBackend('auto');
  const facts = await withPublishedOn(o.warehouseDir, o.engine, warehouseFacts, { only: FACT_RELATIONS });
  const expected = modelVersion(facts, config, backend);

  const publishedV = await publishedVersion(o.modelDir);
  const published = publishedV === undefined ? undefined : await readMetadata(o.modelDir, publishedV);
  let usable: ModelMetadata | undefined;
  if (published) {
    try {
      checkFeatures(published);
      usable = published;
    } catch (e) {
      log(`risk model ${published.version} cannot be used: ${(e as Error).message}`);
    }
  }
  const existing =
    usable && fitsData(usable, facts) && usable.status === 'published'
      ? usable
      : await readMetadata(o.modelDir, expected);
  const candidate = existing?.status === 'published' ? existing : undefined;

  try {
    if (candidate) {
      if (candidate.version !== publishedV) await publishModel(o.modelDir, candidate.version);
      const current = await withPublishedOn(
        o.warehouseDir,
        o.engine,
        (conn) => scoresCurrent(conn, facts, candidate.version),
        { only: ['ml.customer_risk_scores', 'ml.risk_status'] },
      );
      if (current) {
        return {
          modelVersion: candidate.version,
          servedModel: candidate.served.name,
          trained: false,
          scored: false,
          message: `risk scores are current (model ${candidate.version}, ${candidate.served.name} serves)`,
          shortfall: null,
        };
      }
      const summary = await scoreRiskModel({
        warehouseDir: o.warehouseDir,
        ...(o.engine ? { engine: o.engine } : {}),
        modelDir: o.modelDir,
        version: candidate.version,
      });
      const message =
        `scored ${summary.customers} customers as of ${summary.asOfDate} with model ${candidate.version} ` +
        `(${candidate.served.name} serves)`;
      log(message);
      return {
        modelVersion: candidate.version,
        servedModel: candidate.served.name,
        trained: false,
        scored: true,
        message,
        shortfall: null,
      };
    }
    log(`training the risk model on data as of ${facts.asOfDate}`);
    const t = await trainRiskModel({
      warehouseDir: o.warehouseDir,
      ...(o.engine ? { engine: o.engine } : {}),
      modelDir: o.modelDir,
      config,
      backend,
      log,
    });
    const served = t.metadata.served.name;
    const message =
      `scored ${t.scores?.customers ?? 0} customers as of ${facts.asOfDate} with model ${t.version}: ` +
      `${served} serves (${t.reason})`;
    log(message);
    return {
      modelVersion: t.version,
      servedModel: served,
      trained: true,
      scored: true,
      message,
      shortfall: null,
    };
  } catch (e) {
    if (e instanceof NotEnoughDataError) {
      await recordShortfall(o.warehouseDir, o.engine, e);
      const message = `no risk scores: ${e.shortfall ? shortfallText(e.shortfall) : e.message}`;
      log(message);
      return {
        modelVersion: null,
        servedModel: null,
        trained: false,
        scored: false,
        message,
        shortfall: e.shortfall,
      };
    }
    throw e;
  }
}
