/**
 * Backtests of the cash forecast: at each of the latest month-ends whose 13 weeks the data has seen,
 * everything is trained as it would have been then (train.ts: features as of each past origin,
 * outcomes censored at the backtest date, the serving method and ρ chosen on validation before it),
 * and every method's weekly forecast is compared with the cash that came in.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { formatDay, lastOfMonth, parseDay } from '../core/calendar.ts';
import { bias, coverage, wape, weeklyTotals, type OriginWeeks } from './evaluate.ts';
import { HORIZON_WEEKS } from './hazard.ts';
import { forecastDates, readActuals, readOpenItems } from './items.server.ts';
import {
  DEFAULT_SETTINGS,
  METHODS,
  MODEL_NAME,
  predictAll,
  totalIntervals,
  trainAt,
  type MethodName,
  type OriginData,
  type TrainSettings,
} from './train.ts';

/** Month-end origins from 90 days after the first invoice up to `to` (day numbers). */
export function originDays(firstInvoice: number, to: number): number[] {
  const out: number[] = [];
  for (let d = lastOfMonth(firstInvoice + 90); d <= to; d = lastOfMonth(d + 1)) out.push(d);
  return out;
}

/** Every month-end origin's open items and received cash, read once (outcomes up to the as-of date). */
export async function readOrigins(
  conn: DuckDBConnection,
  o: { from?: number; log?: (s: string) => void } = {},
): Promise<{ asOf: number; origins: OriginData[] }> {
  const dates = await forecastDates(conn);
  const asOf = parseDay(dates.asOf);
  const origins: OriginData[] = [];
  for (const d of originDays(parseDay(dates.firstInvoice), asOf)) {
    if (o.from !== undefined && d < o.from) continue;
    const origin = formatDay(d);
    const items = await readOpenItems(conn, origin, dates.asOf);
    const actual = await readActuals(conn, origin, dates.asOf);
    origins.push({ origin: d, items, actual });
  }
  o.log?.(`read ${origins.length} month-ends up to ${dates.asOf}`);
  return { asOf, origins };
}

export interface BacktestOrigin {
  readonly origin: string;
  readonly served: MethodName;
  readonly rho: number;
  readonly items: number;
  readonly actual: number[];
  readonly forecast: Record<MethodName, number[]>;
  /** The serving method's 80 % interval. */
  readonly low: number[];
  readonly high: number[];
  /** The hazard model's 80 % interval (with the ρ chosen for the serving method). */
  readonly modelLow: number[];
  readonly modelHigh: number[];
}

export interface BacktestResult {
  readonly asOf: string;
  readonly origins: BacktestOrigin[];
  readonly wape4w: Record<MethodName, number>;
  readonly bias4w: Record<MethodName, number>;
  readonly wape4wServed: number;
  /** Coverage of the hazard model's 80 % intervals over every origin's 13 weeks, and over weeks 1–4. */
  readonly coverage80: number;
  readonly coverage80FirstFourWeeks: number;
  readonly coverage80Served: number;
}

export function summarise(asOf: string, origins: BacktestOrigin[]): BacktestResult {
  const rows = (m: MethodName): OriginWeeks[] =>
    origins.map((o) => ({ forecast: o.forecast[m], actual: o.actual }));
  const wape4w = Object.fromEntries(METHODS.map((m) => [m, wape(rows(m))])) as Record<MethodName, number>;
  const bias4w = Object.fromEntries(METHODS.map((m) => [m, bias(rows(m))])) as Record<MethodName, number>;
  const served = origins.map((o) => ({ forecast: o.forecast[o.served], actual: o.actual }));
  const modelIntervals = origins.map((o) => ({ actual: o.actual, low: o.modelLow, high: o.modelHigh }));
  return {
    asOf,
    origins,
    wape4w,
    bias4w,
    wape4wServed: wape(served),
    coverage80: coverage(modelIntervals),
    coverage80FirstFourWeeks: coverage(modelIntervals, 4),
    coverage80Served: coverage(origins.map((o) => ({ actual: o.actual, low: o.low, high: o.high }))),
  };
}

/**
 * Backtest at the latest `count` month-ends whose 13 weeks end by the as-of date (each needs a year
 * of month-ends before it to train on).
 */
export async function runBacktest(
  conn: DuckDBConnection,
  o: { count?: number; atMost?: boolean; settings?: TrainSettings; log?: (s: string) => void } = {},
): Promise<BacktestResult> {
  const count = o.count ?? 12;
  const settings = o.settings ?? DEFAULT_SETTINGS;
  const { asOf, origins } = await readOrigins(conn, { log: o.log });
  const eligible = origins.filter((d) => d.origin + 7 * HORIZON_WEEKS <= asOf);
  const picked = eligible.slice(-count);
  if (picked.length < count && !(o.atMost && picked.length > 0)) {
    throw new Error(
      `a backtest at ${count} month-ends needs ${count} month-ends whose 13 weeks are in the data; it has ${picked.length}`,
    );
  }
  const out: BacktestOrigin[] = [];
  for (const d of picked) {
    const t = performance.now();
    const trained = trainAt(origins, d.origin, settings);
    const preds = predictAll(trained, d.items, d.origin);
    const amounts = d.items.map((i) => i.openAmountRc);
    const forecast = Object.fromEntries(METHODS.map((m) => [m, weeklyTotals(amounts, preds[m])])) as Record<
      MethodName,
      number[]
    >;
    const sim = { sims: settings.sims, seed: settings.seed, rho: trained.rho };
    const iv = totalIntervals(d.items, preds[trained.served], d.origin, sim);
    const mv = trained.served === MODEL_NAME ? iv : totalIntervals(d.items, preds[MODEL_NAME], d.origin, sim);
    out.push({
      origin: formatDay(d.origin),
      served: trained.served,
      rho: trained.rho,
      items: d.items.length,
      actual: [...d.actual],
      forecast,
      low: iv.low,
      high: iv.high,
      modelLow: mv.low,
      modelHigh: mv.high,
    });
    o.log?.(
      `backtest ${formatDay(d.origin)}: ${d.items.length} items, ${trained.hazard.trainingRows} item-weeks, ` +
        `${trained.served} serves, rho ${trained.rho} (${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );
  }
  return summarise(formatDay(asOf), out);
}
