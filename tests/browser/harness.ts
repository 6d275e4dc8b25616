/**
 * Browser tests: a demo warehouse (tests/cube/harness.ts's `demoWarehouse`: seed 5, 3,000 invoices,
 * as of 2026-06-30, marts built), the ARLens server on a free port, and headless Debian Chromium
 * driven by playwright-core. One harness per test file; `close()` closes every page, context, the
 * browser, the server and removes the warehouse.
 *
 * Stable API (other test files depend on it; add, don't change):
 *
 *   const h = await startBrowserHarness();        // in beforeAll (allow ~120 s)
 *   afterEach(() => h.assertNoErrors());          // fail the test on page errors / console.error
 *   afterAll(() => h.close());
 *
 *   h.url                  base URL, ends with '/' (e.g. http://127.0.0.1:43121/)
 *   h.browser              the playwright-core Browser
 *   h.wh / h.server        warehouse directory / the RunningServer
 *   h.sql(sql, params?)    rows from the published warehouse (DuckDB values as strings, see convert.ts)
 *   h.newPage(opts?)       a Page in a fresh BrowserContext (own cookies), en-US, Asia/Tokyo,
 *                          1280×900; page errors and console errors are recorded.
 *                          opts.ignoreErrors: RegExp[] of expected console errors (e.g. a 403 you provoke);
 *                          opts.acceptDownloads is on (for export tests).
 *   h.errors()             errors recorded so far (and not yet asserted), as "<page url>: <text>";
 *                          Content-Security-Policy violations count as errors
 *   h.assertNoErrors()     throws listing them (and clears them); favicon 404s never count
 *
 * The server serves the demo data set (ServerOptions.demo), so /signin offers the demo role picker.
 *
 *   await signIn(page, 'sales_lead', { region: 'LATAM' })  // the /signin form of the page's harness;
 *                                 // waits for the role's start page (or options.next) and checks its status
 *   await gotoReady(page, `${h.url}explore?region=EMEA`)            // goto (fails on HTTP ≥ 400) + waitForCharts
 *   await documentStatus(page)    // the current document's HTTP status (Navigation Timing)
 *   await waitForCharts(page)     // readiness probe: the page is hydrated (SvelteKit's router has
 *                                 // started), no [aria-busy=true] and no .skeleton is left, and every
 *                                 // [role=img] chart container has data-rendered="true"; never sleeps
 *   await screenshot(page, 'overview-ja')   // test-results/screenshots/overview-ja.png (full page)
 *   parseCompactMoney('-$1.3M')  // { value: -1300000, step: 100000 }: a compact en-US amount and its last digit
 *
 * Chromium: /usr/bin/chromium (scripts/ensure-chromium.sh installs Debian's package when missing).
 */
import { ROLE_POLICY } from '../../auth/policy.ts';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer, type ServerOptions } from '../../server/index.ts';
import type { Row } from '../../warehouse/convert.ts';
import type { SqlParam } from '../../warehouse/duckdb.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { published, ROOT, TEST_SECRET, tempDir } from '../helpers.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export type Role = 'cfo' | 'sales_lead' | 'analyst' | 'collector' | 'credit_manager';

/**
 * Init script for every page: sets `window.__arlensHydrated` once SvelteKit has hydrated the page
 * (and calls `window.__arlensOnHydrated` if a probe installed one).
 * SvelteKit's client starts its router (whose first act is a window 'beforeunload' listener) right
 * after hydration; the dashboard itself needs no test hook for it.
 */
export const HYDRATION_PROBE = `(() => {
  const add = window.addEventListener;
  window.addEventListener = function (type, ...rest) {
    if (type === 'beforeunload') {
      window.__arlensHydrated = true;
      window.addEventListener = add;
      queueMicrotask(() => window.__arlensOnHydrated?.());
    }
    return add.call(this, type, ...rest);
  };
})();`;

/**
 * Init script for every page: a Content-Security-Policy violation (a blocked script, style, image,
 * connection) is reported as a console error, so `assertNoErrors` fails the test on it.
 */
export const CSP_PROBE = `document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') +
    ' (' + (e.sourceFile || '') + ':' + e.lineNumber + ')');
});`;

/** The server each harness page belongs to (signIn reads it). */
const BASE_URL = new WeakMap<Page, string>();

export interface NewPageOptions {
  /** Console errors that are expected in this page (matched against the message text). */
  readonly ignoreErrors?: readonly RegExp[];
}

export interface BrowserHarness {
  readonly url: string;
  readonly browser: Browser;
  readonly wh: string;
  readonly server: RunningServer;
  sql(sql: string, params?: SqlParam[]): Promise<Row[]>;
  newPage(options?: NewPageOptions): Promise<Page>;
  errors(): readonly string[];
  assertNoErrors(): void;
  close(): Promise<void>;
}

/** Launch headless Chromium with the flags that work in a container without a display. */
export async function launchChromium(): Promise<Browser> {
  await fs.access(CHROMIUM).catch(() => {
    throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh (npm test does)`);
  });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

/** Attach error recording to a page; returns nothing, errors go into `sink`. */
export function recordErrors(page: Page, sink: string[], ignore: readonly RegExp[] = []): void {
  page.on('pageerror', (e) => sink.push(`${page.url()}: uncaught ${e.name}: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location().url;
    if (where.endsWith('/favicon.ico')) return;
    const text = msg.text();
    if (ignore.some((r) => r.test(text))) return;
    sink.push(`${page.url()}: console.error: ${text}${where ? ` (${where})` : ''}`);
  });
}

