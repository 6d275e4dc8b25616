/**
 * The risk model's state for the Risk page, read from the warehouse (written by `arlens train` and
 * `npm start` through tables.server.ts, docs/ml.md): ml.risk_status (scores, or what is missing in
 * numbers), and for the latest trained version ml.model_selection (which candidate serves and why),
 * ml.model_evaluations (every candidate on validation and test, with its interval against the rule)
 * and ml.model_calibration (the served candidate's deciles on test).
 */
import { tableExists, toCount, toMeasure, type Cell, type Query } from '../warehouse/convert.ts';

/** A text or DATE cell as text ('YYYY-MM-DD' for dates), null when empty. */
const toText = (v: Cell | undefined): string | null =>
  v === null || v === undefined || v === '' ? null : String(v);

export interface Interval {
  readonly difference: number;
  readonly low: number;
  readonly high: number;
}

export interface CandidateReport {
  readonly name: string;
  readonly served: boolean;
  readonly validationAuc: number | null;
  /** Validation ROC AUC minus the rule's (null for the rule): what the publication rule reads. */
  readonly validationVsRule: Interval | null;
  readonly testAuc: number | null;
  readonly testVsRule: Interval | null;
  readonly test: Record<string, number | null>;
}

export type ModelStatus =
  | { readonly state: 'scored'; readonly modelVersion: string; readonly servedModel: string }
  | {
      readonly state: 'not_enough_history';
      readonly have: number;
      readonly needed: number;
      readonly firstInvoiceDate: string;
      readonly asOfDate: string;
      readonly horizonDays: number;
    }
  | {
      readonly state: 'not_enough_defaults';
      readonly period: string;
      readonly from: string;
      readonly to: string;
      readonly defaults: number;
      readonly needed: number;
    }
  | { readonly state: 'unknown' };

export interface ModelReport {
  readonly status: ModelStatus;
  /** The latest trained version (null: none yet). */
  readonly version: string | null;
  readonly evaluatedAt: string;
  readonly validationFrom: string;
  readonly validationTo: string;
  readonly periodFrom: string;
  readonly periodTo: string;
  readonly rows: number;
  readonly positives: number;
  readonly selection: {
    readonly served: string;
    readonly reason: string;
    readonly best: string | null;
    readonly bestVsServed: Interval | null;
    readonly calibrationMethod: string;
    readonly calibratedFrom: string;
    readonly calibratedTo: string;
    readonly calibrationRows: number;
    readonly calibrationPositives: number;
    /** Customers with a default in the decision data (null: not recorded), and the minimum for a model. */
    readonly defaultingCustomers: number | null;
    readonly defaultingCustomersNeeded: number | null;
  } | null;
  readonly candidates: CandidateReport[];
  readonly calibration: { bin: number; rows: number; meanPredicted: number; observedRate: number }[];
}

function interval(m: Record<string, number | null>, prefix: string): Interval | null {
  const difference = m[prefix];
  const low = m[`${prefix}_low`];
  const high = m[`${prefix}_high`];
  if (difference == null || low == null || high == null) return null;
  return { difference, low, high };
}

async function readStatus(query: Query): Promise<ModelStatus> {
  if (!(await tableExists(query, 'ml', 'risk_status'))) return { state: 'unknown' };
  const r = (await query(`SELECT * FROM ml.risk_status LIMIT 1`))[0];
  if (!r) return { state: 'unknown' };
  if (r['state'] === 'scored') {
    return {
      state: 'scored',
      modelVersion: String(r['model_version']),
      servedModel: String(r['served_model']),
    };
  }
  if (r['state'] === 'not_enough_data' && r['shortfall'] === 'history') {
    return {
      state: 'not_enough_history',
      have: toCount(r['history_months']),
      needed: toCount(r['history_months_needed']),
      firstInvoiceDate: toText(r['first_invoice_date']) ?? '',
      asOfDate: toText(r['as_of_date']) ?? '',
      horizonDays: toCount(r['horizon_days']),
    };
  }
  if (r['state'] === 'not_enough_data' && r['shortfall'] === 'defaults') {
    return {
      state: 'not_enough_defaults',
      period: String(r['defaults_period']),
      from: toText(r['period_from']) ?? '',
      to: toText(r['period_to']) ?? '',
      defaults: toCount(r['defaults']),
      needed: toCount(r['defaults_needed']),
    };
  }
  return { state: 'unknown' };
}

