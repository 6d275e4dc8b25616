/**
 * The cash forecast at the warehouse's as-of date, written into the warehouse (schema `ml`, beside the
 * risk scores) on the caller's connection — the caller runs it inside a warehouse job
 * (withNextGeneration), so the tables are published atomically and Cube serves them read-only:
 *
 * - ml.cash_forecast_items: every open item, its probability of being paid within 13 weeks, its
 *   expected payment date (the median of its distribution, NULL when that is beyond 13 weeks), the
 *   "never paid" mass from the risk model's PD;
 * - ml.cash_forecast_lines: expected receipts per item and weekday (each week's probability spread
 *   evenly over its five weekdays), in document and reporting currency, exact DECIMAL;
 * - ml.cash_forecast_intervals: expected receipts and the 80 % interval per grouping (total, region,
 *   currency, product line, customer), grain (day, week, month) and period;
 * - ml.cash_forecast_backtest / ml.cash_forecast_evaluation: the latest backtest, when one was run;
 * - ml.cash_forecast_status: one row (as-of date, serving method, ρ, validation figures).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { addDays, firstOfMonth, formatDay, lastOfMonth, weekday } from '../core/calendar.ts';
import { queryRows, tableExists, connQuery } from '../warehouse/convert.ts';
import { run } from '../warehouse/duckdb.ts';
import { runBacktest, readOrigins, type BacktestResult } from './backtest.server.ts';
import { HORIZON_WEEKS } from './hazard.ts';
import { readOpenItems, type OpenItem } from './items.server.ts';
import { quantiles, simulate, HORIZON_DAYS, type SimItem } from './simulate.ts';
import {
  DEFAULT_SETTINGS,
  METHODS,
  predictAll,
  TRAIN_DAYS,
  trainAt,
  VALIDATION_DAYS,
  type MethodName,
  type TrainSettings,
} from './train.ts';

export const GROUPINGS = ['total', 'region', 'currency', 'product_line', 'customer'] as const;
export type Grouping = (typeof GROUPINGS)[number];
export const GRAINS = ['day', 'week', 'month'] as const;
export type Grain = (typeof GRAINS)[number];

export interface ForecastSummary {
  readonly asOfDate: string;
  readonly servedMethod: MethodName;
  readonly rho: number;
  readonly items: number;
  readonly validationWape: Record<MethodName, number>;
  readonly trainingRows: number;
  readonly backtest: BacktestResult | null;
  readonly seconds: number;
}

export interface ForecastOptions {
  readonly settings?: TrainSettings;
  /** Month-ends to backtest too (0: keep the stored backtest). */
  readonly backtestOrigins?: number;
  /** Backtest as many of those month-ends as the data has (at least one), instead of failing. */
  readonly backtestAtMost?: boolean;
  readonly now?: Date;
  readonly log?: (s: string) => void;
}

interface Period {
  readonly grain: Grain;
  readonly start: number;
  readonly end: number;
}

/** The periods of the 13 weeks after `origin`: weekdays, weeks, and calendar months clipped to the horizon. */
export function horizonPeriods(origin: number): { periods: Period[]; ofDay: (offset: number) => number[] } {
  const periods: Period[] = [];
  const dayIndex = new Map<number, number>();
  for (let d = 1; d <= HORIZON_DAYS; d++) {
    const w = weekday(origin + d);
    if (w >= 1 && w <= 5) {
      dayIndex.set(d, periods.length);
      periods.push({ grain: 'day', start: origin + d, end: origin + d });
    }
  }
  const firstWeek = periods.length;
  for (let k = 0; k < HORIZON_WEEKS; k++)
    periods.push({ grain: 'week', start: origin + 7 * k + 1, end: origin + 7 * k + 7 });
  const months: number[] = [];
  for (let m = firstOfMonth(origin + 1); m <= origin + HORIZON_DAYS; m = lastOfMonth(m) + 1) {
    months.push(periods.length);
    periods.push({
      grain: 'month',
      start: Math.max(m, origin + 1),
      end: Math.min(lastOfMonth(m), origin + HORIZON_DAYS),
    });
  }
  const ofDay = (offset: number) => {
    const out: number[] = [];
    const di = dayIndex.get(offset);
    if (di !== undefined) out.push(di);
    out.push(firstWeek + Math.ceil(offset / 7) - 1);
    const day = origin + offset;
    for (const mi of months) {
      const p = periods[mi] as Period;
      if (day >= p.start && day <= p.end) out.push(mi);
    }
    return out;
  };
  return { periods, ofDay };
}

