/**
 * The cash forecast on the dashboard (demo seed 5, 3,000 invoices, as of 2026-06-30, forecast with a
 * backtest at 2 month-ends): the Overview chart "expected cash in, next 13 weeks" draws with the
 * latest backtest beside it; a sales lead sees their region's forecast and not the portfolio's
 * backtest; the customer page lists expected payment dates; in English and Japanese.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { refreshForecast } from '../../forecast/store.server.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { gotoReady, screenshot, signIn, startBrowserHarness, type BrowserHarness } from './harness.ts';

let h: BrowserHarness;

beforeAll(async () => {
  h = await startBrowserHarness(async (root) => {
    const wh = await demoWarehouse(root);
    await refreshForecast(wh, { settings: { l2: 1e-3, sims: 100, seed: 42 }, backtestOrigins: 2 });
    return wh;
  });
}, 300_000);
afterEach(() => h.assertNoErrors());
afterAll(async () => {
  await h?.close();
});

describe('the cash forecast on the dashboard', () => {
  it('Overview: the 13-week chart with its band, and the backtest beside it', async () => {
    const page = await h.newPage();
    await signIn(page, 'cfo');
    await gotoReady(page, h.url);
    const box = page.getByTestId('cash-forecast');
    await expect(box.getByRole('heading', { name: 'Expected cash in, next 13 weeks' }).count()).resolves.toBe(
      1,
    );
    await expect(box.locator('[role=img][data-rendered=true]').count()).resolves.toBe(1);
    const rows = await page.getByTestId('forecast-accuracy').locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/^Payment-timing model\s+\d+\.\d%\s+[+−]?\d+\.\d %$/);
    expect(rows[3]).toMatch(/^Paid on the due date/);
    const text = await page.getByTestId('forecast-accuracy').innerText();
    expect(text).toMatch(/Backtest at 2 past month-ends/);
    expect(text).toMatch(/The model’s 80 % intervals held the actual week \d+\.\d% of the time/);
    await expect(page.locator('[role=alert]').allInnerTexts()).resolves.toEqual([]);
    await screenshot(page, 'overview-cash-forecast');
    await page.goto(`${h.url}lang?to=ja&back=${encodeURIComponent('/')}`);
    await page.getByTestId('forecast-accuracy').locator('tbody tr').first().waitFor();
    expect(await page.getByTestId('cash-forecast').innerText()).toContain('今後13週間の入金見込み');
    expect(await page.getByTestId('forecast-accuracy').innerText()).toContain('入金タイミングモデル');
    await page.context().close();
  });

  it('a sales lead sees their region’s forecast, not the portfolio backtest', async () => {
    const page = await h.newPage();
    await signIn(page, 'sales_lead', { region: 'LATAM' });
    await gotoReady(page, h.url);
    await expect(
      page.getByTestId('cash-forecast').locator('[role=img][data-rendered=true]').count(),
    ).resolves.toBe(1);
    expect(await page.getByTestId('forecast-accuracy').innerText()).toMatch(/No backtest to show/);
    await page.context().close();
  });

  it('the customer page lists expected payment dates', async () => {
    const [c] = await h.sql(
      `SELECT customer_id AS id, count(*) AS n FROM ml.cash_forecast_items
       WHERE expected_payment_date IS NOT NULL GROUP BY 1 ORDER BY n DESC, id LIMIT 1`,
    );
    const id = String(c!['id']);
    const page = await h.newPage();
    await signIn(page, 'cfo');
    await gotoReady(page, new URL(`/customers/${encodeURIComponent(id)}`, h.url).href);
    const rows = await page.getByTestId('expected-payments').locator('tbody tr').allInnerTexts();
    const [{ n }] = (await h.sql(`SELECT count(*) AS n FROM ml.cash_forecast_items WHERE customer_id = ?`, [
      id,
    ])) as [{ n: string }];
    expect(rows).toHaveLength(Math.min(50, Number(n)));
    expect(rows[0]).toMatch(/^INV-\d+\s+\w{3} \d+, \d{4}\s+\w{3} \d+, \d{4}\s+\d+%/);
    await screenshot(page, 'customer-expected-payments');
    await page.context().close();
  });
});
