/**
 * Hostile values in every dimension the dashboard shows. The demo exports are rewritten before they
 * are loaded, so that regions, product lines, segments, salespeople, credit controllers, customer
 * names and ids hold HTML, script URLs and spreadsheet formulas (and one customer's country does, so
 * it is quarantined and shown on the Data page). In Chromium, every page is visited as a CFO, a sales
 * lead and a credit controller of those hostile names; every chart element (heatmap cells, bars, pie
 * slices, legends, axis labels) is hovered, drill-downs are clicked, CSV and XLSX are exported. No
 * dialog may open, no injected element may appear, no request may go anywhere but the ARLens server's
 * own pages and APIs, every value is shown as literal text, and exports carry formulas as text.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { DEFAULT_STATE, explorerStateToUrl, type ExplorerState } from '../../web/lib/explorer/state.ts';
import { DEMO_AS_OF } from '../cube/harness.ts';
import { ROOT } from '../helpers.ts';
import { parseCsv, rewrite } from './exports.ts';
import { gotoReady, signIn, startBrowserHarness, waitForCharts, type BrowserHarness } from './harness.ts';

const IMG = '<img src=x onerror=alert(9)>';
const SVG = '"><svg onload=alert(9)>';
const JS = 'javascript:alert(9)';
const HYPERLINK = '=HYPERLINK("http://evil")';
const PLUS = '+1+1';
const AT = '@SUM(1)';
const HOSTILE = [IMG, SVG, JS, HYPERLINK, PLUS, AT];
const FORMULAS = [HYPERLINK, PLUS, AT];

const REGIONS: Record<string, string> = { LATAM: IMG, APAC: SVG, 'North America': HYPERLINK };
const PRODUCT_LINES: Record<string, string> = {
  'Spare Parts': IMG,
  Services: SVG,
  Hardware: JS,
  'Software Licences': HYPERLINK,
  Subscriptions: PLUS,
};
const SEGMENTS: Record<string, string> = { Enterprise: AT, 'Mid-market': SVG, SMB: IMG };
/** Customers whose id is hostile (an id ends up in links: /customers/<id>). */
const HOSTILE_IDS = [JS, SVG];
const ID_NAMES = ['Hostile Id Script', 'Hostile Id Markup'];
/** A customer with a hostile country: quarantined (not an ISO code), shown on the Data page. */
const QUARANTINED_ID = 'ZZ-HOSTILE';

// ---------------------------------------------------------------------------------------------
// The hostile warehouse: demo exports rewritten, then loaded and built as in tests/cube/harness.ts.

/** Distinct values of a column → hostile values, in turn. */
function assignHostile(values: Iterable<string>): Map<string, string> {
  return new Map([...new Set(values)].sort().map((v, i) => [v, HOSTILE[i % HOSTILE.length]!]));
}

