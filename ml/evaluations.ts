/**
 * The risk model's evaluation, read back from ml.model_evaluations and ml.model_calibration (written
 * by `arlens train` through tables.server.ts, docs/ml.md): the latest evaluated version, every model
 * and baseline on the test period, and the candidate's calibration. For the Risk page.
 */
import { tableExists, toCount, toMeasure, type Query } from '../warehouse/convert.ts';

export interface ModelReport {
  readonly version: string;
  readonly evaluatedAt: string;
  readonly published: boolean;
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly rows: number;
  readonly positives: number;
  readonly models: { name: string; isCandidate: boolean; metrics: Record<string, number | null> }[];
  readonly calibration: { bin: number; rows: number; meanPredicted: number; observedRate: number }[];
}

export async function modelReport(query: Query): Promise<ModelReport | null> {
  if (!(await tableExists(query, 'ml', 'model_evaluations'))) return null;
  const latest = await query(
    `SELECT model_version, max(evaluated_at) AS evaluated_at, bool_or(is_published) AS published
     FROM ml.model_evaluations GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
  );
  const head = latest[0];
  if (!head) return null;
  const version = String(head['model_version']);
  const rows = await query(
    `SELECT model_name, is_candidate, metric, value, period_from, period_to, row_count, positive_count
     FROM ml.model_evaluations WHERE model_version = $1 AND split = 'test'
     ORDER BY is_candidate DESC, model_name, metric`,
    [version],
  );
  const models = new Map<
    string,
    { name: string; isCandidate: boolean; metrics: Record<string, number | null> }
  >();
  for (const r of rows) {
    const name = String(r['model_name']);
    const m = models.get(name) ?? { name, isCandidate: r['is_candidate'] === true, metrics: {} };
    m.metrics[String(r['metric'])] = toMeasure(r['value']);
    models.set(name, m);
  }
  const first = rows[0] ?? {};
  const candidate = [...models.values()].find((m) => m.isCandidate)?.name ?? '';
  const calibration = (await tableExists(query, 'ml', 'model_calibration'))
    ? await query(
        `SELECT bin, row_count, mean_predicted, observed_rate FROM ml.model_calibration
         WHERE model_version = $1 AND model_name = $2 AND split = 'test' ORDER BY bin`,
        [version, candidate],
      )
    : [];
  return {
    version,
    evaluatedAt: String(head['evaluated_at']),
    published: head['published'] === true,
    periodFrom: String(first['period_from'] ?? ''),
    periodTo: String(first['period_to'] ?? ''),
    rows: toCount(first['row_count']),
    positives: toCount(first['positive_count']),
    models: [...models.values()],
    calibration: calibration.map((c) => ({
      bin: toCount(c['bin']),
      rows: toCount(c['row_count']),
      meanPredicted: toMeasure(c['mean_predicted']) ?? 0,
      observedRate: toMeasure(c['observed_rate']) ?? 0,
    })),
  };
}
