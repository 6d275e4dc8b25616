/**
 * The payment-timing model: a discrete-time hazard by week. For an item open at an origin D, week k
 * (k = 1…13) is the days (D + 7(k−1), D + 7k]; the model gives h_k = P(a payment closes the item in
 * week k | it is open at the start of week k), a logistic regression (ml/logistic.ts, Newton's method
 * to convergence) on one row per item and week it was open ("person-period" rows). The item's
 * payment-week distribution is P(k) = h_k · Π_{j<k} (1 − h_j); what is left after week 13 is "later
 * or never".
 *
 * Each row's features are the item's state at D (only what was known then) placed relative to the
 * week: where the customer's habitual payment day (due date + their recent mean lateness) falls
 * relative to the week, days past due at the week's end, a promise to pay dated in the week, an open
 * dispute, dunning contacts, partial payment, the spread of the customer's lateness, the amount,
 * quarter and year ends, the region. Pure: no I/O, deterministic.
 */
import type { Matrix } from '../ml/features.ts';
import { fitLogistic, logisticMargin, type LogisticFit } from '../ml/logistic.ts';
import { civilFromDays } from '../core/calendar.ts';

export const HORIZON_WEEKS = 13;

/** What the model reads of an item (a subset of items.server.ts OpenItem). */
export interface ItemState {
  readonly customerId: string;
  readonly region: string;
  readonly dueDay: number;
  readonly openAmountRc: number;
  readonly partlyPaid: boolean;
  readonly settled12m: number;
  readonly meanLate12m: number | null;
  readonly sdLate12m: number | null;
  readonly meanLate3m: number | null;
  readonly settled3m: number;
  readonly shareLate12m: number | null;
  readonly disputeOpen: boolean;
  readonly contacts: number;
  readonly promisedDay: number | null;
}

/** Outcome after the origin, for training: the day a payment (or something else) closed the item. */
export interface ItemOutcome {
  readonly closedDay: number | null;
  readonly closedByPayment: boolean;
}

/** Bins of (habitual payment day − week start), in days; the last bin is open-ended. */
const HABIT_BINS = [-56, -28, -14, -7, 0, 7, 14, 28, 56] as const;
const HABIT_LABELS = [
  '≤−56',
  '−55…−28',
  '−27…−14',
  '−13…−7',
  '−6…0',
  'in week',
  '+8…14',
  '+15…28',
  '+29…56',
  '>56',
];
/** Bins of days past due at the week's end. */
const DPD_BINS = [0, 30, 90, 180] as const;
const DPD_LABELS = ['not due', '1–30', '31–90', '91–180', '>180'];

const binOf = (x: number, edges: readonly number[]) => {
  let b = 0;
  while (b < edges.length && x > (edges[b] as number)) b++;
  return b;
};

/** The customer's habitual lateness (signed days) as known at the origin, or null without history. */
export function habitLateness(s: ItemState): number | null {
  if (s.settled3m >= 2 && s.meanLate3m !== null) return s.meanLate3m;
  return s.meanLate12m;
}

function isQuarterEndWeek(startDay: number): [boolean, boolean] {
  let quarter = false;
  let year = false;
  for (let d = startDay + 1; d <= startDay + 7; d++) {
    const [, m, dd] = civilFromDays(d);
    const [, m2] = civilFromDays(d + 1);
    if (m2 !== m && m % 3 === 0) quarter = true;
    if (m === 12 && dd === 31) year = true;
  }
  return [quarter, year];
}

export interface FeatureLayout {
  readonly names: readonly string[];
  readonly regions: readonly string[];
  /** The lateness assumed for a customer without settled invoices in the 12 months (training median). */
  readonly fallbackLateness: number;
}

export function featureLayout(regions: readonly string[], fallbackLateness: number): FeatureLayout {
  const names = [
    ...HABIT_LABELS.map((l) => `habit_day ${l}`),
    ...DPD_LABELS.map((l) => `days_past_due ${l}`),
    'due_in_week',
    'habit_in_week × punctual',
    'no_history',
    'log_sd_lateness',
    'share_paid_late',
    'promise_in_week',
    'promise_passed',
    'promise_later',
    'dispute_open',
    'log_contacts',
    'partly_paid',
    'log_amount',
    'first_week',
    'log_week',
    'quarter_end_week',
    'year_end_week',
    ...regions.map((r) => `region ${r}`),
  ];
  return { names, regions, fallbackLateness };
}

