/**
 * The three baselines the payment-timing model must beat (issue 20), each as a payment-week
 * distribution per item, like the model's (weeks 1…13 after the origin; the rest is "later"):
 *
 * - `due_date`: every item is paid on its due date; an item already past due is paid in week 1.
 * - `customer_delay`: on its due date plus the customer's average days late (the mean of
 *   max(0, settlement − due) over the 12 months up to the origin; 0 without history); in week 1 when
 *   that day has passed.
 * - `bucket_rate`: the customer's historical collection rate by age bucket: of the open amount in a
 *   bucket (days past due at the start of a week: not due, 1–30, 31–60, 61–90, over 90) at the start
 *   of a week, the share collected in that week, from the weeks observed before the origin; shrunk
 *   toward the portfolio's rate for the bucket with the weight of 4 item-weeks. The item rolls
 *   through the buckets week by week.
 */
import { HORIZON_WEEKS, type ItemState, type PersonPeriods } from './hazard.ts';

export const BASELINES = ['due_date', 'customer_delay', 'bucket_rate'] as const;
export type BaselineName = (typeof BASELINES)[number];

function onDay(day: number, origin: number): Float64Array {
  const out = new Float64Array(HORIZON_WEEKS);
  const k = Math.max(1, Math.ceil((day - origin) / 7));
  if (k <= HORIZON_WEEKS) out[k - 1] = 1;
  return out;
}

export function dueDateBaseline(items: readonly ItemState[], origin: number): Float64Array[] {
  return items.map((s) => onDay(s.dueDay, origin));
}

export function customerDelayBaseline(
  items: readonly (ItemState & { readonly meanDaysLate12m: number | null })[],
  origin: number,
): Float64Array[] {
  return items.map((s) => onDay(s.dueDay + Math.round(s.meanDaysLate12m ?? 0), origin));
}

const BUCKET_EDGES = [0, 30, 60, 90];
export const bucketOf = (dpd: number) => {
  let b = 0;
  while (b < BUCKET_EDGES.length && dpd > (BUCKET_EDGES[b] as number)) b++;
  return b;
};
const BUCKETS = BUCKET_EDGES.length + 1;
const PRIOR_WEIGHT = 4;

export interface BucketRates {
  readonly portfolio: number[];
  readonly customers: ReadonlyMap<string, number[]>;
}

/** Amount-weighted weekly collection rates by age bucket, per customer (shrunk) and for the portfolio. */
export function fitBucketRates(pp: PersonPeriods): BucketRates {
  const paid = new Array<number>(BUCKETS).fill(0);
  const open = new Array<number>(BUCKETS).fill(0);
  const per = new Map<string, { paid: number[]; open: number[]; n: number[] }>();
  for (let i = 0; i < pp.x.rows; i++) {
    const b = bucketOf(pp.dpdStart[i] as number);
    const a = pp.amount[i] as number;
    const y = pp.y[i] as number;
    paid[b] = (paid[b] as number) + a * y;
    open[b] = (open[b] as number) + a;
    const c = pp.customer[i] as string;
    let e = per.get(c);
    if (!e) {
      e = {
        paid: new Array(BUCKETS).fill(0),
        open: new Array(BUCKETS).fill(0),
        n: new Array(BUCKETS).fill(0),
      };
      per.set(c, e);
    }
    e.paid[b] = (e.paid[b] as number) + a * y;
    e.open[b] = (e.open[b] as number) + a;
    e.n[b] = (e.n[b] as number) + 1;
  }
  const portfolio = paid.map((p, b) => ((open[b] as number) > 0 ? p / (open[b] as number) : 0));
  const customers = new Map<string, number[]>();
  for (const [c, e] of per) {
    customers.set(
      c,
      portfolio.map((prior, b) => {
        const n = e.n[b] as number;
        const rate = (e.open[b] as number) > 0 ? (e.paid[b] as number) / (e.open[b] as number) : prior;
        return (n * rate + PRIOR_WEIGHT * prior) / (n + PRIOR_WEIGHT);
      }),
    );
  }
  return { portfolio, customers };
}

export function bucketRateBaseline(
  rates: BucketRates,
  items: readonly ItemState[],
  origin: number,
): Float64Array[] {
  return items.map((s) => {
    const r = rates.customers.get(s.customerId) ?? rates.portfolio;
    const out = new Float64Array(HORIZON_WEEKS);
    let survive = 1;
    for (let k = 0; k < HORIZON_WEEKS; k++) {
      const rate = r[bucketOf(origin + 7 * k - s.dueDay)] as number;
      out[k] = survive * rate;
      survive -= survive * rate;
    }
    return out;
  });
}
