/**
 * The risk model's features: definitions, the derivation from the raw per-customer quantities the
 * feature SQL returns (features.server.ts), and the preprocessing fitted on the training rows
 * (imputation, standardisation, one-hot encodings). Everything here is pure.
 *
 * A raw row describes one customer as of one snapshot date D and is built only from rows dated on or
 * before D. Windows: "12m" = the 365 days up to and including D, "3m" = 91 days, "6m" = 182 days.
 */

/** Raw quantities per customer and snapshot, as the feature SQL returns them (numbers or NULL). */
export const RAW_NUMERIC = [
  'tenure_days',
  'payment_terms_days',
  'invoices_12m',
  'billed_12m_rc',
  'invoice_amount_cv_12m',
  'settled_12m',
  'settled_late_12m',
  'mean_days_late_12m',
  'mean_days_late_3m',
  'mean_days_late_prior_9m',
  'max_dpd_3m',
  'max_dpd_6m',
  'max_dpd_12m',
  'open_ar_rc',
  'overdue_ar_rc',
  'open_ar_rc_3m_ago',
  'due_3m',
  'unpaid_due_3m',
  'applications_12m',
  'partial_applications_12m',
  'days_since_last_payment',
  'disputes_12m',
  'open_disputes',
  'promises_due_12m',
  'broken_promises_12m',
  'contacts_3m',
  'credit_limit_rc',
] as const;
export type RawNumeric = (typeof RAW_NUMERIC)[number];

export const CATEGORICAL = ['region', 'segment', 'industry'] as const;
export type Categorical = (typeof CATEGORICAL)[number];

export type RawFeatures = Record<RawNumeric, number | null> & Record<Categorical, string | null>;

export interface NumericFeature {
  readonly name: string;
  /** Short label for the dashboard. */
  readonly label: string;
  /** The definition (docs/ml.md lists these; a model trained on another definition is refused). */
  readonly definition: string;
  /** NULL when the quantity is undefined for the customer (e.g. no invoice settled); imputed. */
  readonly derive: (r: RawFeatures) => number | null;
  /** The model sees log(1 + x); explanations show x. */
  readonly logged?: true;
}

const ratio = (num: number | null, den: number | null): number | null =>
  num === null || den === null || den === 0 ? null : num / den;
const log1p = (x: number | null): number | null => (x === null ? null : Math.log1p(Math.max(0, x)));
const clip = (x: number | null, lo: number, hi: number): number | null =>
  x === null ? null : Math.min(hi, Math.max(lo, x));