/** The raw feature row of item `s` at origin day `origin`, week k (1-based), written into `out`. */
export function rowFeatures(
  layout: FeatureLayout,
  s: ItemState,
  origin: number,
  k: number,
  out: Float32Array,
  at: number,
): void {
  const start = origin + 7 * (k - 1);
  const end = start + 7;
  const habit = habitLateness(s);
  const late = habit ?? layout.fallbackLateness;
  const habitDay = s.dueDay + Math.round(late);
  let j = at;
  const hb = binOf(habitDay - start, HABIT_BINS);
  for (let b = 0; b < HABIT_LABELS.length; b++) out[j++] = b === hb ? 1 : 0;
  const db = binOf(end - s.dueDay, DPD_BINS);
  for (let b = 0; b < DPD_LABELS.length; b++) out[j++] = b === db ? 1 : 0;
  out[j++] = s.dueDay > start && s.dueDay <= end ? 1 : 0;
  const sd = s.sdLate12m ?? 10;
  out[j++] = habitDay > start && habitDay <= end ? Math.exp(-sd / 5) : 0;
  out[j++] = habit === null ? 1 : 0;
  out[j++] = Math.log1p(sd);
  out[j++] = s.shareLate12m ?? 0.5;
  const p = s.promisedDay;
  out[j++] = p !== null && p > start && p <= end ? 1 : 0;
  out[j++] = p !== null && p <= start && p > origin - 30 ? 1 : 0;
  out[j++] = p !== null && p > end ? 1 : 0;
  out[j++] = s.disputeOpen ? 1 : 0;
  out[j++] = Math.log1p(s.contacts);
  out[j++] = s.partlyPaid ? 1 : 0;
  out[j++] = Math.log(Math.max(1, s.openAmountRc));
  out[j++] = k === 1 ? 1 : 0;
  out[j++] = Math.log(k);
  const [q, y] = isQuarterEndWeek(start);
  out[j++] = q ? 1 : 0;
  out[j++] = y ? 1 : 0;
  for (const r of layout.regions) out[j++] = s.region === r ? 1 : 0;
}

/** One origin's items with their outcomes, known up to `cutoff` (a day number). */
export interface TrainingOrigin {
  readonly origin: number;
  readonly cutoff: number;
  readonly items: readonly (ItemState & ItemOutcome)[];
}

export interface PersonPeriods {
  readonly x: Matrix;
  readonly y: Uint8Array;
  /** Per row: the item's open amount (reporting currency) and the customer, for the bucket baseline. */
  readonly amount: Float64Array;
  readonly customer: string[];
  readonly dpdStart: Int32Array;
}

/**
 * One row per item and week, for the weeks that ended by the cutoff while the item was open: y = 1 in
 * the week a payment closed it; an item closed by a credit memo or write-off leaves the risk set
 * (censored) in that week.
 */
export function personPeriods(layout: FeatureLayout, origins: readonly TrainingOrigin[]): PersonPeriods {
  const cols = layout.names.length;
  const keep: { s: ItemState; origin: number; k: number; y: number }[] = [];
  for (const o of origins) {
    const weeks = Math.min(HORIZON_WEEKS, Math.floor((o.cutoff - o.origin) / 7));
    for (const s of o.items) {
      for (let k = 1; k <= weeks; k++) {
        const start = o.origin + 7 * (k - 1);
        const c = s.closedDay;
        if (c !== null && c <= start) break;
        if (c !== null && c <= start + 7) {
          if (s.closedByPayment) keep.push({ s, origin: o.origin, k, y: 1 });
          break;
        }
        keep.push({ s, origin: o.origin, k, y: 0 });
      }
    }
  }
  const data = new Float32Array(keep.length * cols);
  const y = new Uint8Array(keep.length);
  const amount = new Float64Array(keep.length);
  const dpdStart = new Int32Array(keep.length);
  const customer: string[] = [];
  keep.forEach((r, i) => {
    rowFeatures(layout, r.s, r.origin, r.k, data, i * cols);
    y[i] = r.y;
    amount[i] = r.s.openAmountRc;
    customer.push(r.s.customerId);
    dpdStart[i] = r.origin + 7 * (r.k - 1) - r.s.dueDay;
  });
  return { x: { data, rows: keep.length, cols }, y, amount, customer, dpdStart };
}