async function hostileWarehouse(root: string): Promise<string> {
  const wh = join(root, 'wh');
  const exports = join(root, 'exports');
  await fs.mkdir(exports, { recursive: true });
  await generateDemo({ seed: 5, invoices: 3000, asOf: DEMO_AS_OF, outDir: exports });

  const [header, ...customers] = parseCsv(await fs.readFile(join(exports, 'customers.csv'), 'utf8'));
  const col = (name: string) => header!.indexOf(name);
  const people = assignHostile(customers.map((c) => c[col('salesperson')]!).filter(Boolean));
  const controllers = assignHostile(customers.map((c) => c[col('credit_controller')]!).filter(Boolean));
  const ids = new Map(customers.slice(6, 6 + HOSTILE_IDS.length).map((c, i) => [c[0]!, HOSTILE_IDS[i]!]));
  const mapId = (r: Record<string, string>) => {
    if (r['customer_id'] !== undefined) r['customer_id'] = ids.get(r['customer_id']) ?? r['customer_id'];
  };
  const mapped = (map: Record<string, string> | Map<string, string>, v: string) =>
    (map instanceof Map ? map.get(v) : map[v]) ?? v;

  await rewrite(
    exports,
    'customers.csv',
    (r, i) => {
      if (i < HOSTILE.length) r['customer_name'] = HOSTILE[i]!;
      const idIndex = HOSTILE_IDS.indexOf(ids.get(r['customer_id']!) ?? '');
      if (idIndex >= 0) r['customer_name'] = ID_NAMES[idIndex]!;
      mapId(r);
      r['region'] = mapped(REGIONS, r['region']!);
      r['segment'] = mapped(SEGMENTS, r['segment']!);
      r['salesperson'] = mapped(people, r['salesperson']!);
      r['credit_controller'] = mapped(controllers, r['credit_controller']!);
    },
    [
      {
        customer_id: QUARANTINED_ID,
        customer_name: 'Quarantined by its country',
        region: 'EMEA',
        country: IMG,
        segment: 'SMB',
        industry: 'Retail',
        salesperson: 'Anna',
        credit_controller: 'Bob',
        credit_limit: '1000.00',
        payment_terms_days: '30',
        currency: 'EUR',
        status: 'active',
      },
    ],
  );
  await rewrite(exports, 'invoices.csv', (r) => {
    mapId(r);
    r['product_line'] = mapped(PRODUCT_LINES, r['product_line']!);
    r['salesperson'] = mapped(people, r['salesperson']!);
  });
  await rewrite(exports, 'sales_orders.csv', (r) => {
    mapId(r);
    r['product_line'] = mapped(PRODUCT_LINES, r['product_line']!);
  });
  await rewrite(exports, 'collection_activities.csv', (r) => {
    mapId(r);
    r['owner'] = mapped(controllers, r['owner']!);
  });
  for (const file of ['payments.csv', 'credit_memos.csv', 'disputes.csv', 'write_offs.csv']) {
    await rewrite(exports, file, mapId);
  }
  await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
  return wh;
}

// ---------------------------------------------------------------------------------------------
// What a page may do: the probes installed in every page of this file.

/**
 * Init script: records every tooltip text ECharts shows (the chart container's children after the
 * drawing) and every element an injection would add (an <img>, <iframe>, <script>, or anything with
 * an inline event handler or a javascript: URL), whenever it appears, even if it is gone again.
 */
const PROBE = `(() => {
  const tooltips = (window.__arlensTooltips = []);
  const injected = (window.__arlensInjected = []);
  const URL_ATTRIBUTES = /^(href|src|srcdoc|action|formaction|xlink:href|data|poster)$/i;
  const suspicious = (el) =>
    /^(IMG|IFRAME|OBJECT|EMBED)$/.test(el.tagName) ||
    // The one inline script a page has is SvelteKit's start-up; every other is an injection.
    (el.tagName === 'SCRIPT' && !el.src && !el.textContent.includes('__sveltekit_')) ||
    [...el.attributes].some(
      (a) => /^on/i.test(a.name) || (URL_ATTRIBUTES.test(a.name) && /^\\s*(javascript|data):/i.test(a.value)),
    );
  const check = (node) => {
    if (node.nodeType !== 1) return;
    for (const el of [node, ...node.querySelectorAll('*')]) {
      if (suspicious(el)) injected.push(el.outerHTML.slice(0, 200));
    }
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      m.addedNodes.forEach(check);
      if (m.type === 'attributes') check(m.target);
      const chart = (m.target.nodeType === 1 ? m.target : m.target.parentElement)?.closest?.('[role=img]');
      if (chart) {
        for (const tip of chart.querySelectorAll(':scope > div:not(:first-child)')) {
          const text = tip.innerText.trim();
          if (text && tooltips.at(-1) !== text) tooltips.push(text);
        }
      }
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
})();`;

interface Watch {
  readonly dialogs: string[];
  readonly requests: string[];
  readonly inFlight: Set<unknown>;
}

const watches = new WeakMap<BrowserContext, Watch>();