export const NUMERIC_FEATURES: readonly NumericFeature[] = [
  {
    name: 'share_paid_late_12m',
    label: 'Share of invoices settled late (12 months)',
    definition:
      'invoices settled in the 12 months up to D after their due date / invoices settled in those 12 months; NULL if none',
    derive: (r) => ratio(r.settled_late_12m, r.settled_12m),
  },
  {
    name: 'mean_days_late_12m',
    label: 'Mean days late (12 months)',
    definition: 'mean of max(0, settlement date − due date) over invoices settled in the 12 months up to D',
    derive: (r) => r.mean_days_late_12m,
  },
  {
    name: 'days_late_trend',
    label: 'Trend of days late',
    definition:
      'mean days late of invoices settled in the last 3 months − mean days late of those settled 3 to 12 months before D',
    derive: (r) =>
      r.mean_days_late_3m === null || r.mean_days_late_prior_9m === null
        ? null
        : r.mean_days_late_3m - r.mean_days_late_prior_9m,
  },
  {
    name: 'max_dpd_3m',
    label: 'Max days past due (3 months)',
    definition:
      'largest days past due any invoice reached in the 3 months up to D (open invoices: D − due date; settled: settlement − due date); 0 if none',
    derive: (r) => clip(r.max_dpd_3m, 0, 730),
  },
  {
    name: 'max_dpd_6m',
    label: 'Max days past due (6 months)',
    definition: 'as max_dpd_3m over the 6 months up to D',
    derive: (r) => clip(r.max_dpd_6m, 0, 730),
  },
  {
    name: 'max_dpd_12m',
    label: 'Max days past due (12 months)',
    definition: 'as max_dpd_3m over the 12 months up to D',
    derive: (r) => clip(r.max_dpd_12m, 0, 730),
  },
  {
    name: 'overdue_share',
    label: 'Share of open AR overdue',
    definition: 'open AR past its due date at D / open AR at D; 0 without open AR',
    derive: (r) => ratio(r.overdue_ar_rc, r.open_ar_rc) ?? 0,
  },
  {
    name: 'unpaid_recent_due_share',
    label: 'Share of recently due invoices unpaid',
    definition: 'invoices due in the 3 months up to D and not settled by D / invoices due in those 3 months',
    derive: (r) => ratio(r.unpaid_due_3m, r.due_3m),
  },
  {
    name: 'partial_payment_ratio_12m',
    label: 'Partial-payment ratio (12 months)',
    definition:
      'payment applications in the 12 months up to D for less than the invoice amount / all applications in them',
    derive: (r) => ratio(r.partial_applications_12m, r.applications_12m),
  },
  {
    name: 'days_since_last_payment',
    logged: true,
    label: 'Days since last payment',
    definition:
      'log(1 + days from the last payment applied on or before D to D); without a payment, the days since the first invoice',
    derive: (r) => log1p(r.days_since_last_payment ?? r.tenure_days),
  },
  {
    name: 'disputes_12m',
    logged: true,
    label: 'Disputes opened (12 months)',
    definition: 'log(1 + disputes opened in the 12 months up to D)',
    derive: (r) => log1p(r.disputes_12m),
  },
  {
    name: 'open_disputes',
    logged: true,
    label: 'Open disputes',
    definition: 'log(1 + disputes opened on or before D and not resolved by D)',
    derive: (r) => log1p(r.open_disputes),
  },
  {
    name: 'broken_promises_12m',
    logged: true,
    label: 'Broken promises to pay (12 months)',
    definition:
      'log(1 + promises to pay whose promised date fell in the 12 months before D without the promised amount paid by then)',
    derive: (r) => log1p(r.broken_promises_12m),
  },
  {
    name: 'broken_promise_ratio_12m',
    label: 'Share of promises broken (12 months)',
    definition: 'broken promises / promises whose promised date fell in the 12 months before D',
    derive: (r) => ratio(r.broken_promises_12m, r.promises_due_12m),
  },
  {
    name: 'collection_contacts_3m',
    logged: true,
    label: 'Collection contacts (3 months)',
    definition: 'log(1 + collection activities dated in the 3 months up to D)',
    derive: (r) => log1p(r.contacts_3m),
  },
  {
    name: 'credit_utilisation',
    label: 'Credit utilisation',
    definition:
      'open AR at D / credit limit, both at the reporting-currency rate of D, capped at 5; NULL without a limit',
    derive: (r) => clip(ratio(r.open_ar_rc, r.credit_limit_rc), 0, 5),
  },
  {
    name: 'has_credit_limit',
    label: 'Has a credit limit',
    definition: '1 if the customer master has a credit limit above 0, else 0',
    derive: (r) => (r.credit_limit_rc !== null && r.credit_limit_rc > 0 ? 1 : 0),
  },
  {
    name: 'balance_growth_3m',
    label: 'Balance growth (3 months)',
    definition: 'log(1 + open AR at D) − log(1 + open AR 91 days before D), reporting currency',
    derive: (r) => {
      const now = log1p(r.open_ar_rc);
      const before = log1p(r.open_ar_rc_3m_ago);
      return now === null || before === null ? null : now - before;
    },
  },
  {
    name: 'invoice_amount_cv_12m',
    label: 'Invoice-size dispersion (12 months)',
    definition:
      'coefficient of variation (population sd / mean) of invoice amounts issued in the 12 months up to D; NULL below 2 invoices',
    derive: (r) => clip(r.invoice_amount_cv_12m, 0, 10),
  },
  {
    name: 'tenure_years',
    label: 'Tenure (years)',
    definition: 'years from the first invoice to D',
    derive: (r) => (r.tenure_days === null ? null : r.tenure_days / 365.25),
  },
  {
    name: 'invoices_12m',
    logged: true,
    label: 'Invoices (12 months)',
    definition: 'log(1 + invoices issued in the 12 months up to D)',
    derive: (r) => log1p(r.invoices_12m),
  },
  {
    name: 'billed_12m',
    logged: true,
    label: 'Billed (12 months)',
    definition: 'log(1 + amount invoiced in the 12 months up to D, reporting currency at issue-date rates)',
    derive: (r) => log1p(r.billed_12m_rc),
  },
  {
    name: 'open_ar',
    logged: true,
    label: 'Open AR',
    definition: 'log(1 + open AR at D, reporting currency at the rate of D)',
    derive: (r) => log1p(r.open_ar_rc),
  },
  {
    name: 'payment_terms_days',
    label: 'Payment terms (days)',
    definition: "the customer's payment terms in days (customer master)",
    derive: (r) => r.payment_terms_days,
  },
];

