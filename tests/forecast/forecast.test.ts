/**
 * The cash forecast on a small demo warehouse (seed 5, 3,000 invoices, as of 2026-06-30): the tables
 * `arlens forecast` publishes, exact money, intervals, the CSV, bad input, and no leakage (features as
 * of D read nothing after D; training at a cutoff ignores every outcome after it).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../core/calendar.ts';
import { readOrigins } from '../../forecast/backtest.server.ts';
import { readOpenItems } from '../../forecast/items.server.ts';
import { ensureForecast, refreshForecast } from '../../forecast/store.server.ts';
import { trainAt, type OriginData } from '../../forecast/train.ts';
import { queryRows } from '../../warehouse/convert.ts';
import { run, withInstance } from '../../warehouse/duckdb.ts';
import { withPublished } from '../../warehouse/store.ts';
import { cliArgs, published, ROOT, tempDir } from '../helpers.ts';
import { demoWarehouse, loadAndBuild } from '../ml/helpers.ts';

const SETTINGS = { l2: 1e-3, sims: 100, seed: 42 };
let root: string;
let wh: string;
let exportsDir: string;

function arlens(...args: string[]) {
  const r = spawnSync(process.execPath, cliArgs(...args), {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  root = await tempDir('arlens-forecast-');
  const demo = await demoWarehouse(join(root, 'full'), { seed: 5, invoices: 3000, asOf: '2026-06-30' });
  wh = demo.warehouse;
  exportsDir = demo.exports;
  await refreshForecast(wh, { settings: SETTINGS, backtestOrigins: 2 });
}, 240_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('the published forecast', () => {
  it('covers every open item, and no item is expected to pay more than it owes', async () => {
    const [counts] = await published(
      wh,
      `SELECT (SELECT count(*) FROM ml.cash_forecast_items) AS items,
              (SELECT count(*) FROM marts.fct_invoices WHERE open_amount > 0) AS open_items,
              (SELECT count(*) FROM ml.cash_forecast_items WHERE expected_amount_13w > open_amount) AS over,
              (SELECT count(*) FROM ml.cash_forecast_items
                 WHERE probability_paid_13w < 0 OR probability_paid_13w > 1 OR probability_never < 0
                    OR probability_never > 1 - probability_paid_13w + 1e-9) AS bad_probabilities`,
    );
    expect(Number(counts!['items'])).toBeGreaterThan(50);
    expect(counts!['items']).toBe(counts!['open_items']);
    expect(counts!['over']).toBe('0');
    expect(counts!['bad_probabilities']).toBe('0');
    const over = await published(
      wh,
      `SELECT i.invoice_id FROM ml.cash_forecast_items AS i
       JOIN (SELECT invoice_id, sum(expected_amount) AS s FROM ml.cash_forecast_lines GROUP BY 1) AS l USING (invoice_id)
       WHERE l.s > i.open_amount + 0.01 * 65`,
    );
    expect(over).toEqual([]);
  });

  it('expected receipts per period are the exact sums of the lines; intervals bracket 13 weeks and clipped months', async () => {
    const weeks = await published(
      wh,
      `SELECT period_start, period_end, expected_amount_rc, low_amount_rc, high_amount_rc
       FROM ml.cash_forecast_intervals WHERE grouping = 'total' AND grain = 'week' ORDER BY period_start`,
    );
    expect(weeks).toHaveLength(13);
    expect(weeks[0]!['period_start']).toBe('2026-07-01');
    expect(weeks[12]!['period_end']).toBe('2026-09-29');
    const sums = await published(
      wh,
      `SELECT CAST(sum(expected_amount_rc) AS VARCHAR) AS s FROM ml.cash_forecast_lines
       WHERE expected_date BETWEEN DATE '2026-07-01' AND DATE '2026-07-07'`,
    );
    expect(weeks[0]!['expected_amount_rc']).toBe(sums[0]!['s']);
    expect(typeof weeks[0]!['expected_amount_rc']).toBe('string');
    for (const w of weeks)
      expect(Number(w['low_amount_rc'])).toBeLessThanOrEqual(Number(w['high_amount_rc']));
    const months = await published(
      wh,
      `SELECT period_start, period_end FROM ml.cash_forecast_intervals
       WHERE grouping = 'total' AND grain = 'month' ORDER BY period_start`,
    );
    expect(months.map((m) => `${m['period_start']}..${m['period_end']}`)).toEqual([
      '2026-07-01..2026-07-31',
      '2026-08-01..2026-08-31',
      '2026-09-01..2026-09-29',
    ]);
    // Every grouping adds up to the total, in reporting currency.
    const totals = await published(
      wh,
      `SELECT grouping, CAST(sum(expected_amount_rc) AS VARCHAR) AS s FROM ml.cash_forecast_intervals
       WHERE grain = 'week' GROUP BY grouping ORDER BY grouping`,
    );
    expect(new Set(totals.map((t) => t['s'])).size).toBe(1);
    // Document currency: only the currency grouping, with its code.
    const doc = await published(
      wh,
      `SELECT count(*) FILTER (WHERE grouping <> 'currency' AND expected_amount_doc IS NOT NULL) AS stray,
              count(*) FILTER (WHERE grouping = 'currency' AND (expected_amount_doc IS NULL OR document_currency IS NULL)) AS missing
       FROM ml.cash_forecast_intervals`,
    );
    expect(doc[0]).toEqual({ stray: '0', missing: '0' });
  });

  it('rows carry the region (and a customer row its credit controller) for row-level security', async () => {
    const rows = await published(
      wh,
      `SELECT count(*) FILTER (WHERE grouping = 'customer' AND (region IS NULL OR credit_controller IS NULL)) AS c,
              count(*) FILTER (WHERE grouping = 'region' AND region IS DISTINCT FROM group_value) AS r,
              count(*) FILTER (WHERE grouping IN ('total', 'currency', 'product_line') AND region IS NOT NULL) AS t
       FROM ml.cash_forecast_intervals`,
    );
    expect(rows[0]).toEqual({ c: '0', r: '0', t: '0' });
  });

  it('stores the backtest it ran', async () => {
    const rows = await published(
      wh,
      `SELECT method, metric, value, origins FROM ml.cash_forecast_evaluation WHERE metric = 'wape_4w' ORDER BY method`,
    );
    expect(rows.map((r) => r['method'])).toEqual([
      'bucket_rate',
      'customer_delay',
      'due_date',
      'hazard_logistic',
      'served',
    ]);
    for (const r of rows) {
      expect(r['origins']).toBe(2);
      expect(Number(r['value'])).toBeGreaterThan(0);
    }
  });
});

describe('no leakage', () => {
  const D = '2025-12-31';

  it('training at a cutoff reads no outcome and no cash after it', async () => {
    const { origins } = await withPublished(wh, (conn) => readOrigins(conn));
    const cutoff = parseDay(D);
    const changed: OriginData[] = origins.map((o) => ({
      origin: o.origin,
      actual: o.actual.map((a, k) => (o.origin + 7 * (k + 1) > cutoff ? a * 3 + 1 : a)),
      items: o.items.map((i) =>
        i.closedDay === null || i.closedDay > cutoff
          ? { ...i, closedDay: cutoff + 1 + (i.dueDay % 20), closedByPayment: i.closedDay === null }
          : i,
      ),
    }));
    const a = trainAt(origins, cutoff, SETTINGS);
    const b = trainAt(changed, cutoff, SETTINGS);
    expect(b.hazard.fit.coefficients).toEqual(a.hazard.fit.coefficients);
    expect(b.served).toBe(a.served);
    expect(b.rho).toBe(a.rho);
    expect(b.validationWape).toEqual(a.validationWape);
  });

  it('the items open at D are described identically without any row dated after D', async () => {
    const truncated = join(root, 'truncated');
    const out = join(truncated, 'exports');
    await fs.mkdir(out, { recursive: true });
    const dated: Record<string, string> = {
      invoices: 'issue_date',
      payments: 'payment_date',
      payment_applications: 'applied_date',
      credit_memos: 'memo_date',
      write_offs: 'write_off_date',
      disputes: 'opened_date',
      collection_activities: 'activity_date',
      fx_rates: 'rate_date',
    };
    await withInstance(':memory:', {}, async (conn) => {
      for (const name of await fs.readdir(exportsDir)) {
        const entity = name.replace(/\.csv$/, '');
        const src = `read_csv('${join(exportsDir, name)}', all_varchar = true, header = true)`;
        const col = dated[entity];
        let sql = col
          ? `SELECT * FROM ${src} WHERE CAST(${col} AS DATE) <= DATE '${D}'`
          : `SELECT * FROM ${src}`;
        if (entity === 'disputes') {
          sql = `SELECT * REPLACE (CASE WHEN CAST(resolved_date AS DATE) > DATE '${D}' THEN NULL ELSE resolved_date END AS resolved_date)
                 FROM (${sql})`;
        }
        await run(conn, `COPY (${sql}) TO '${join(out, name)}' (HEADER, DELIMITER ',')`);
      }
    });
    await loadAndBuild(out, join(truncated, 'wh'));
    const full = await withPublished(wh, (conn) => readOpenItems(conn, D));
    const cut = await withPublished(join(truncated, 'wh'), (conn) => readOpenItems(conn, D));
    expect(full.length).toBeGreaterThan(50);
    expect(cut).toEqual(full);
    const rows = await withPublished(join(truncated, 'wh'), (conn) =>
      queryRows(conn, 'SELECT CAST(as_of_date AS VARCHAR) AS d FROM intermediate.int_as_of'),
    );
    expect(rows[0]!['d']).toBe(D);
  }, 120_000);
});

describe('ensureForecast (npm start)', () => {
  it('leaves a current forecast alone, and computes one (with a backtest) where there is none', async () => {
    const before = await published(
      wh,
      'SELECT CAST(forecast_at AS VARCHAR) AS t FROM ml.cash_forecast_status',
    );
    expect(await ensureForecast(wh, { settings: SETTINGS })).toBe('the cash forecast is current');
    expect(
      await published(wh, 'SELECT CAST(forecast_at AS VARCHAR) AS t FROM ml.cash_forecast_status'),
    ).toEqual(before);
    // The truncated warehouse of the leakage test (as of 2025-12-31) has no forecast yet.
    const other = join(root, 'truncated', 'wh');
    const message = await ensureForecast(other, { settings: SETTINGS, backtestOrigins: 2 });
    expect(message).toMatch(
      /^forecast \d+ open items as of 2025-12-31 \(\w+ serves\), backtested at 2 month-ends$/,
    );
    expect(await ensureForecast(other, { settings: SETTINGS })).toBe('the cash forecast is current');
  }, 120_000);
});

describe('arlens forecast', () => {
  it('writes expected receipts per period and group as CSV', () => {
    const r = arlens('-w', wh, 'forecast', '--no-refresh', '--by', 'month', '--group', 'region');
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'as_of_date,grouping,group_value,grain,period_start,period_end,expected_amount_rc,low_amount_rc,high_amount_rc,' +
        'document_currency,expected_amount_doc,low_amount_doc,high_amount_doc',
    );
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines.slice(1))
      expect(l).toMatch(/^2026-06-30,region,[^,]+,month,\d{4}-\d\d-\d\d,\d{4}-\d\d-\d\d,\d+\.\d\d,/);
  });

  it('writes each open item with its expected payment date, names safe for spreadsheets', async () => {
    const file = join(root, 'items.csv');
    const r = arlens('-w', wh, 'forecast', '--no-refresh', '--items', '--out', file);
    expect(r.code, r.err).toBe(0);
    const text = await fs.readFile(file, 'utf8');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toContain('invoice_id,customer_id,customer_name');
    const [{ n }] = (await published(wh, 'SELECT count(*) AS n FROM ml.cash_forecast_items')) as [
      { n: string },
    ];
    expect(lines.length - 1).toBe(Number(n));
    // A cell never starts with a formula character (the demo has a =HYPERLINK(...) customer name).
    for (const l of lines) expect(l).not.toMatch(/(^|,)[=+@]/);
  });

  it('says what is wrong with bad input', () => {
    const dayCustomer = arlens('-w', wh, 'forecast', '--no-refresh', '--group', 'customer', '--by', 'day');
    expect(dayCustomer.code).toBe(1);
    expect(dayCustomer.err).toContain('customer forecasts are by week or month');
    const grain = arlens('-w', wh, 'forecast', '--no-refresh', '--by', "year'; DROP TABLE x");
    expect(grain.code).not.toBe(0);
    expect(grain.err).toContain('Allowed choices are day, week, month');
    const n = arlens('-w', wh, 'forecast', '--backtest', '1e3');
    expect(n.code).toBe(1);
    expect(n.err).toContain('expected a whole number of month-ends from 0 to 60');
    const both = arlens('-w', wh, 'forecast', '--no-refresh', '--backtest', '2');
    expect(both.code).toBe(1);
    expect(both.err).toContain('--backtest needs the forecast to be computed');
  });

  it('tells how to compute a forecast the warehouse does not have', async () => {
    const bare = join(root, 'bare');
    await fs.cp(join(root, 'full', 'wh'), bare, { recursive: true });
    await withInstance(join(bare, 'current.duckdb'), {}, async (conn) => {
      await run(conn, 'DROP SCHEMA ml CASCADE');
    });
    const r = arlens('-w', bare, 'forecast', '--no-refresh');
    expect(r.code).toBe(1);
    expect(r.err).toContain('no cash forecast yet. Compute it with: arlens forecast');
  });
});
