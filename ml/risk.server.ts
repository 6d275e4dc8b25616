/**
 * The risk model's jobs: train, score, and `ensureRiskScores` (what `npm start` calls).
 *
 * Every job runs inside a warehouse generation (withNextGeneration): it reads the marts from its
 * private copy, writes ml.* there, and the copy is published atomically; the server never sees half
 * a scoring. Model artefacts live in `modelDir` (default <warehouse>/ml, see artefacts.server.ts).
 */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { connQuery, queryRows, tableExists, toCount } from '../warehouse/convert.ts';
import { withNextGeneration, withPublished } from '../warehouse/store.ts';
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
import { NotEnoughDataError } from './split.ts';
import { writeEvaluations } from './tables.server.ts';
import { fitRiskModel, modelVersion, type EvaluationReport } from './train.server.ts';
import { useBackend, type BackendChoice } from './tf.ts';

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
  await writeEvaluations(conn, fit.version, fit.published, new Date(fit.metadata.trainedAt), fit.evaluated);
  log(`model ${fit.version} ${fit.published ? 'passes' : 'FAILS'} the publication rule: ${fit.reason}`);
  return {
    report: {
      version: fit.version,
      published: fit.published,
      reason: fit.reason,
      dir,
      metadata: fit.metadata,
      evaluation: fit.evaluation,
    },
    model: { metadata: fit.metadata, members: fit.members },
  };
}

export interface TrainOptions {
  readonly warehouseDir: string;
  readonly modelDir?: string;
  readonly config?: RiskConfig;
  readonly backend?: BackendChoice;
  readonly log?: (msg: string) => void;
}

/**
 * Train and evaluate a model on the published warehouse; write its artefacts and its evaluation
 * (ml.model_evaluations, ml.model_calibration); publish it (published.json) only if it beats both
 * baselines on test ROC AUC.
 */
export async function trainRiskModel(o: TrainOptions): Promise<TrainReport> {
  const modelDir = o.modelDir ?? defaultModelDir(o.warehouseDir);
  const log = o.log ?? (() => {});
  const { report, model } = await withNextGeneration(o.warehouseDir, 'train', (conn) =>
    trainInJob(conn, modelDir, o.config ?? DEFAULT_CONFIG, o.backend ?? 'auto', log),
  );
  disposeModel(model);
  if (report.published) await publishModel(modelDir, report.version);
  return report;
}

export interface ScoreOptions {
  readonly warehouseDir: string;
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
    return await withNextGeneration(o.warehouseDir, 'score', (conn) => scoreCustomers(conn, model));
  } finally {
    disposeModel(model);
  }
}

export interface EnsureOptions {
  readonly warehouseDir: string;
  readonly modelDir: string;
  readonly log?: (msg: string) => void;
  /** Settings for a model trained here (default DEFAULT_CONFIG). */
  readonly config?: RiskConfig;
}

export interface EnsureResult {
  /** The model the scores come from, or null when there is none. */
  readonly modelVersion: string | null;
  /** A model was trained in this call. */
  readonly trained: boolean;
  /** Scores were written in this call. */
  readonly scored: boolean;
  /** What happened, in a sentence. */
  readonly message: string;
}

/** Are ml.customer_risk_scores from `version`, for the warehouse's as-of date, and newer than the last build? */
async function scoresCurrent(
  conn: DuckDBConnection,
  facts: WarehouseFacts,
  version: string,
): Promise<boolean> {
  if (!(await tableExists(connQuery(conn), 'ml', 'customer_risk_scores'))) return false;
  const rows = await queryRows(
    conn,
    `SELECT
       count(*) AS n,
       count(*) FILTER (WHERE model_version = $1 AND as_of_date = CAST($2 AS DATE)) AS matching,
       coalesce(min(scored_at) >= CAST($3 AS TIMESTAMP), true) AS after_build
     FROM ml.customer_risk_scores`,
    [version, facts.asOfDate, facts.lastBuildAt ?? '1970-01-01 00:00:00'],
  );
  const r = rows[0];
  if (r === undefined) return false;
  const n = toCount(r['n']);
  return n > 0 && toCount(r['matching']) === n && r['after_build'] === true;
}