export const CATEGORICAL_FEATURES: readonly { name: Categorical; label: string; definition: string }[] = [
  { name: 'region', label: 'Region', definition: 'customer master region, one-hot' },
  { name: 'segment', label: 'Segment', definition: 'customer master segment, one-hot' },
  { name: 'industry', label: 'Industry', definition: 'customer master industry, one-hot' },
];

/** The feature spec as recorded with a model: every input's name and definition, in order. */
export interface FeatureSpec {
  readonly numeric: readonly { name: string; definition: string }[];
  readonly categorical: readonly { name: string; definition: string }[];
}

export function featureSpec(): FeatureSpec {
  return {
    numeric: NUMERIC_FEATURES.map((f) => ({ name: f.name, definition: f.definition })),
    categorical: CATEGORICAL_FEATURES.map((f) => ({ name: f.name, definition: f.definition })),
  };
}

/** What differs between the features a model was trained on and the ones this code builds. */
export interface FeatureDiff {
  readonly missing: string[];
  readonly extra: string[];
  readonly changed: string[];
  readonly reordered: boolean;
}

/** `model` = the model's recorded spec; `code` = what this version of ARLens builds. */
export function diffFeatures(model: FeatureSpec, code: FeatureSpec): FeatureDiff {
  const list = (s: FeatureSpec) => [
    ...s.numeric,
    ...s.categorical.map((c) => ({ ...c, name: `${c.name}=*` })),
  ];
  const m = list(model);
  const c = list(code);
  const cByName = new Map(c.map((f) => [f.name, f.definition]));
  const mNames = new Set(m.map((f) => f.name));
  const missing = m.filter((f) => !cByName.has(f.name)).map((f) => f.name);
  const extra = c.filter((f) => !mNames.has(f.name)).map((f) => f.name);
  const changed = m
    .filter((f) => cByName.has(f.name) && cByName.get(f.name) !== f.definition)
    .map((f) => f.name);
  const common = (l: typeof m) => l.map((f) => f.name).filter((n) => mNames.has(n) && cByName.has(n));
  const reordered = common(m).join('\n') !== common(c).join('\n');
  return { missing, extra, changed, reordered };
}

export function sameFeatures(d: FeatureDiff): boolean {
  return d.missing.length === 0 && d.extra.length === 0 && d.changed.length === 0 && !d.reordered;
}

/** The model inputs of one raw row before preprocessing (NULL where undefined). */
export interface DerivedFeatures {
  readonly numeric: (number | null)[];
  readonly categorical: (string | null)[];
}

export function derive(r: RawFeatures): DerivedFeatures {
  return {
    numeric: NUMERIC_FEATURES.map((f) => {
      const v = f.derive(r);
      return v === null || Number.isFinite(v) ? v : null;
    }),
    categorical: CATEGORICAL_FEATURES.map((f) => r[f.name]),
  };
}

/** Imputation, standardisation and one-hot vocabularies, fitted on the training rows only. */
export interface Preprocessor {
  readonly numeric: readonly { name: string; mean: number; sd: number }[];
  /** `values` in column order; `shares` = each value's share of the training rows (its mean). */
  readonly categorical: readonly { name: string; values: string[]; shares: number[] }[];
  /** Standardised values are clipped to ±clip. */
  readonly clip: number;
}

/**
 * Fit the preprocessing on the training rows. `names` lists the numeric and categorical inputs in the
 * rows' order (default: the risk model's features; a plain feature table brings its own).
 */