/** A page with the probe, dialogs recorded (and dismissed), every request recorded. */
async function watchedPage(h: BrowserHarness): Promise<Page> {
  const page = await h.newPage();
  const context = page.context();
  await context.addInitScript(PROBE);
  const watch: Watch = { dialogs: [], requests: [], inFlight: new Set() };
  watches.set(context, watch);
  context.on('dialog', (d) => {
    watch.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  context.on('request', (r) => {
    watch.requests.push(r.url());
    watch.inFlight.add(r);
  });
  context.on('requestfinished', (r) => watch.inFlight.delete(r));
  context.on('requestfailed', (r) => watch.inFlight.delete(r));
  return page;
}

/** The page's own routes, assets and APIs; anything else (a /x image, another host) is a leak. */
function unexpectedRequests(h: BrowserHarness, urls: readonly string[]): string[] {
  const origin = new URL(h.url).origin;
  const pages = /^\/(|credit|explore|customers(\/[^/]+)?|collections|risk|data|signin|favicon\.ico)$/;
  return urls.filter((raw) => {
    const u = new URL(raw);
    if (u.protocol === 'blob:' || u.protocol === 'data:') return false;
    if (u.origin !== origin) return true;
    const path = u.pathname.replace(/\/__data\.json$/, '') || '/';
    return !(path.startsWith('/_app/') || path.startsWith('/cubejs-api/v1/') || pages.test(path));
  });
}

/**
 * Nothing happened that should not have: waits until every request of the page has finished (so an
 * injected image would have failed and fired its handler), then checks dialogs, injected elements
 * and requests.
 */
async function assertNothingRan(h: BrowserHarness, page: Page): Promise<void> {
  const watch = watches.get(page.context())!;
  await expect.poll(() => watch.inFlight.size, { timeout: 10_000 }).toBe(0);
  // One round trip to the page: events of the finished requests (onerror → alert) come before it.
  const injected = await page.evaluate(() =>
    (window as unknown as { __arlensInjected: string[] }).__arlensInjected.splice(0),
  );
  const dialogs = watch.dialogs.splice(0);
  const requests = unexpectedRequests(h, watch.requests.splice(0));
  expect({ url: page.url(), injected, dialogs, requests }).toEqual({
    url: page.url(),
    injected: [],
    dialogs: [],
    requests: [],
  });
}

/** Tooltip texts shown so far on this page (since it loaded). */
async function tooltips(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __arlensTooltips: string[] }).__arlensTooltips);
}

/**
 * Hover every drawn element of every chart on the page: the centre of each shape (heatmap cells,
 * bars, pie slices, points, legend symbols) and of each text (axis labels, legend entries).
 */
async function hoverEverything(page: Page): Promise<number> {
  // Chart by chart, scrolled into view first: the mouse reaches only what is in the viewport (the
  // Credit page's heatmaps sit below its desk).
  const seen = new Set<string>();
  const charts = page.locator('[role=img]:has(svg)');
  for (let i = 0; i < (await charts.count()); i++) {
    const chart = charts.nth(i);
    await chart.scrollIntoViewIfNeeded();
    const points = await chart.evaluate((root) =>
      [...root.querySelectorAll('svg path, svg text')]
        .map((el) => el.getBoundingClientRect())
        .filter((b) => b.width >= 2 && b.height >= 2 && b.width < 2000)
        .map((b) => ({ x: Math.round(b.left + b.width / 2), y: Math.round(b.top + b.height / 2) })),
    );
    for (const p of points) {
      const key = `${i}:${p.x},${p.y}`;
      if (seen.has(key)) continue;
      seen.add(key);
      await page.mouse.move(p.x, p.y);
    }
  }
  await page.mouse.move(0, 0);
  return seen.size;
}

/** Texts of the page's charts (SVG labels: axes, legends, cells). */
async function chartTexts(page: Page): Promise<string[]> {
  return page.locator('main [role=img] svg text').allTextContents();
}

const explore = (h: BrowserHarness, patch: Partial<ExplorerState>) =>
  `${h.url}explore?${explorerStateToUrl({ ...DEFAULT_STATE, ...patch }).toString()}`;

