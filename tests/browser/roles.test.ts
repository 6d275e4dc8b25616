/**
 * Every role signs in through the form and lands on its start page without errors; a sales lead sees
 * only their region everywhere (KPI tiles against SQL on the marts, the region filter, the top
 * overdue table, the customer list, and Cube's API called from the page itself).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  gotoReady,
  parseCompactMoney,
  signIn,
  startBrowserHarness,
  waitForCharts,
  type BrowserHarness,
  type Role,
} from './harness.ts';

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness();
}, 180_000);
afterEach(() => h.assertNoErrors());
afterAll(async () => {
  await h?.close();
});

/** The credit controller with the most customers (ties: first by name). */
async function busiestController(): Promise<string> {
  const rows = await h.sql(
    `SELECT credit_controller, count(*) AS n FROM marts.dim_customers
     WHERE credit_controller IS NOT NULL GROUP BY 1 ORDER BY n DESC, 1 LIMIT 1`,
  );
  return String(rows[0]?.['credit_controller']);
}

/** Cube's REST API from inside the page (the session cookie is the credential), every row. */
async function cubeLoad(
  page: Page,
  query: object,
): Promise<{ status: number; rows: Record<string, unknown>[] }> {
  return page.evaluate(async (q) => {
    // Cube answers "Continue wait" while it builds a rollup; ask again until it has the answer.
    for (;;) {
      const res = await fetch(`/cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(q))}`, {
        headers: { authorization: 'cookie' },
      });
      const body = (await res.json()) as { error?: string; data?: Record<string, unknown>[] };
      if (body.error === 'Continue wait') continue;
      return { status: res.status, rows: body.data ?? [] };
    }
  }, query);
}

