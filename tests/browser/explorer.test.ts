/**
 * The Explorer in a real browser, as an analyst: a link opens open AR by region as bars; a click on
 * the LATAM bar lists LATAM's invoices, whose open amounts add up to the bar (checked against SQL on
 * the marts); the CSV export says what the screen says; formula-like customer names are neutralised
 * in CSV and XLSX and shown as text; it works by keyboard at tablet width.
 */
import { promises as fs } from 'node:fs';
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sumDecimals } from '../../web/lib/explorer/decimal.ts';
import { explorerStateToUrl, DEFAULT_STATE } from '../../web/lib/explorer/state.ts';
import {
  gotoReady,
  screenshot,
  signIn,
  startBrowserHarness,
  waitForCharts,
  type BrowserHarness,
} from './harness.ts';

let h: BrowserHarness;
let page: Page;
beforeAll(async () => {
  h = await startBrowserHarness();
  page = await h.newPage();
  await signIn(page, 'analyst');
}, 180_000);
afterEach(() => h.assertNoErrors());
afterAll(async () => {
  await h?.close();
});

/** The Explorer link of a state (built by the page's own URL writer). */
const link = (patch: Partial<typeof DEFAULT_STATE>) =>
  `${h.url}explore?${explorerStateToUrl({ ...DEFAULT_STATE, ...patch }).toString()}`;