/** Click an export button and return the downloaded bytes. */
async function download(page: Page, name: RegExp): Promise<Buffer> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name }).first().click(),
  ]);
  return fs.readFile(await file.path());
}

// ---------------------------------------------------------------------------------------------

let h: BrowserHarness;
beforeAll(async () => {
  h = await startBrowserHarness(hostileWarehouse);
}, 300_000);
afterEach(() => h.assertNoErrors());
afterAll(async () => {
  await h?.close();
});

it('the warehouse holds the hostile values where the dashboard shows them', async () => {
  const regions = (await h.sql('SELECT DISTINCT region FROM marts.dim_customers ORDER BY 1')).map((r) =>
    String(r['region']),
  );
  expect(regions).toEqual(expect.arrayContaining([IMG, SVG, HYPERLINK, 'EMEA']));
  const lines = (await h.sql('SELECT DISTINCT product_line FROM marts.fct_invoices')).map((r) =>
    String(r['product_line']),
  );
  expect(lines.sort()).toEqual([IMG, SVG, JS, HYPERLINK, PLUS].sort());
  const [c] = await h.sql(
    `SELECT count(DISTINCT customer_name) FILTER (WHERE customer_name IN (${HOSTILE.map((_, i) => `$${i + 1}`).join(',')})) AS names,
            count(*) FILTER (WHERE customer_id IN ($7, $8)) AS ids
     FROM marts.dim_customers`,
    [...HOSTILE, ...HOSTILE_IDS],
  );
  expect(c).toEqual({ names: '6', ids: '2' });
  const [q] = await h.sql(`SELECT value FROM meta.quarantine WHERE column_name = 'country'`);
  expect(q?.['value']).toBe(IMG);
});