export interface Standardiser {
  readonly means: number[];
  readonly sds: number[];
}

export function fitStandardiser(x: Matrix): Standardiser {
  const means = new Array<number>(x.cols).fill(0);
  const sq = new Array<number>(x.cols).fill(0);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) {
      const v = x.data[i * x.cols + j] as number;
      means[j] = (means[j] as number) + v;
      sq[j] = (sq[j] as number) + v * v;
    }
  }
  const n = Math.max(1, x.rows);
  const sds = means.map((m, j) => {
    const mean = m / n;
    const v = (sq[j] as number) / n - mean * mean;
    return v > 1e-12 ? Math.sqrt(v) : 1;
  });
  return { means: means.map((m) => m / n), sds };
}

const CLIP = 6;

/** (x − mean) / sd per column, clipped at ±6. */
export function standardise(x: Matrix, s: Standardiser): Matrix {
  const data = new Float32Array(x.data.length);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) {
      const at = i * x.cols + j;
      const z = ((x.data[at] as number) - (s.means[j] as number)) / (s.sds[j] as number);
      // Values far outside the training range (an amount 10,000 times the largest seen) would
      // extrapolate the linear predictor without bound: clip at ±CLIP standard deviations.
      data[at] = z > CLIP ? CLIP : z < -CLIP ? -CLIP : z;
    }
  }
  return { data, rows: x.rows, cols: x.cols };
}

export interface HazardModel {
  readonly kind: 'hazard_logistic';
  readonly layout: FeatureLayout;
  readonly standardiser: Standardiser;
  readonly fit: LogisticFit;
  readonly trainingRows: number;
  readonly trainingEvents: number;
}

/** Fit the hazard model on the origins' person-period rows. */
export function fitHazard(
  origins: readonly TrainingOrigin[],
  o: { l2?: number; seed?: number } = {},
): HazardModel {
  const regions = [...new Set(origins.flatMap((x) => x.items.map((i) => i.region)))].sort();
  const lates = origins
    .flatMap((x) => x.items.map(habitLateness))
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  const fallback = lates.length ? (lates[Math.floor(lates.length / 2)] as number) : 0;
  const layout = featureLayout(regions, fallback);
  const pp = personPeriods(layout, origins);
  if (pp.x.rows === 0) throw new Error('no item-weeks to train the payment-timing model on');
  const standardiser = fitStandardiser(pp.x);
  const x = standardise(pp.x, standardiser);
  const fit = fitLogistic(x, pp.y, { l2: o.l2 ?? 1e-3, seed: o.seed ?? 1, maxIterations: 50 });
  let events = 0;
  for (const v of pp.y) events += v;
  return {
    kind: 'hazard_logistic',
    layout,
    standardiser,
    fit,
    trainingRows: pp.x.rows,
    trainingEvents: events,
  };
}

/**
 * Each item's payment-week distribution: 13 probabilities (weeks 1…13 after the origin); 1 − their sum
 * is "later or never".
 */
export function predictWeeks(m: HazardModel, items: readonly ItemState[], origin: number): Float64Array[] {
  const cols = m.layout.names.length;
  const raw = new Float32Array(items.length * HORIZON_WEEKS * cols);
  items.forEach((s, i) => {
    for (let k = 1; k <= HORIZON_WEEKS; k++) {
      rowFeatures(m.layout, s, origin, k, raw, (i * HORIZON_WEEKS + k - 1) * cols);
    }
  });
  const x = standardise({ data: raw, rows: items.length * HORIZON_WEEKS, cols }, m.standardiser);
  const eta = logisticMargin(m.fit, x);
  return items.map((_, i) => {
    const out = new Float64Array(HORIZON_WEEKS);
    let survive = 1;
    for (let k = 0; k < HORIZON_WEEKS; k++) {
      const z = eta[i * HORIZON_WEEKS + k] as number;
      const h = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
      out[k] = survive * h;
      survive -= survive * h;
    }
    return out;
  });
}

/** The coefficients by feature name, largest first (for the docs and the CLI). */
export function coefficientTable(m: HazardModel): { feature: string; coefficient: number }[] {
  return m.layout.names
    .map((feature, j) => ({ feature, coefficient: m.fit.coefficients[j] as number }))
    .sort((a, b) => Math.abs(b.coefficient) - Math.abs(a.coefficient));
}