export async function startBrowserHarness(
  prepare: (root: string) => Promise<string> = demoWarehouse,
  /** More server options (e.g. `collections` with an SMTP server the test started). */
  extra: Partial<ServerOptions> = {},
): Promise<BrowserHarness> {
  const root = await tempDir('arlens-browser-');
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  try {
    const wh = await prepare(root);
    server = await startServer({
      warehouseDir: wh,
      host: '127.0.0.1',
      port: 0,
      apiSecret: TEST_SECRET,
      demo: true,
      ...extra,
    });
    browser = await launchChromium();
    const contexts = new Set<BrowserContext>();
    let errors: string[] = [];
    const b = browser;
    const s = server;
    return {
      url: s.url,
      browser: b,
      wh,
      server: s,
      sql: (sql, params = []) => published(wh, sql, params),
      newPage: async (options = {}) => {
        const context = await b.newContext({
          locale: 'en-US',
          timezoneId: 'Asia/Tokyo',
          viewport: { width: 1280, height: 900 },
          acceptDownloads: true,
        });
        contexts.add(context);
        await context.addInitScript(HYDRATION_PROBE);
        await context.addInitScript(CSP_PROBE);
        context.on('close', () => contexts.delete(context));
        const page = await context.newPage();
        recordErrors(page, errors, options.ignoreErrors);
        BASE_URL.set(page, s.url);
        return page;
      },
      errors: () => errors,
      assertNoErrors: () => {
        const found = errors;
        errors = [];
        if (found.length) throw new Error(`errors in the browser:\n${found.join('\n')}`);
      },
      close: async () => {
        for (const c of [...contexts]) await c.close().catch(() => {});
        await b.close();
        await s.close();
        await fs.rm(root, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    await server?.close().catch(() => {});
    await fs.rm(root, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Sign in through the /signin form (radio `role`, select `region` for a sales lead, `portfolio` for a
 * credit controller) and wait until the role's start page (or `next`) has loaded without an HTTP error.
 */
export async function signIn(
  page: Page,
  role: Role,
  options: { region?: string; portfolio?: string; next?: string } = {},
): Promise<void> {
  const baseUrl = BASE_URL.get(page);
  if (!baseUrl) throw new Error('signIn: open the page with the harness (h.newPage())');
  const qs = options.next ? `?next=${encodeURIComponent(options.next)}` : '';
  await page.goto(new URL(`signin${qs}`, baseUrl).href);
  await page.locator(`input[name=role][value=${role}]`).check();
  // The selects are enabled by the page's script once the role is chosen (Playwright waits for it).
  if (role === 'sales_lead') {
    if (!options.region) throw new Error('signIn: a sales lead needs a region');
    await page.locator('select[name=region]').selectOption(options.region);
  }
  if (role === 'collector') {
    if (!options.portfolio) throw new Error('signIn: a credit controller needs a portfolio');
    await page.locator('select[name=portfolio]').selectOption(options.portfolio);
  }
  const target = options.next ?? ROLE_POLICY[role].home;
  await Promise.all([
    page.waitForURL((u) => u.pathname === target.split('?')[0], { waitUntil: 'load' }),
    page.getByRole('button', { name: /demo user|デモユーザー/ }).click(),
  ]);
  const status = await documentStatus(page);
  if (status >= 400) throw new Error(`signed in as ${role}, but ${page.url()} answered HTTP ${status}`);
}

/** The HTTP status of the page's document (Navigation Timing), 0 when unknown. */
export async function documentStatus(page: Page): Promise<number> {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as
      (PerformanceNavigationTiming & { responseStatus?: number }) | undefined;
    return nav?.responseStatus ?? 0;
  });
}

/**
 * Readiness probe: resolves when the page is hydrated, no element is `aria-busy="true"` or a loading
 * `.skeleton` (the class every loading placeholder uses), and every chart container
 * (`[role=img]`, drawn by web/lib/ui/echarts.ts) says `data-rendered="true"`. Event-driven
 * (Playwright polls on animation frames), never a sleep.
 */
export async function waitForCharts(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    () => {
      if (document.readyState !== 'complete') return false;
      if (!(window as unknown as { __arlensHydrated?: boolean }).__arlensHydrated) return false;
      if (document.querySelector('[aria-busy="true"], .skeleton')) return false;
      return [...document.querySelectorAll('[role="img"]')].every(
        (el) => (el as HTMLElement).dataset['rendered'] === 'true',
      );
    },
    undefined,
    { timeout, polling: 'raf' },
  );
}

/** Navigate and wait until the page's charts and tables are ready. */
export async function gotoReady(page: Page, url: string): Promise<void> {
  const res = await page.goto(url, { waitUntil: 'load' });
  if (res && res.status() >= 400) throw new Error(`${url}: HTTP ${res.status()}`);
  await waitForCharts(page);
}

/** A full-page PNG under test-results/screenshots/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled' });
  return path;
}

/** "$792.2K" / "-$1.3M" / "$950" → a number (en-US compact currency, as the tiles show it) and its last digit's step. */
export function parseCompactMoney(text: string): { value: number; step: number } {
  const m = /^(-?)\$([\d,]+(?:\.(\d+))?)([KMBT]?)$/.exec(text.trim());
  if (!m) throw new Error(`not a compact money amount: ${text}`);
  const scale = { '': 1, K: 1e3, M: 1e6, B: 1e9, T: 1e12 }[m[4] as '' | 'K' | 'M' | 'B' | 'T'];
  const decimals = m[3]?.length ?? 0;
  const value = Number(m[2]?.replaceAll(',', '')) * scale;
  return { value: m[1] ? -value : value, step: scale / 10 ** decimals };
}