/** The day where an item's cumulative payment probability reaches ½ (weekdays, evenly), or null. */
export function medianDay(probs: ArrayLike<number>, origin: number): number | null {
  let acc = 0;
  for (let k = 0; k < HORIZON_WEEKS; k++) {
    const p = probs[k] as number;
    if (acc + p >= 0.5 && p > 0) {
      const days: number[] = [];
      for (let d = 7 * k + 1; d <= 7 * k + 7; d++) {
        const w = weekday(origin + d);
        if (w >= 1 && w <= 5) days.push(origin + d);
      }
      const share = (0.5 - acc) / p;
      return days[Math.min(days.length - 1, Math.floor(share * days.length))] as number;
    }
    acc += p;
  }
  return null;
}

const ts = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');

async function readPds(conn: DuckDBConnection, asOf: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (!(await tableExists(connQuery(conn), 'ml', 'customer_risk_scores'))) return out;
  const rows = await queryRows(
    conn,
    'SELECT customer_id, probability_of_default FROM ml.customer_risk_scores WHERE as_of_date = CAST(? AS DATE)',
    [asOf],
  );
  for (const r of rows) out.set(String(r['customer_id']), Number(r['probability_of_default']));
  return out;
}

/** Compute the forecast as of the warehouse's as-of date and replace the ml.cash_forecast_* tables on `conn`. */
export async function writeForecast(
  conn: DuckDBConnection,
  o: ForecastOptions = {},
): Promise<ForecastSummary> {
  const started = performance.now();
  const settings = o.settings ?? DEFAULT_SETTINGS;
  const log = o.log ?? (() => {});
  const now = o.now ?? new Date();
  const { asOf, origins } = await readOrigins(conn, { log });
  const asOfDate = formatDay(asOf);
  const usable = origins.filter((d) => d.origin >= asOf - TRAIN_DAYS - VALIDATION_DAYS - 31);
  const trained = trainAt(usable, asOf, settings);
  const items = await readOpenItems(conn, asOfDate);
  const probs = predictAll(trained, items, asOf)[trained.served];
  const pds = await readPds(conn, asOfDate);
  log(
    `forecast as of ${asOfDate}: ${items.length} open items, ${trained.served} serves ` +
      `(trained on ${trained.hazard.trainingRows} item-weeks), rho ${trained.rho}`,
  );

  await run(conn, 'CREATE SCHEMA IF NOT EXISTS ml');
  await writeItemsAndLines(conn, items, probs, pds, asOf, trained.served, now);
  await writeIntervals(conn, items, probs, asOf, { ...settings, rho: trained.rho });
  let backtest: BacktestResult | null = null;
  if ((o.backtestOrigins ?? 0) > 0) {
    backtest = await runBacktest(conn, {
      count: o.backtestOrigins,
      atMost: o.backtestAtMost ?? false,
      settings,
      log,
    });
    await writeBacktest(conn, backtest, now);
  }
  await run(conn, 'DROP TABLE IF EXISTS ml.cash_forecast_status');
  await run(
    conn,
    `CREATE TABLE ml.cash_forecast_status (as_of_date DATE, served_method VARCHAR, rho DOUBLE, items INTEGER,
       training_rows INTEGER, validation_wape_4w VARCHAR, forecast_at TIMESTAMP)`,
  );
  await run(
    conn,
    'INSERT INTO ml.cash_forecast_status VALUES (CAST(? AS DATE), ?, ?, ?, ?, ?, CAST(? AS TIMESTAMP))',
    [
      asOfDate,
      trained.served,
      trained.rho,
      items.length,
      trained.hazard.trainingRows,
      JSON.stringify(trained.validationWape),
      ts(now),
    ],
  );
  return {
    asOfDate,
    servedMethod: trained.served,
    rho: trained.rho,
    items: items.length,
    validationWape: trained.validationWape,
    trainingRows: trained.hazard.trainingRows,
    backtest,
    seconds: (performance.now() - started) / 1000,
  };
}

