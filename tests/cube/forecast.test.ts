/**
 * The cash forecast through Cube: the Overview's queries answer what the warehouse holds (exact
 * money), and row-level security holds — a sales lead sees their region's rows only (never the
 * portfolio total or the portfolio backtest), a credit controller only their portfolio's expected
 * payments and no cash_forecast view at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshForecast } from '../../forecast/store.server.ts';
import { signToken, type SecurityContext } from '../../cube/security.ts';
import {
  cashForecastQuery,
  forecastAccuracyQuery,
} from '../../web/lib/widgets/cash-forecast/cash-forecast.query.ts';
import { expectedPaymentsQuery } from '../../web/lib/customers/expected-payments.ts';
import { TEST_SECRET } from '../helpers.ts';
import { demoWarehouse, startCubeHarness, type CubeHarness } from './harness.ts';

let h: CubeHarness;
const CFO: SecurityContext = { role: 'cfo' };
const LATAM: SecurityContext = { role: 'sales_lead', regions: ['LATAM'] };

beforeAll(async () => {
  h = await startCubeHarness(async (root) => {
    const wh = await demoWarehouse(root);
    await refreshForecast(wh, { settings: { l2: 1e-3, sims: 100, seed: 42 }, backtestOrigins: 1 });
    return wh;
  });
}, 300_000);
afterAll(async () => {
  await h?.close();
});

describe('the cash forecast in Cube', () => {
  it('the Overview chart query gives the 13 weekly totals with their intervals, exact', async () => {
    const rows = await h.load(CFO, cashForecastQuery({}));
    const expected = await h.sql(
      `SELECT expected_amount_rc AS e, low_amount_rc AS l, high_amount_rc AS h FROM ml.cash_forecast_intervals
       WHERE grouping = 'total' AND grain = 'week' ORDER BY period_start`,
    );
    expect(rows).toHaveLength(13);
    expect(
      rows.map((r) => [
        r['cash_forecast.expected_receipts'],
        r['cash_forecast.expected_receipts_low'],
        r['cash_forecast.expected_receipts_high'],
      ]),
    ).toEqual(expected.map((e) => [e['e'], e['l'], e['h']]));
  });

  it('a sales lead sees their region only: no portfolio total, no other region, no portfolio backtest', async () => {
    expect(await h.load(LATAM, cashForecastQuery({}))).toEqual([]);
    expect(await h.load(LATAM, cashForecastQuery({ region: 'EMEA' }))).toEqual([]);
    const own = await h.load(LATAM, cashForecastQuery({ region: 'LATAM' }));
    expect(own).toHaveLength(13);
    const regions = await h.load(LATAM, {
      measures: ['cash_forecast.expected_receipts'],
      dimensions: ['cash_forecast.region', 'cash_forecast.grouping'],
    });
    expect(new Set(regions.map((r) => r['cash_forecast.region']))).toEqual(new Set(['LATAM']));
    expect(await h.load(LATAM, forecastAccuracyQuery())).toEqual([]);
    expect((await h.load(CFO, forecastAccuracyQuery())).length).toBeGreaterThan(0);
  });

  it('a credit controller sees expected payments of their portfolio only, and not the cash forecast', async () => {
    const [c] = await h.sql(
      `SELECT credit_controller AS cc, customer_id AS id FROM ml.cash_forecast_items ORDER BY invoice_id LIMIT 1`,
    );
    const cc = String(c!['cc']);
    const collector: SecurityContext = { role: 'collector', portfolio: cc };
    const rows = await h.load(collector, {
      measures: ['expected_payments.count'],
      dimensions: ['expected_payments.credit_controller'],
    });
    expect(rows.map((r) => r['expected_payments.credit_controller'])).toEqual([cc]);
    const mine = await h.load(collector, expectedPaymentsQuery(String(c!['id'])));
    expect(mine.length).toBeGreaterThan(0);
    const token = await signToken(TEST_SECRET, collector);
    const url = new URL(`${h.server.url}cubejs-api/v1/load`);
    url.searchParams.set('query', JSON.stringify(cashForecastQuery({})));
    const res = await fetch(url, { headers: { authorization: token } });
    expect(res.status).toBe(403);
  });
});