describe('as the CFO', () => {
  let page: Page;
  beforeAll(async () => {
    page = await watchedPage(h);
    await signIn(page, 'cfo');
  }, 60_000);
  afterEach(async () => {
    if (page) await assertNothingRan(h, page);
  });
  afterAll(async () => {
    await page?.context().close();
  });

  it('Overview: the top overdue table and the charts show names as text', async () => {
    await gotoReady(page, h.url);
    expect(await hoverEverything(page)).toBeGreaterThan(20);
    const regions = await page
      .getByRole('table', { name: 'Top overdue customers' })
      .locator('tbody td:nth-child(2)')
      .allInnerTexts();
    expect(regions.some((r) => Object.values(REGIONS).includes(r))).toBe(true);
  });

  it('Credit policy: every heatmap cell hovered shows region × product line as text', async () => {
    await gotoReady(page, `${h.url}credit`);
    const texts = await chartTexts(page);
    for (const v of [IMG, SVG, HYPERLINK, JS, PLUS, AT]) expect(texts).toContain(v);
    expect(await hoverEverything(page)).toBeGreaterThan(30);
    const shown = await tooltips(page);
    // The KPI heatmap's tooltip: "<region> · <product line>: <value>", as literal text.
    expect(shown.some((t) => t.startsWith(`${IMG} · ${SVG}: `))).toBe(true);
    expect(shown.some((t) => t.startsWith(`${HYPERLINK} · ${JS}: `))).toBe(true);
    // The utilisation heatmap's: "<region> · <segment>: <value>".
    expect(shown.some((t) => t.startsWith(`${SVG} · ${AT}: `))).toBe(true);
  });

  it('Credit policy: a hostile region in the filter bar travels in the URL and filters', async () => {
    await gotoReady(page, `${h.url}credit`);
    await page.getByRole('form', { name: 'Filters' }).getByLabel('Region').selectOption(IMG);
    await page.waitForURL((u) => u.searchParams.get('region') === IMG);
    await waitForCharts(page);
    // 'EMEA' is the one region that is no product line or segment too.
    expect(await chartTexts(page)).not.toContain('EMEA');
    await hoverEverything(page);
    const shown = await tooltips(page);
    expect(shown.filter((t) => t.includes(' · ') && !t.startsWith(`${IMG} · `))).toEqual([]);
  });

  it('Explorer: bars by region, hovered and drilled; the drill list and its exports', async () => {
    await gotoReady(page, explore(h, { measures: ['open_amount'], dimensions: ['region'], chart: 'bar' }));
    const texts = await chartTexts(page);
    for (const v of [IMG, SVG, HYPERLINK]) expect(texts).toContain(v);
    await hoverEverything(page);
    expect((await tooltips(page)).some((t) => t.includes(IMG))).toBe(true);
    // Drill into the <img> region from its row in the result table (the same drill as its bar).
    await page
      .getByRole('button', { name: new RegExp(`list the invoices behind ${IMG.replace(/[()]/g, '\\$&')}`) })
      .first()
      .click();
    await page.waitForURL((u) => u.searchParams.getAll('dv').includes(`region:${IMG}`));
    await waitForCharts(page);
    const drill = page.getByTestId('explorer-drill');
    await expect(drill.locator('h2').innerText()).resolves.toContain(IMG);
    const csv = (await download(page, /Export the invoices as CSV/)).toString('utf8');
    expect(csv).toContain(IMG);
    expect(csv).not.toMatch(/(^|,)[=+@]/m);
  });

  it('Explorer: a pie of product lines, slices and legend hovered', async () => {
    await gotoReady(
      page,
      explore(h, { measures: ['open_amount'], dimensions: ['product_line'], chart: 'pie' }),
    );
    const texts = await chartTexts(page);
    for (const v of [IMG, SVG, JS, HYPERLINK, PLUS]) expect(texts.some((t) => t.includes(v))).toBe(true);
    await hoverEverything(page);
    expect((await tooltips(page)).some((t) => t.includes(SVG))).toBe(true);
  });

  it('Explorer: stacked bars by region and segment, legend hovered and clicked', async () => {
    await gotoReady(
      page,
      explore(h, { measures: ['open_amount'], dimensions: ['region', 'segment'], chart: 'stacked' }),
    );
    await hoverEverything(page);
    const legend = page.locator('main [role=img] svg text', { hasText: AT }).first();
    await legend.click();
    await waitForCharts(page);
    expect((await tooltips(page)).some((t) => t.includes(AT))).toBe(true);
  });

  it('Explorer: CSV and XLSX exports keep every hostile value as text, formulas neutralised', async () => {
    const url = explore(h, {
      measures: ['count', 'open_amount'],
      dimensions: ['region', 'product_line', 'segment', 'salesperson'],
      chart: 'table',
    });
    await gotoReady(page, url);
    const csv = (await download(page, /Export the result as CSV/)).toString('utf8');
    for (const v of FORMULAS) expect(csv).toContain(`'${v.replace(/"/g, '""')}`);
    for (const line of csv.slice(1).split('\r\n')) {
      for (const field of line.split(',')) expect(field).not.toMatch(/^"?[=+@]/);
    }
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(new Uint8Array(await download(page, /Export the result as an Excel workbook/)).buffer);
    const cells: ExcelJS.Cell[] = [];
    wb.worksheets[0]!.eachRow((row) => row.eachCell((cell) => void cells.push(cell)));
    expect(cells.filter((c) => c.type === ExcelJS.ValueType.Formula)).toEqual([]);
    const texts = cells.map((c) => c.value).filter((v): v is string => typeof v === 'string');
    for (const v of FORMULAS) expect(texts).toContain(`'${v}`);
    expect(texts).toContain(IMG);
    expect(texts.filter((t) => /^[=+@]/.test(t))).toEqual([]);

    // Customers and credit controllers too.
    await gotoReady(
      page,
      explore(h, {
        measures: ['count'],
        dimensions: ['customer_name', 'credit_controller'],
        chart: 'table',
      }),
    );
    const shown = await page.locator('[data-testid=explorer-table] tbody th').allInnerTexts();
    for (const v of HOSTILE) expect(shown).toContain(v);
    const csv2 = (await download(page, /Export the result as CSV/)).toString('utf8');
    for (const v of FORMULAS) expect(csv2).toContain(`'${v.replace(/"/g, '""')}`);
  });

  it('Customers: hostile names as text; a hostile customer id is a working, encoded link', async () => {
    await gotoReady(page, `${h.url}customers?q=${encodeURIComponent('Hostile Id')}`);
    const links = page.locator('main table tbody th a');
    await expect.poll(() => links.count()).toBe(2);
    const hrefs = await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs.sort()).toEqual(HOSTILE_IDS.map((id) => `/customers/${encodeURIComponent(id)}`).sort());
    await Promise.all([
      page.waitForURL((u) => u.pathname === `/customers/${encodeURIComponent(JS)}`),
      page.getByRole('link', { name: ID_NAMES[0] }).click(),
    ]);
    await waitForCharts(page);
    await expect(page.locator('main h1').innerText()).resolves.toContain(ID_NAMES[0]);
    await hoverEverything(page);

    await gotoReady(page, `${h.url}customers/${encodeURIComponent(SVG)}`);
    await expect(page.locator('main h1').innerText()).resolves.toContain(ID_NAMES[1]);
    await expect(page.locator('main').innerText()).resolves.toContain(SVG);

    await gotoReady(page, `${h.url}customers?q=${encodeURIComponent('<img')}`);
    await expect.poll(() => page.locator('main table tbody th a').allInnerTexts()).toContain(IMG);
  });

  it('Collections, Risk and Data: controllers, regions and the quarantined country as text', async () => {
    await gotoReady(page, `${h.url}collections`);
    const worklist = await page.locator('main').innerText();
    expect(HOSTILE.some((v) => worklist.includes(v))).toBe(true);
    await hoverEverything(page);
    await gotoReady(page, `${h.url}risk`);
    await hoverEverything(page);
    await gotoReady(page, `${h.url}data`);
    const cells = await page.locator('main table td').allInnerTexts();
    expect(cells).toContain(IMG);
  });
});