async function writeItemsAndLines(
  conn: DuckDBConnection,
  items: readonly OpenItem[],
  probs: readonly Float64Array[],
  pds: ReadonlyMap<string, number>,
  asOf: number,
  method: MethodName,
  now: Date,
): Promise<void> {
  await run(conn, 'DROP TABLE IF EXISTS ml._forecast_probs');
  await run(
    conn,
    `CREATE TABLE ml._forecast_probs (invoice_id VARCHAR, expected_date DATE, probability DOUBLE)`,
  );
  await run(conn, 'DROP TABLE IF EXISTS ml._forecast_items');
  await run(
    conn,
    `CREATE TABLE ml._forecast_items (invoice_id VARCHAR, probability_paid_13w DOUBLE, probability_never DOUBLE,
       expected_payment_date DATE)`,
  );
  const lines = await conn.createAppender('_forecast_probs', 'ml');
  const heads = await conn.createAppender('_forecast_items', 'ml');
  try {
    items.forEach((it, i) => {
      const p = probs[i] as Float64Array;
      let paid = 0;
      for (let k = 0; k < HORIZON_WEEKS; k++) {
        const pk = p[k] as number;
        paid += pk;
        if (pk <= 0) continue;
        const days: number[] = [];
        for (let d = 7 * k + 1; d <= 7 * k + 7; d++) {
          const w = weekday(asOf + d);
          if (w >= 1 && w <= 5) days.push(asOf + d);
        }
        for (const d of days) {
          lines.appendVarchar(it.invoiceId);
          lines.appendVarchar(formatDay(d));
          lines.appendDouble(pk / days.length);
          lines.endRow();
        }
      }
      const later = Math.max(0, 1 - paid);
      const median = medianDay(p, asOf);
      heads.appendVarchar(it.invoiceId);
      heads.appendDouble(Math.min(1, paid));
      heads.appendDouble(Math.min(later, pds.get(it.customerId) ?? 0));
      if (median === null) heads.appendNull();
      else heads.appendVarchar(formatDay(median));
      heads.endRow();
    });
    lines.flushSync();
    heads.flushSync();
  } finally {
    lines.closeSync();
    heads.closeSync();
  }
  // The items open at the as-of date, with their amounts as the forecast read them.
  await run(conn, 'DROP TABLE IF EXISTS ml._forecast_open');
  await run(
    conn,
    `CREATE TABLE ml._forecast_open (invoice_id VARCHAR, customer_id VARCHAR, region VARCHAR,
       credit_controller VARCHAR, currency_code VARCHAR, product_line VARCHAR, due_date DATE,
       open_amount DECIMAL(18, 2), rate DECIMAL(18, 8))`,
  );
  const open = await conn.createAppender('_forecast_open', 'ml');
  try {
    for (const it of items) {
      open.appendVarchar(it.invoiceId);
      open.appendVarchar(it.customerId);
      open.appendVarchar(it.region);
      open.appendVarchar(it.creditController);
      open.appendVarchar(it.currency);
      open.appendVarchar(it.productLine);
      open.appendVarchar(formatDay(it.dueDay));
      open.appendVarchar(it.openAmount);
      open.appendVarchar(it.rate);
      open.endRow();
    }
    open.flushSync();
  } finally {
    open.closeSync();
  }
  await run(conn, 'DROP TABLE IF EXISTS ml.cash_forecast_items');
  await run(
    conn,
    `CREATE TABLE ml.cash_forecast_items AS
     SELECT o.invoice_id, o.customer_id, c.customer_name, o.region, o.credit_controller, o.currency_code,
         o.product_line, o.due_date, o.open_amount,
         CAST(CAST(o.open_amount AS DECIMAL(38, 2)) * o.rate AS DECIMAL(18, 2)) AS open_amount_rc,
         h.probability_paid_13w, h.probability_never, h.expected_payment_date,
         CAST(CAST(o.open_amount AS DECIMAL(38, 2)) * CAST(h.probability_paid_13w AS DECIMAL(18, 9)) AS DECIMAL(18, 2)) AS expected_amount_13w,
         CAST(CAST(o.open_amount AS DECIMAL(38, 2)) * o.rate * CAST(h.probability_paid_13w AS DECIMAL(18, 9)) AS DECIMAL(18, 2))
             AS expected_amount_13w_rc,
         CAST(? AS DATE) AS as_of_date, CAST(? AS VARCHAR) AS method, CAST(? AS TIMESTAMP) AS forecast_at
     FROM ml._forecast_open AS o
     INNER JOIN ml._forecast_items AS h USING (invoice_id)
     LEFT JOIN marts.dim_customers AS c USING (customer_id)
     ORDER BY o.invoice_id`,
    [formatDay(asOf), method, ts(now)],
  );
  await run(conn, 'DROP TABLE IF EXISTS ml.cash_forecast_lines');
  await run(
    conn,
    `CREATE TABLE ml.cash_forecast_lines AS
     SELECT o.invoice_id, o.customer_id, o.region, o.credit_controller, o.currency_code, o.product_line,
         p.expected_date, p.probability,
         CAST(CAST(o.open_amount AS DECIMAL(38, 2)) * CAST(p.probability AS DECIMAL(18, 9)) AS DECIMAL(18, 2)) AS expected_amount,
         CAST(CAST(o.open_amount AS DECIMAL(38, 2)) * o.rate * CAST(p.probability AS DECIMAL(18, 9)) AS DECIMAL(18, 2)) AS expected_amount_rc,
         CAST(? AS DATE) AS as_of_date, CAST(? AS TIMESTAMP) AS forecast_at
     FROM ml._forecast_probs AS p
     INNER JOIN ml._forecast_open AS o USING (invoice_id)
     ORDER BY p.expected_date, o.invoice_id`,
    [formatDay(asOf), ts(now)],
  );
  await run(conn, 'DROP TABLE ml._forecast_probs');
  await run(conn, 'DROP TABLE ml._forecast_items');
}