describe('sign-in by role', () => {
  const cases: [Role, string, string][] = [
    ['cfo', '/', 'CFO'],
    ['sales_lead', '/', 'Sales lead · LATAM'],
    ['analyst', '/', 'Analyst'],
    ['collector', '/collections', 'Credit controller · '],
  ];
  it.for(cases)('%s lands on %s', async ([role, start, who]) => {
    const page = await h.newPage();
    const portfolio = role === 'collector' ? await busiestController() : undefined;
    await signIn(page, role, { region: 'LATAM', ...(portfolio ? { portfolio } : {}) });
    expect(new URL(page.url()).pathname).toBe(start);
    await waitForCharts(page);
    await expect(page.locator('header .who').innerText()).resolves.toBe(`${who}${portfolio ?? ''}`);
    await expect(
      page.getByRole('navigation', { name: 'Main' }).getByRole('link').count(),
    ).resolves.toBeGreaterThan(0);
    await page.context().close();
  });

  it('a signed-out visitor is sent to sign in, with the page to return to', async () => {
    const page = await h.newPage();
    await page.goto(`${h.url}credit?region=EMEA`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/credit?region=EMEA');
    await page.context().close();
  });
});

describe('a sales lead for LATAM sees LATAM only', () => {
  let page: Page;
  beforeAll(async () => {
    page = await h.newPage();
    await signIn(page, 'sales_lead', { region: 'LATAM' });
    await waitForCharts(page);
  }, 60_000);
  afterAll(async () => {
    await page?.context().close();
  });

  it('the AR tile equals the marts for LATAM', async () => {
    const [row] = await h.sql(
      `SELECT sum(ending_ar_rc) AS ar FROM marts.mart_ar_kpis_monthly
       WHERE region = 'LATAM' AND period_end_date = (SELECT max(period_end_date) FROM marts.mart_ar_kpis_monthly)`,
    );
    const expected = Number(row?.['ar']);
    const [all] = await h.sql(
      `SELECT sum(ending_ar_rc) AS ar FROM marts.mart_ar_kpis_monthly
       WHERE period_end_date = (SELECT max(period_end_date) FROM marts.mart_ar_kpis_monthly)`,
    );
    const shown = await page.locator('[data-kpi=total_ar] .value').innerText();
    const { value, step } = parseCompactMoney(shown);
    // The tile rounds to its last shown digit; all regions together would be far off.
    expect(Math.abs(value - expected)).toBeLessThanOrEqual(step / 2);
    expect(Math.abs(value - Number(all?.['ar']))).toBeGreaterThan(step);
  });

  it('the region filter offers LATAM only, and is fixed', async () => {
    const region = page.getByRole('form', { name: 'Filters' }).getByLabel('Region');
    await expect(region.isDisabled()).resolves.toBe(true);
    await expect(region.locator('option').allInnerTexts()).resolves.toEqual(['LATAM']);
  });

  it('the top overdue table lists LATAM customers only', async () => {
    const table = page.getByRole('table', { name: 'Top overdue customers' });
    const regions = await table.locator('tbody tr td:nth-child(2)').allInnerTexts();
    expect(regions.length).toBeGreaterThan(0);
    expect(new Set(regions)).toEqual(new Set(['LATAM']));
  });

  it('the customer list shows LATAM customers only', async () => {
    const list = await h.newPage();
    await list.context().addCookies(await page.context().cookies());
    await gotoReady(list, `${h.url}customers`);
    const latam = await h.sql(`SELECT count(*) AS n FROM marts.dim_customers WHERE region = 'LATAM'`);
    const rows = list.locator('main table tbody tr');
    const header = await list.locator('main table thead th').allInnerTexts();
    const col = header.findIndex((t) => /region/i.test(t)) + 1;
    expect(col).toBeGreaterThan(0);
    const regions = await rows.locator(`td:nth-child(${col})`).allInnerTexts();
    expect(regions.length).toBeGreaterThan(0);
    expect(regions.length).toBeLessThanOrEqual(Number(latam[0]?.['n']));
    expect(new Set(regions)).toEqual(new Set(['LATAM']));
    await list.context().close();
  });

  it('no page in their menu shows another region in a table, a chart or the region filter', async () => {
    const others = (
      await h.sql(`SELECT DISTINCT region FROM marts.dim_customers WHERE region <> 'LATAM'`)
    ).map((r) => String(r['region']));
    expect(others.length).toBeGreaterThan(0);
    const sweep = await h.newPage();
    await sweep.context().addCookies(await page.context().cookies());
    await gotoReady(sweep, h.url);
    const paths = await sweep
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link')
      .evaluateAll((links) => links.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    expect(paths).toEqual(expect.arrayContaining(['/', '/credit', '/explore', '/customers', '/collections']));
    let latam = 0;
    for (const path of paths) {
      await gotoReady(sweep, new URL(path, h.url).href);
      // Table cells, chart labels (SVG text) and the filter's options that name a region.
      const shown = await sweep
        .locator('main td, main th, main [role=img] text, form[aria-label=Filters] option')
        .allTextContents();
      const leaked = shown.map((t) => t.trim()).filter((t) => others.includes(t));
      expect({ path, leaked }).toEqual({ path, leaked: [] });
      latam += shown.filter((t) => t.trim() === 'LATAM').length;
    }
    // The sweep does see region names (their own), so an empty `leaked` means something.
    expect(latam).toBeGreaterThan(paths.length);
    await sweep.context().close();
  });

  it("Cube's API, called from the page, returns no EMEA rows", async () => {
    const byRegion = {
      measures: ['credit_policy.open_ar'],
      dimensions: ['credit_policy.region'],
    };
    const own = await cubeLoad(page, byRegion);
    expect(own.status).toBe(200);
    expect(own.rows.map((r) => r['credit_policy.region'])).toEqual(['LATAM']);
    const emea = await cubeLoad(page, {
      ...byRegion,
      filters: [{ member: 'credit_policy.region', operator: 'equals', values: ['EMEA'] }],
    });
    expect(emea.status).toBe(200);
    expect(emea.rows).toEqual([]);
    const monthly = await cubeLoad(page, {
      measures: ['cfo_overview.total_ar'],
      dimensions: ['cfo_overview.region'],
      filters: [{ member: 'cfo_overview.region', operator: 'equals', values: ['EMEA'] }],
    });
    expect(monthly.rows).toEqual([]);
  });
});