export function fitPreprocessor(
  rows: readonly DerivedFeatures[],
  clipAt = 5,
  names: { readonly numeric: readonly string[]; readonly categorical: readonly string[] } = {
    numeric: NUMERIC_FEATURES.map((f) => f.name),
    categorical: CATEGORICAL_FEATURES.map((f) => f.name),
  },
): Preprocessor {
  if (rows.length === 0) throw new Error('cannot fit the preprocessing on zero rows');
  const numeric = names.numeric.map((name, j) => {
    let n = 0;
    let sum = 0;
    for (const r of rows) {
      const v = r.numeric[j];
      if (v !== null && v !== undefined) {
        n++;
        sum += v;
      }
    }
    const mean = n > 0 ? sum / n : 0;
    let ss = 0;
    for (const r of rows) {
      const v = r.numeric[j] ?? mean;
      ss += (v - mean) * (v - mean);
    }
    const sd = Math.sqrt(ss / rows.length);
    return { name, mean, sd: sd > 1e-12 ? sd : 1 };
  });
  const categorical = names.categorical.map((name, j) => {
    const count = new Map<string, number>();
    for (const r of rows) {
      const v = r.categorical[j];
      if (v !== null && v !== undefined) count.set(v, (count.get(v) ?? 0) + 1);
    }
    const values = [...count.keys()].sort();
    return { name, values, shares: values.map((v) => (count.get(v) ?? 0) / rows.length) };
  });
  return { numeric, categorical, clip: clipAt };
}

/** Matrix column names: the numeric features, then `<categorical>=<value>` one-hot columns. */
export function columnNames(p: Preprocessor): string[] {
  return [
    ...p.numeric.map((n) => n.name),
    ...p.categorical.flatMap((c) => c.values.map((v) => `${c.name}=${v}`)),
  ];
}

/**
 * Column groups for explanations: each numeric feature is one group, each categorical feature one
 * group of its one-hot columns. `baseline` is what the group is set to when "removed": the training
 * mean (0 after standardisation) for numeric features, the value shares for one-hot columns.
 */
export interface ColumnGroup {
  readonly name: string;
  readonly columns: number[];
  readonly baseline: number[];
}

export function columnGroups(p: Preprocessor): ColumnGroup[] {
  const groups: ColumnGroup[] = p.numeric.map((n, j) => ({ name: n.name, columns: [j], baseline: [0] }));
  let col = p.numeric.length;
  for (const c of p.categorical) {
    const columns = c.values.map((_, k) => col + k);
    col += c.values.length;
    groups.push({ name: c.name, columns, baseline: [...c.shares] });
  }
  return groups;
}

/** Row-major Float32 design matrix. */
export interface Matrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

export function transform(rows: readonly DerivedFeatures[], p: Preprocessor): Matrix {
  const cols = p.numeric.length + p.categorical.reduce((a, c) => a + c.values.length, 0);
  const data = new Float32Array(rows.length * cols);
  const index = p.categorical.map((c) => new Map(c.values.map((v, k) => [v, k])));
  rows.forEach((r, i) => {
    const base = i * cols;
    p.numeric.forEach((n, j) => {
      const v = r.numeric[j] ?? n.mean;
      data[base + j] = Math.min(p.clip, Math.max(-p.clip, (v - n.mean) / n.sd));
    });
    let col = p.numeric.length;
    p.categorical.forEach((c, j) => {
      const v = r.categorical[j];
      const k = v === null || v === undefined ? undefined : index[j]?.get(v);
      if (k !== undefined) data[base + col + k] = 1;
      col += c.values.length;
    });
  });
  return { data, rows: rows.length, cols };
}

/** A feature's value for people: logged features back on their own scale, numbers rounded, categories as text. */
export function displayValue(r: DerivedFeatures, group: string): number | string | null {
  const j = NUMERIC_FEATURES.findIndex((f) => f.name === group);
  if (j >= 0) {
    const v = r.numeric[j] ?? null;
    if (v === null) return null;
    return NUMERIC_FEATURES[j]?.logged ? Math.round(Math.expm1(v) * 100) / 100 : Math.round(v * 1000) / 1000;
  }
  const k = CATEGORICAL_FEATURES.findIndex((f) => f.name === group);
  if (k >= 0) return r.categorical[k] ?? null;
  throw new Error(`unknown feature ${group}`);
}