const usd = (amount: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(amount as unknown as number);

/** RFC 4180 records of a CSV text (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

/** Click an export button and return the downloaded file's name and bytes. */
async function download(p: Page, name: RegExp): Promise<{ fileName: string; bytes: Buffer }> {
  const [file] = await Promise.all([
    p.waitForEvent('download'),
    p.getByRole('button', { name }).first().click(),
  ]);
  const path = await file.path();
  return { fileName: file.suggestedFilename(), bytes: await fs.readFile(path) };
}

/** The centre of the bar above the category label `label` in the page's chart. */
async function barCentre(p: Page, label: string): Promise<{ x: number; y: number }> {
  return p.evaluate((text) => {
    const chart = document.querySelector('[role="img"]');
    const tick = [...(chart?.querySelectorAll('text') ?? [])].find((t) => t.textContent === text);
    if (!chart || !tick) throw new Error(`no axis label ${text}`);
    const l = tick.getBoundingClientRect();
    const x = l.left + l.width / 2;
    const bar = [...chart.querySelectorAll('path')]
      .map((path) => path.getBoundingClientRect())
      .filter((b) => b.left < x && b.right > x && b.bottom <= l.top && b.height > 2)
      .sort((a, b) => b.height - a.height)[0];
    if (!bar) throw new Error(`no bar above ${text}`);
    return { x, y: bar.top + bar.height / 2 };
  }, label);
}

describe('Explorer: open AR by region, drilled to LATAM', () => {
  const byRegion = () => link({ measures: ['open_amount'], dimensions: ['region'], chart: 'bar' });

  it('draws the bars from a link and lists the invoices behind the LATAM bar', async () => {
    const [latam] = await h.sql(
      `SELECT count(*) AS n, sum(open_amount_rc) AS open, count(*) FILTER (WHERE open_amount_rc <> 0) AS contributing
       FROM marts.fct_invoices WHERE region = 'LATAM'`,
    );
    const expected = String(latam?.['open']);
    // Every invoice with an open amount fits in the list (it shows the biggest 500 first).
    expect(Number(latam?.['contributing'])).toBeGreaterThan(0);
    expect(Number(latam?.['contributing'])).toBeLessThanOrEqual(500);

    await gotoReady(page, byRegion());
    const regions = await page.locator('[data-testid=explorer-table] tbody th').allInnerTexts();
    expect(new Set(regions)).toEqual(new Set(['EMEA', 'LATAM', 'North America', 'APAC']));
    // The table row behind the bar holds the same exact amount as the marts.
    const cell = page.locator('[data-testid=explorer-table] tbody tr', { hasText: 'LATAM' }).locator('td');
    expect(await cell.getAttribute('data-value')).toBe(expected);

    // The bar's own value, from its tooltip.
    const bar = await barCentre(page, 'LATAM');
    await page.mouse.move(bar.x, bar.y);
    await expect.poll(() => page.locator('[role=img]').innerText()).toContain(usd(expected));
    await page.mouse.click(bar.x, bar.y);
    await page.waitForURL((u) => u.searchParams.get('drill') === 'open_amount');
    expect(new URL(page.url()).searchParams.getAll('dv')).toEqual(['region:LATAM']);
    await waitForCharts(page);

    const drill = page.getByTestId('explorer-drill');
    await expect
      .poll(() => drill.getByTestId('explorer-drill-count').innerText())
      .toMatch(/^Showing [\d,]+ of [\d,]+ invoices$/);
    const ids = await drill.locator('tbody th').allInnerTexts();
    const amounts = await drill
      .locator('tbody td[data-key="analyst.open_amount"]')
      .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-value') ?? ''));
    expect(ids.length).toBe(Math.min(500, Number(latam?.['n'])));
    expect(await drill.getByTestId('explorer-drill-count').innerText()).toBe(
      `Showing ${ids.length.toLocaleString('en-US')} of ${Number(latam?.['n']).toLocaleString('en-US')} invoices`,
    );
    // Only LATAM invoices...
    const regionOf = new Map(
      (await h.sql(`SELECT invoice_id, region FROM marts.fct_invoices`)).map((r) => [
        r['invoice_id'],
        r['region'],
      ]),
    );
    expect(new Set(ids.map((id) => regionOf.get(id)))).toEqual(new Set(['LATAM']));
    // ...whose open amounts add up, exactly, to the bar.
    expect(sumDecimals(amounts)).toBe(expected);
    expect(await drill.getByTestId('explorer-drill-total').getAttribute('data-value')).toBe(expected);
    await screenshot(page, 'explorer-drill-latam');
  });

  it('exports the result as CSV with the totals the screen shows', async () => {
    await gotoReady(page, byRegion());
    const { fileName, bytes } = await download(page, /Export the result as CSV/);
    expect(fileName).toMatch(/^arlens-explorer-\d{4}-\d{2}-\d{2}\.csv$/);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = parseCsv(bytes.toString('utf8').slice(1));
    expect(header).toEqual(['Region', 'Open amount']);
    const screenRows = await page
      .locator('[data-testid=explorer-table] tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('[data-value]')].map((c) => c.getAttribute('data-value'))),
      );
    expect(rows).toEqual(screenRows);
    const total = await page.locator('[data-testid=explorer-table] tfoot td').getAttribute('data-value');
    expect(sumDecimals(rows.map((r) => r[1]!))).toBe(total);
    const [all] = await h.sql(`SELECT sum(open_amount_rc) AS open FROM marts.fct_invoices`);
    expect(total).toBe(String(all?.['open']));
    await expect(page.locator('[data-testid=explorer-table] tfoot td').innerText()).resolves.toBe(
      usd(total!),
    );
  });
});

describe('Explorer: hostile customer names', () => {
  it('shows them as text and neutralises the formula in CSV and XLSX', async () => {
    const hostile = await h.sql(
      `SELECT DISTINCT c.customer_name FROM marts.fct_invoices i JOIN marts.dim_customers c USING (customer_id)
       WHERE c.customer_name LIKE '=HYPERLINK(%' OR c.customer_name LIKE '%<script>%' ORDER BY 1`,
    );
    const names = hostile.map((r) => String(r['customer_name']));
    const formula = names.find((n) => n.startsWith('='));
    expect(formula).toBeDefined();
    expect(names.some((n) => n.includes('<script>'))).toBe(true);

    await gotoReady(
      page,
      link({
        measures: ['count', 'open_amount'],
        dimensions: ['customer_name'],
        filters: [{ member: 'customer_name', operator: 'contains', values: ['HYPERLINK', '<script>'] }],
      }),
    );
    const shown = await page.locator('[data-testid=explorer-table] tbody th').allInnerTexts();
    expect(shown.sort()).toEqual(names);
    expect(await page.locator('main script, main img').count()).toBe(0);
    await screenshot(page, 'explorer-hostile-names');

    const csv = parseCsv((await download(page, /Export the result as CSV/)).bytes.toString('utf8').slice(1));
    const formulaRow = csv.find((r) => r[0]?.includes('HYPERLINK'));
    expect(formulaRow?.[0]).toBe(`'${formula}`);
    expect(Number(formulaRow?.[1])).toBeGreaterThan(0); // the count stays a number

    const { fileName, bytes } = await download(page, /Export the result as an Excel workbook/);
    expect(fileName).toMatch(/^arlens-explorer-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(bytes).buffer);
    const sheet = wb.worksheets[0]!;
    const values = sheet.getSheetValues().slice(2) as unknown[][];
    const xlsxRow = values.find((r) => String(r[1]).includes('HYPERLINK'))!;
    expect(xlsxRow[1]).toBe(`'${formula}`);
    expect(typeof xlsxRow[2]).toBe('number');
    expect(typeof xlsxRow[3]).toBe('number');
  });
});

describe('Explorer: keyboard and tablet width', () => {
  it('labels every control, fits 1024 px, and drills from the table by keyboard', async () => {
    const tablet = await h.newPage();
    await tablet.context().addCookies(await page.context().cookies());
    await tablet.setViewportSize({ width: 1024, height: 768 });
    await gotoReady(
      tablet,
      link({
        measures: ['open_amount', 'count'],
        dimensions: ['region'],
        time: { dimension: 'issue_date', granularity: 'quarter', from: '2026-01-01', to: null },
        filters: [{ member: 'aging_bucket', operator: 'set', values: [] }],
        pivot: { columns: 'time', measure: 'open_amount' },
      }),
    );
    expect(await tablet.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    const unlabelled = await tablet.locator('main').evaluate((main) =>
      [...main.querySelectorAll('input, select, button')]
        .filter((el) => {
          const named =
            el.getAttribute('aria-label') ||
            (el as HTMLInputElement).labels?.length ||
            el.textContent?.trim();
          return !named;
        })
        .map((el) => el.outerHTML.slice(0, 80)),
    );
    expect(unlabelled).toEqual([]);

    const cell = tablet.getByRole('button', {
      name: /^\$[\d,.]+: list the invoices behind Q2 2026 · LATAM · Open amount$/,
    });
    await cell.focus();
    await tablet.keyboard.press('Enter');
    await tablet.waitForURL((u) => u.searchParams.get('db') === '2026-04-01');
    await waitForCharts(tablet);
    await expect.poll(() => tablet.evaluate(() => document.activeElement?.id)).toBe('explorer-drill-title');
    await expect(tablet.getByTestId('explorer-drill').locator('h2').innerText()).resolves.toBe(
      'Invoices behind Q2 2026 · LATAM · Open amount',
    );
    const [q3] = await h.sql(
      `SELECT count(*) AS n FROM marts.fct_invoices WHERE region = 'LATAM' AND aging_bucket IS NOT NULL
       AND issue_date BETWEEN DATE '2026-04-01' AND DATE '2026-06-30'`,
    );
    await expect(tablet.getByTestId('explorer-drill-count').innerText()).resolves.toMatch(
      new RegExp(` of ${Number(q3?.['n']).toLocaleString('en-US')} invoices$`),
    );
    await screenshot(tablet, 'explorer-tablet-pivot-drill');
    await tablet.keyboard.press('Escape');
    await tablet.waitForURL((u) => !u.searchParams.has('drill'));
    await expect(tablet.getByTestId('explorer-drill').count()).resolves.toBe(0);
    // The keyboard is back on the cell that opened the list.
    await expect
      .poll(() => tablet.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toMatch(/: list the invoices behind Q2 2026 · LATAM · Open amount$/);
    await tablet.context().close();
  });

  it('survives a hand-edited link: unknown members and junk are ignored', async () => {
    await gotoReady(
      page,
      `${h.url}explore?view=nope&m=<b>,count&d=region,ghost&chart=radar&f=region:like:x&drill=`,
    );
    await expect(page.locator('[data-testid=explorer-table] thead th').allInnerTexts()).resolves.toEqual([
      'Region',
      'Open amount',
    ]);
  });
});