describe('as a sales lead of a hostile region and a credit controller of a hostile portfolio', () => {
  it('the sales lead sees their region, hovers and drills', async () => {
    const page = await watchedPage(h);
    await signIn(page, 'sales_lead', { region: IMG });
    await expect(page.locator('header .who').innerText()).resolves.toBe(`Sales lead · ${IMG}`);
    await waitForCharts(page);
    await hoverEverything(page);
    await gotoReady(page, `${h.url}credit`);
    await hoverEverything(page);
    const shown = await tooltips(page);
    expect(shown.some((t) => t.startsWith(`${IMG} · `))).toBe(true);
    // Heatmap tooltips start with the region: only theirs.
    expect(shown.filter((t) => t.startsWith(`${SVG} · `) || t.startsWith(`${HYPERLINK} · `))).toEqual([]);
    await assertNothingRan(h, page);
    await page.context().close();
  });

  it('the credit controller sees their worklist', async () => {
    const page = await watchedPage(h);
    await signIn(page, 'collector', { portfolio: SVG });
    await expect(page.locator('header .who').innerText()).resolves.toBe(`Credit controller · ${SVG}`);
    await waitForCharts(page);
    await hoverEverything(page);
    await gotoReady(page, `${h.url}customers`);
    await assertNothingRan(h, page);
    await page.context().close();
  });
});

it("the page's Content-Security-Policy blocks an inline event handler, should markup ever get in", async () => {
  const page = await h.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await signIn(page, 'cfo');
  await page.evaluate(() => {
    const div = document.createElement('div');
    // What an unescaped formatter would do; only this test writes markup like this.
    div.setAttribute('data-test', 'csp');
    document.body.append(div);
    div.insertAdjacentHTML('beforeend', '<img src="data:," onerror="alert(9)">');
  });
  await expect.poll(() => h.errors().join('\n')).toMatch(/CSP violation: script-src/);
  expect(dialogs).toEqual([]);
  expect(() => h.assertNoErrors()).toThrow(/CSP violation/);
  await page.context().close();
});
