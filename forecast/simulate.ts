/**
 * Intervals by simulation (fixed seed): each draw decides, for every item, the week it is paid in (or
 * not within the 13 weeks) from its payment-week distribution, and the day within that week (one of
 * its five weekdays, uniformly), then adds its amount to every group and period it belongs to. The
 * 10th and 90th percentiles over the draws make the 80 % interval.
 *
 * Items of one customer are not independent (payment runs, a customer in trouble pays nothing): the
 * draws use a Gaussian copula with one common factor per customer, u = Φ(ρ·z_customer + √(1−ρ²)·z_item),
 * and ρ is chosen on validation so that the intervals cover near 80 % (backtest.server.ts). Pure.
 */
import { SeededRandom } from '../core/random.ts';
import { weekday } from '../core/calendar.ts';
import { HORIZON_WEEKS } from './hazard.ts';

export const HORIZON_DAYS = HORIZON_WEEKS * 7;

export interface SimItem {
  readonly customerId: string;
  readonly probs: ArrayLike<number>;
  /** The groups the item counts in, each with the amount it adds (reporting or document currency). */
  readonly groups: readonly { readonly key: number; readonly amount: number }[];
}

export interface SimOptions {
  readonly sims: number;
  readonly seed: number;
  readonly rho: number;
  readonly groupCount: number;
  /** The period indexes (0 … periodCount−1) a day offset (1 … 91 after the origin) counts in. */
  readonly periodsOfDay: (offset: number) => readonly number[];
  readonly periodCount: number;
  /** The origin's day number (to place weekdays). */
  readonly origin: number;
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 on erf; absolute error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Simulated totals: index (sim · groupCount + group) · periodCount + period. */
export function simulate(items: readonly SimItem[], o: SimOptions): Float64Array {
  if (!(o.rho >= 0 && o.rho < 1)) throw new Error('rho must be in [0, 1)');
  const rng = new SeededRandom(o.seed);
  const out = new Float64Array(o.sims * o.groupCount * o.periodCount);
  const customers = [...new Set(items.map((i) => i.customerId))];
  const index = new Map(customers.map((c, i) => [c, i]));
  const common = new Float64Array(customers.length);
  const weekdaysOf: number[][] = [];
  for (let k = 0; k < HORIZON_WEEKS; k++) {
    const days: number[] = [];
    for (let d = 7 * k + 1; d <= 7 * k + 7; d++) {
      const wd = weekday(o.origin + d);
      if (wd >= 1 && wd <= 5) days.push(d);
    }
    weekdaysOf.push(days);
  }
  const periods: (readonly number[])[] = [];
  for (let d = 0; d <= HORIZON_DAYS; d++) periods.push(d === 0 ? [] : o.periodsOfDay(d));
  const idio = Math.sqrt(1 - o.rho * o.rho);
  for (let s = 0; s < o.sims; s++) {
    for (let c = 0; c < common.length; c++) common[c] = rng.normal();
    const base = s * o.groupCount;
    for (const it of items) {
      const u = normalCdf(
        o.rho * (common[index.get(it.customerId) as number] as number) + idio * rng.normal(),
      );
      let acc = 0;
      let week = -1;
      for (let k = 0; k < HORIZON_WEEKS; k++) {
        acc += it.probs[k] as number;
        if (u < acc) {
          week = k;
          break;
        }
      }
      if (week < 0) continue;
      const days = weekdaysOf[week] as number[];
      const day = days[Math.floor(rng.next() * days.length)] as number;
      for (const p of periods[day] as readonly number[]) {
        for (const g of it.groups) {
          const at = (base + g.key) * o.periodCount + p;
          out[at] = (out[at] as number) + g.amount;
        }
      }
    }
  }
  return out;
}

/** The q-quantile (0…1) over the draws of one group and period (linear interpolation). */
export function quantiles(
  draws: Float64Array,
  o: Pick<SimOptions, 'sims' | 'groupCount' | 'periodCount'>,
  group: number,
  period: number,
  qs: readonly number[],
): number[] {
  const v = new Float64Array(o.sims);
  for (let s = 0; s < o.sims; s++)
    v[s] = draws[((s * o.groupCount + group) * o.periodCount + period) as number] as number;
  v.sort();
  return qs.map((q) => {
    const pos = q * (o.sims - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(o.sims - 1, lo + 1);
    return (v[lo] as number) + ((v[hi] as number) - (v[lo] as number)) * (pos - lo);
  });
}