function fitsData(m: ModelMetadata, facts: WarehouseFacts): boolean {
  return m.data.asOfDate === facts.asOfDate && m.data.loadWatermark === facts.loadWatermark;
}

/**
 * Make sure the warehouse has current risk scores: train a model when none has been trained for
 * the warehouse's data (or load the published one), and score when the scores are missing, from
 * another model, or older than the last build. A model that does not beat its baselines is not
 * published; the last published model (trained on older data) is then used if there is one.
 * Expected conditions (too little history, no publishable model) are reported, not thrown.
 */
export async function ensureRiskScores(o: EnsureOptions): Promise<EnsureResult> {
  const log = o.log ?? (() => {});
  const config = o.config ?? DEFAULT_CONFIG;
  const backend = await useBackend('auto');
  const facts = await withPublished(o.warehouseDir, warehouseFacts);
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
  const candidate = usable && fitsData(usable, facts) ? usable : await readMetadata(o.modelDir, expected);
  const needTraining = candidate === undefined;

  if (!needTraining && candidate.status === 'rejected') {
    log(
      `risk model ${candidate.version} for this data was not published (${candidate.statusReason}); not training again`,
    );
  }
  const scoringVersion = needTraining
    ? undefined
    : candidate.status === 'published'
      ? candidate.version
      : usable?.version;
  if (!needTraining) {
    // A model that passed for this data is the published one, whatever published.json said before.
    if (candidate.status === 'published' && candidate.version !== publishedV) {
      await publishModel(o.modelDir, candidate.version);
    }
    if (scoringVersion === undefined) {
      return {
        modelVersion: null,
        trained: false,
        scored: false,
        message: `no publishable risk model: ${candidate.statusReason}. See ${join(o.modelDir, candidate.version, 'evaluation.json')}`,
      };
    }
    const current = await withPublished(o.warehouseDir, (conn) => scoresCurrent(conn, facts, scoringVersion));
    if (current) {
      return {
        modelVersion: scoringVersion,
        trained: false,
        scored: false,
        message: `risk scores are current (model ${scoringVersion})`,
      };
    }
  }

  try {
    const outcome = await withNextGeneration(
      o.warehouseDir,
      needTraining ? 'train+score' : 'score',
      async (conn) => {
        let model: LoadedModel | undefined;
        let trainedVersion: string | undefined;
        let publishNow = false;
        let note = '';
        if (needTraining) {
          log(`training the risk model on data as of ${facts.asOfDate}`);
          const t = await trainInJob(conn, o.modelDir, config, backend, log);
          trainedVersion = t.report.version;
          if (t.report.published) {
            model = t.model;
            publishNow = true;
          } else {
            disposeModel(t.model);
            note = `the new model ${t.report.version} was not published (${t.report.reason})`;
            if (usable) model = await loadModel(o.modelDir, usable.version);
          }
        } else if (scoringVersion !== undefined) {
          model = await loadModel(o.modelDir, scoringVersion);
        }
        if (!model) return { version: null, trainedVersion, publishNow, summary: undefined, note };
        try {
          const summary = await scoreCustomers(conn, model);
          return { version: model.metadata.version, trainedVersion, publishNow, summary, note };
        } finally {
          disposeModel(model);
        }
      },
    );
    if (outcome.publishNow && outcome.trainedVersion) await publishModel(o.modelDir, outcome.trainedVersion);
    const parts = [
      outcome.note,
      outcome.summary
        ? `scored ${outcome.summary.customers} customers with model ${outcome.version} as of ${outcome.summary.asOfDate}`
        : 'no risk scores: no published model',
    ].filter((p) => p !== '');
    const message = parts.join('; ');
    log(message);
    return {
      modelVersion: outcome.version,
      trained: outcome.trainedVersion !== undefined,
      scored: outcome.summary !== undefined,
      message,
    };
  } catch (e) {
    if (e instanceof NotEnoughDataError) {
      log(`no risk scores: ${e.message}`);
      return { modelVersion: null, trained: false, scored: false, message: e.message };
    }
    throw e;
  }
}
