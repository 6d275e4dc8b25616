/**
 * Forecast accuracy, pure: weekly totals from payment-week distributions, WAPE, bias and interval
 * coverage over backtest origins.
 *
 * - WAPE at the 4-week horizon = Σ |forecast − actual| / Σ actual over every origin's weeks 1–4
 *   (portfolio totals per week, reporting currency at the origin's rate).
 * - Bias = Σ (forecast − actual) / Σ actual over the same weeks (positive: too optimistic).
 * - Coverage = the share of origin-weeks (1–13) whose actual lies in the 80 % interval [p10, p90].
 */
import { HORIZON_WEEKS } from './hazard.ts';

/** Σ_i amount_i · P_i(week k), k = 1…13. */
export function weeklyTotals(amounts: ArrayLike<number>, probs: readonly ArrayLike<number>[]): number[] {
  const out = new Array<number>(HORIZON_WEEKS).fill(0);
  probs.forEach((p, i) => {
    const a = amounts[i] as number;
    for (let k = 0; k < HORIZON_WEEKS; k++) out[k] = (out[k] as number) + a * (p[k] ?? 0);
  });
  return out;
}

export interface OriginWeeks {
  readonly forecast: readonly number[];
  readonly actual: readonly number[];
}

export function wape(rows: readonly OriginWeeks[], weeks = 4): number {
  let err = 0;
  let total = 0;
  for (const r of rows) {
    for (let k = 0; k < weeks; k++) {
      err += Math.abs((r.forecast[k] ?? 0) - (r.actual[k] ?? 0));
      total += r.actual[k] ?? 0;
    }
  }
  return total > 0 ? err / total : NaN;
}

export function bias(rows: readonly OriginWeeks[], weeks = 4): number {
  let err = 0;
  let total = 0;
  for (const r of rows) {
    for (let k = 0; k < weeks; k++) {
      err += (r.forecast[k] ?? 0) - (r.actual[k] ?? 0);
      total += r.actual[k] ?? 0;
    }
  }
  return total > 0 ? err / total : NaN;
}

export interface IntervalWeeks {
  readonly actual: readonly number[];
  readonly low: readonly number[];
  readonly high: readonly number[];
}

/** Share of origin-weeks (the first `weeks`) whose actual is inside [low, high]. */
export function coverage(rows: readonly IntervalWeeks[], weeks = HORIZON_WEEKS): number {
  let inside = 0;
  let n = 0;
  for (const r of rows) {
    for (let k = 0; k < weeks && k < r.actual.length; k++) {
      const a = r.actual[k] as number;
      if (a >= (r.low[k] as number) && a <= (r.high[k] as number)) inside++;
      n++;
    }
  }
  return n > 0 ? inside / n : NaN;
}