export async function modelReport(query: Query): Promise<ModelReport> {
  const status = await readStatus(query);
  const empty: ModelReport = {
    status,
    version: null,
    evaluatedAt: '',
    validationFrom: '',
    validationTo: '',
    periodFrom: '',
    periodTo: '',
    rows: 0,
    positives: 0,
    selection: null,
    candidates: [],
    calibration: [],
  };
  if (!(await tableExists(query, 'ml', 'model_evaluations'))) return empty;
  // The version that scores, else the latest evaluated.
  const wanted = status.state === 'scored' ? status.modelVersion : null;
  const latest = await query(
    `SELECT model_version, max(evaluated_at) AS evaluated_at FROM ml.model_evaluations
     GROUP BY 1 ORDER BY (model_version = $1) DESC, 2 DESC LIMIT 1`,
    [wanted ?? ''],
  );
  const head = latest[0];
  if (!head) return empty;
  const version = String(head['model_version']);
  const rows = await query(
    `SELECT model_name, coalesce(is_served, false) AS is_served, split, metric, value, period_from, period_to,
            row_count, positive_count
     FROM ml.model_evaluations WHERE model_version = $1 ORDER BY model_name, split, metric`,
    [version],
  );
  const byModel = new Map<
    string,
    { served: boolean; validation: Record<string, number | null>; test: Record<string, number | null> }
  >();
  let test: Record<string, Cell> = {};
  let validation: Record<string, Cell> = {};
  for (const r of rows) {
    const name = String(r['model_name']);
    const m = byModel.get(name) ?? { served: false, validation: {}, test: {} };
    m.served ||= r['is_served'] === true;
    const split = r['split'] === 'test' ? m.test : m.validation;
    split[String(r['metric'])] = toMeasure(r['value']);
    byModel.set(name, m);
    if (r['split'] === 'test') test = r;
    else validation = r;
  }
  const hasSelection = await tableExists(query, 'ml', 'model_selection');
  const sel = hasSelection
    ? (await query(`SELECT * FROM ml.model_selection WHERE model_version = $1`, [version]))[0]
    : undefined;
  const served = sel ? String(sel['served_model']) : ([...byModel].find(([, m]) => m.served)?.[0] ?? '');
  const calibration = (await tableExists(query, 'ml', 'model_calibration'))
    ? await query(
        `SELECT bin, row_count, mean_predicted, observed_rate FROM ml.model_calibration
         WHERE model_version = $1 AND model_name = $2 AND split = 'test' ORDER BY bin`,
        [version, served],
      )
    : [];
  const candidates: CandidateReport[] = [...byModel].map(([name, m]) => ({
    name,
    served: name === served,
    validationAuc: m.validation['roc_auc'] ?? null,
    validationVsRule: interval(m.validation, 'roc_auc_vs_rule'),
    testAuc: m.test['roc_auc'] ?? null,
    testVsRule: interval(m.test, 'roc_auc_vs_rule'),
    test: m.test,
  }));
  // Simplest first: the rule (no interval against itself), the logistic regression, the network.
  const rank = (c: CandidateReport) =>
    c.validationVsRule === null ? 0 : c.name === 'logistic_regression' ? 1 : c.name === 'risk_mlp' ? 2 : 3;
  candidates.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const num = (v: Cell | undefined) => toMeasure(v);
  return {
    status,
    version,
    evaluatedAt: String(head['evaluated_at']),
    validationFrom: toText(validation['period_from']) ?? '',
    validationTo: toText(validation['period_to']) ?? '',
    periodFrom: toText(test['period_from']) ?? '',
    periodTo: toText(test['period_to']) ?? '',
    rows: toCount(test['row_count']),
    positives: toCount(test['positive_count']),
    selection: sel
      ? {
          served,
          reason: String(sel['reason']),
          best: toText(sel['best_model']),
          bestVsServed:
            num(sel['best_minus_served']) === null
              ? null
              : {
                  difference: num(sel['best_minus_served']) ?? 0,
                  low: num(sel['best_minus_served_low']) ?? 0,
                  high: num(sel['best_minus_served_high']) ?? 0,
                },
          calibrationMethod: String(sel['calibration_method']),
          calibratedFrom: toText(sel['calibrated_from']) ?? '',
          calibratedTo: toText(sel['calibrated_to']) ?? '',
          calibrationRows: toCount(sel['calibration_rows']),
          calibrationPositives: toCount(sel['calibration_positives']),
          defaultingCustomers:
            sel['defaulting_customers'] == null ? null : toCount(sel['defaulting_customers']),
          defaultingCustomersNeeded:
            sel['defaulting_customers_needed'] == null ? null : toCount(sel['defaulting_customers_needed']),
        }
      : null,
    candidates,
    calibration: calibration.map((c) => ({
      bin: toCount(c['bin']),
      rows: toCount(c['row_count']),
      meanPredicted: toMeasure(c['mean_predicted']) ?? 0,
      observedRate: toMeasure(c['observed_rate']) ?? 0,
    })),
  };
}