/** Customers simulated together at most (memory: customers × 17 periods × sims). */
const CUSTOMER_CHUNK = 250;

async function writeIntervals(
  conn: DuckDBConnection,
  items: readonly OpenItem[],
  probs: readonly Float64Array[],
  asOf: number,
  s: { sims: number; seed: number; rho: number },
): Promise<void> {
  const { periods, ofDay } = horizonPeriods(asOf);
  await run(conn, 'DROP TABLE IF EXISTS ml._forecast_bounds');
  await run(
    conn,
    `CREATE TABLE ml._forecast_bounds (grouping VARCHAR, group_value VARCHAR, grain VARCHAR, period_start DATE,
       low_rc DOUBLE, high_rc DOUBLE, low_doc DOUBLE, high_doc DOUBLE)`,
  );
  const app = await conn.createAppender('_forecast_bounds', 'ml');
  const emit = (grouping: Grouping, value: string, p: Period, rc: number[], doc: number[] | null) => {
    app.appendVarchar(grouping);
    app.appendVarchar(value);
    app.appendVarchar(p.grain);
    app.appendVarchar(formatDay(p.start));
    app.appendDouble(rc[0] as number);
    app.appendDouble(rc[1] as number);
    if (doc) {
      app.appendDouble(doc[0] as number);
      app.appendDouble(doc[1] as number);
    } else {
      app.appendNull();
      app.appendNull();
    }
    app.endRow();
  };
  try {
    // Total, region, currency (reporting and document), product line: every period.
    const keys = new Map<string, number>();
    const key = (k: string) => {
      let v = keys.get(k);
      if (v === undefined) keys.set(k, (v = keys.size));
      return v;
    };
    const docOf = (it: OpenItem) => Number(it.openAmount);
    const sim: SimItem[] = items.map((it, i) => ({
      customerId: it.customerId,
      probs: probs[i] as Float64Array,
      groups: [
        { key: key('total\u0000'), amount: it.openAmountRc },
        { key: key(`region\u0000${it.region}`), amount: it.openAmountRc },
        { key: key(`currency\u0000${it.currency}`), amount: it.openAmountRc },
        { key: key(`currency_doc\u0000${it.currency}`), amount: docOf(it) },
        { key: key(`product_line\u0000${it.productLine}`), amount: it.openAmountRc },
      ],
    }));
    const opts = {
      sims: s.sims,
      seed: s.seed,
      rho: s.rho,
      groupCount: keys.size,
      periodCount: periods.length,
      periodsOfDay: ofDay,
      origin: asOf,
    };
    const draws = simulate(sim, opts);
    for (const [name, g] of keys) {
      const [grouping, value] = name.split('\u0000') as [string, string];
      if (grouping === 'currency_doc') continue;
      const docKey = grouping === 'currency' ? keys.get(`currency_doc\u0000${value}`) : undefined;
      periods.forEach((p, pi) => {
        const rc = quantiles(draws, opts, g, pi, [0.1, 0.9]);
        const doc = docKey === undefined ? null : quantiles(draws, opts, docKey, pi, [0.1, 0.9]);
        emit(grouping as Grouping, value, p, rc, doc);
      });
    }
    // Customers: weeks and months, simulated a chunk of customers at a time (customers are independent
    // under the copula, so a chunk's draws are those of the whole portfolio for its customers).
    const coarse = periods.map((p, i) => [p, i] as const).filter(([p]) => p.grain !== 'day');
    const coarseIndex = new Map(coarse.map(([, i], j) => [i, j]));
    const customers = [...new Set(items.map((i) => i.customerId))].sort();
    for (let c0 = 0; c0 < customers.length; c0 += CUSTOMER_CHUNK) {
      const chunk = customers.slice(c0, c0 + CUSTOMER_CHUNK);
      const index = new Map(chunk.map((c, j) => [c, j]));
      const chunkItems: SimItem[] = [];
      items.forEach((it, i) => {
        const j = index.get(it.customerId);
        if (j === undefined) return;
        chunkItems.push({
          customerId: it.customerId,
          probs: probs[i] as Float64Array,
          groups: [{ key: j, amount: it.openAmountRc }],
        });
      });
      const co = {
        sims: s.sims,
        seed: s.seed + 1 + c0,
        rho: s.rho,
        groupCount: chunk.length,
        periodCount: coarse.length,
        periodsOfDay: (d: number) =>
          ofDay(d).flatMap((pi) => (coarseIndex.has(pi) ? [coarseIndex.get(pi) as number] : [])),
        origin: asOf,
      };
      const cd = simulate(chunkItems, co);
      chunk.forEach((c, j) => {
        coarse.forEach(([p], pj) => emit('customer', c, p, quantiles(cd, co, j, pj, [0.1, 0.9]), null));
      });
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
  // Expected amounts are exact sums of the lines; the bounds come from the simulation (rounded to cents).
  await run(conn, 'DROP TABLE IF EXISTS ml._forecast_periods');
  await run(conn, `CREATE TABLE ml._forecast_periods (grain VARCHAR, period_start DATE, period_end DATE)`);
  const pa = await conn.createAppender('_forecast_periods', 'ml');
  try {
    for (const p of periods) {
      pa.appendVarchar(p.grain);
      pa.appendVarchar(formatDay(p.start));
      pa.appendVarchar(formatDay(p.end));
      pa.endRow();
    }
    pa.flushSync();
  } finally {
    pa.closeSync();
  }
  const groupExpr: Record<Grouping, string> = {
    total: "''",
    region: 'l.region',
    currency: 'l.currency_code',
    product_line: 'l.product_line',
    customer: 'l.customer_id',
  };
  await run(conn, 'DROP TABLE IF EXISTS ml.cash_forecast_intervals');
  const selects = GROUPINGS.map(
    (g) => `SELECT '${g}' AS grouping, ${groupExpr[g]} AS group_value, p.grain, p.period_start, p.period_end,
        sum(l.expected_amount_rc) AS expected_amount_rc,
        ${g === 'currency' ? 'sum(l.expected_amount)' : 'NULL::DECIMAL(38, 2)'} AS expected_amount_doc,
        ${g === 'region' ? 'l.region' : g === 'customer' ? 'any_value(l.region)' : 'NULL::VARCHAR'} AS region,
        ${g === 'customer' ? 'any_value(l.credit_controller)' : 'NULL::VARCHAR'} AS credit_controller
     FROM ml.cash_forecast_lines AS l
     INNER JOIN ml._forecast_periods AS p ON l.expected_date BETWEEN p.period_start AND p.period_end
     GROUP BY ALL`,
  ).join('\nUNION ALL\n');
  await run(
    conn,
    `CREATE TABLE ml.cash_forecast_intervals AS
     WITH expected AS (${selects})
     SELECT b.grouping, b.group_value, b.region, b.credit_controller, b.grain, b.period_start, p.period_end,
         CAST(coalesce(e.expected_amount_rc, 0) AS DECIMAL(18, 2)) AS expected_amount_rc,
         CAST(b.low_rc AS DECIMAL(18, 2)) AS low_amount_rc,
         CAST(b.high_rc AS DECIMAL(18, 2)) AS high_amount_rc,
         CAST(CASE WHEN b.grouping = 'currency' THEN coalesce(e.expected_amount_doc, 0) END AS DECIMAL(18, 2))
             AS expected_amount_doc,
         CAST(b.low_doc AS DECIMAL(18, 2)) AS low_amount_doc,
         CAST(b.high_doc AS DECIMAL(18, 2)) AS high_amount_doc,
         CASE WHEN b.grouping = 'currency' THEN b.group_value END AS document_currency,
         CAST(? AS DATE) AS as_of_date
     FROM (
         SELECT b.*, coalesce(c.region, CASE WHEN b.grouping = 'region' THEN b.group_value END) AS region,
             c.credit_controller
         FROM ml._forecast_bounds AS b
         LEFT JOIN (
             SELECT customer_id, any_value(region) AS region, any_value(credit_controller) AS credit_controller
             FROM ml.cash_forecast_lines GROUP BY customer_id
         ) AS c ON b.grouping = 'customer' AND c.customer_id = b.group_value
     ) AS b
     INNER JOIN ml._forecast_periods AS p USING (grain, period_start)
     LEFT JOIN expected AS e
         ON e.grouping = b.grouping AND e.group_value = b.group_value AND e.grain = b.grain
         AND e.period_start = b.period_start
     ORDER BY b.grouping, b.group_value, b.grain, b.period_start`,
    [formatDay(asOf)],
  );
  await run(conn, 'DROP TABLE ml._forecast_bounds');
  await run(conn, 'DROP TABLE ml._forecast_periods');
  await run(conn, 'DROP TABLE ml._forecast_open');
}

async function writeBacktest(conn: DuckDBConnection, r: BacktestResult, now: Date): Promise<void> {
  await run(conn, 'DROP TABLE IF EXISTS ml.cash_forecast_backtest');
  await run(
    conn,
    `CREATE TABLE ml.cash_forecast_backtest (origin_date DATE, week INTEGER, week_end DATE, method VARCHAR,
       is_served BOOLEAN, forecast_amount_rc DECIMAL(18, 2), actual_amount_rc DECIMAL(18, 2),
       low_amount_rc DECIMAL(18, 2), high_amount_rc DECIMAL(18, 2))`,
  );
  const app = await conn.createAppender('cash_forecast_backtest', 'ml');
  const cents = (x: number) => (Math.round(x * 100) / 100).toFixed(2);
  try {
    for (const o of r.origins) {
      for (let k = 0; k < HORIZON_WEEKS; k++) {
        for (const m of METHODS) {
          app.appendVarchar(o.origin);
          app.appendInteger(k + 1);
          app.appendVarchar(addDays(o.origin, 7 * (k + 1)));
          app.appendVarchar(m);
          app.appendBoolean(m === o.served);
          app.appendVarchar(cents(o.forecast[m][k] as number));
          app.appendVarchar(cents(o.actual[k] as number));
          if (m === 'hazard_logistic') {
            app.appendVarchar(cents(o.modelLow[k] as number));
            app.appendVarchar(cents(o.modelHigh[k] as number));
          } else {
            app.appendNull();
            app.appendNull();
          }
          app.endRow();
        }
      }
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
  await run(conn, 'DROP TABLE IF EXISTS ml.cash_forecast_evaluation');
  await run(
    conn,
    `CREATE TABLE ml.cash_forecast_evaluation (method VARCHAR, metric VARCHAR, value DOUBLE, origins INTEGER,
       first_origin DATE, last_origin DATE, evaluated_at TIMESTAMP)`,
  );
  const rows: [string, string, number][] = [];
  for (const m of METHODS) {
    rows.push([m, 'wape_4w', r.wape4w[m]], [m, 'bias_4w', r.bias4w[m]]);
  }
  rows.push(['hazard_logistic', 'interval_coverage_80', r.coverage80], ['served', 'wape_4w', r.wape4wServed]);
  for (const [m, metric, value] of rows) {
    await run(
      conn,
      'INSERT INTO ml.cash_forecast_evaluation VALUES (?, ?, ?, ?, CAST(? AS DATE), CAST(? AS DATE), CAST(? AS TIMESTAMP))',
      [
        m,
        metric,
        Number.isFinite(value) ? value : null,
        r.origins.length,
        r.origins[0]?.origin ?? null,
        r.origins.at(-1)?.origin ?? null,
        ts(now),
      ],
    );
  }
}
