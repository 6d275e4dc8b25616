/**
 * npm run bench:web — the dashboard in headless Chromium on demo data (BENCH_INVOICES, default
 * 20,000 invoices as `npm start` has; seed 7 as the other benchmarks).
 *
 * For the Overview (/) and the Explorer (/explore), signed in as the CFO:
 * - <page>_rendered_ms: navigation start until the page is hydrated, every chart container says
 *   data-rendered="true" and no element is aria-busy or a .skeleton (the browser tests' readiness
 *   probe), measured in the page itself; the median of BENCH_RUNS (default 10) navigations, each in
 *   a fresh browser context (empty HTTP cache, no open connections; the server is warm: one
 *   navigation first, reported as <page>_first_rendered_ms). Baseline: the sign-in page (no charts,
 *   no Cube) to the same point in the same run. Target ≤ 1500 ms. p95 beside it (with 10 runs: the
 *   slowest).
 * - <page>_hydrated_ms: navigation start until SvelteKit has hydrated the page (HTML, JS download,
 *   parse and hydration: the part before any Cube query starts).
 * - <page>_cube_ms: inside rendered_ms, the Cube /cubejs-api/v1/load requests (Resource Timing): the
 *   longest one (the critical path, as widgets query in parallel) and, in the note, the sum.
 * - <page>_initial_js_gzip_kb: every JavaScript file the page fetched until rendered (the entry
 *   scripts, modulepreload chunks and lazily loaded chunks the first render needs), each gzipped
 *   with node:zlib (level 9) and summed. Baseline: the sign-in page's. Target ≤ 350 KB.
 * A page that answers 404 is reported as missing (value null), never estimated.
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext } from 'playwright-core';
import { signToken } from '../../cube/security.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { startServer } from '../../server/index.ts';
import { SESSION_COOKIE } from '../../web/lib/server/session.ts';
import { HYDRATION_PROBE, launchChromium } from '../browser/harness.ts';
import { median, metric, writeBenchDemo, writeResults, type Metric } from './report.ts';

const invoices = Number(process.env['BENCH_INVOICES'] ?? 20_000);
const runs = Number(process.env['BENCH_RUNS'] ?? 10);
const ROOT = join(import.meta.dirname, '..', '..');
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const RENDER_TARGET_MS = 1500;
const JS_TARGET_KB = 350;

interface Sample {
  readonly status: number;
  /** Navigation start → ready, in the page's clock. */
  readonly renderedMs: number;
  /** Navigation start → SvelteKit hydrated the page. */
  readonly hydratedMs: number;
  readonly cubeMs: number[];
  /** Gzipped bytes of every script fetched until ready. */
  readonly jsGzipBytes: number;
  readonly jsBytes: number;
  readonly scripts: number;
}

/**
 * Installed before any page script: resolves `window.__arlensReady` with performance.now() the first
 * time the page is complete, nothing is aria-busy and every chart has rendered.
 */
const READY_PROBE = `
  window.__arlensReady = new Promise((resolve) => {
    const ready = () =>
      document.readyState === 'complete' &&
      window.__arlensHydrated === true &&
      !document.querySelector('[aria-busy="true"], .skeleton') &&
      [...document.querySelectorAll('[role="img"]')].every((el) => el.dataset.rendered === 'true');
    const check = () => {
      if (!ready()) return;
      observer.disconnect();
      resolve(performance.now());
    };
    const observer = new MutationObserver(check);
    observer.observe(document, { subtree: true, childList: true, attributes: true });
    window.addEventListener('load', check);
    window.__arlensOnHydrated = () => {
      window.__arlensHydratedAt = performance.now();
      check();
    };
  });
`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

/** One navigation in a fresh context; `cookie` is the session token ('' signed out). */
async function measure(browser: Browser, url: string, cookie: string): Promise<Sample> {
  const context: BrowserContext = await browser.newContext({
    locale: 'en-US',
    timezoneId: 'Asia/Tokyo',
    viewport: { width: 1280, height: 900 },
  });
  try {
    const u = new URL(url);
    if (cookie)
      await context.addCookies([{ name: SESSION_COOKIE, value: cookie, domain: u.hostname, path: '/' }]);
    await context.addInitScript(HYDRATION_PROBE);
    await context.addInitScript(READY_PROBE);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    let ready = false;
    const bodies: Promise<Buffer | null>[] = [];
    page.on('response', (res) => {
      if (ready) return;
      const type = res.headers()['content-type'] ?? '';
      if (res.request().resourceType() === 'script' || /javascript/.test(type)) {
        bodies.push(res.body().catch(() => null));
      }
    });
    const res = await page.goto(url, { waitUntil: 'commit' });
    const status = res?.status() ?? 0;
    if (status >= 400)
      return {
        status,
        renderedMs: NaN,
        hydratedMs: NaN,
        cubeMs: [],
        jsGzipBytes: NaN,
        jsBytes: NaN,
        scripts: 0,
      };
    const renderedMs = await page.evaluate(
      () => (window as unknown as { __arlensReady: Promise<number> }).__arlensReady,
    );
    ready = true;
    const cubeMs = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/cubejs-api/v1/load'))
        .map((e) => e.duration),
    );
    const scripts = (await Promise.all(bodies)).filter((b): b is Buffer => b !== null);
    if (errors.length) throw new Error(`${url}: page errors: ${errors.join('; ')}`);
    return {
      status,
      renderedMs,
      hydratedMs: await page.evaluate(
        () => (window as unknown as { __arlensHydratedAt: number }).__arlensHydratedAt,
      ),
      cubeMs,
      jsGzipBytes: scripts.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0),
      jsBytes: scripts.reduce((n, b) => n + b.length, 0),
      scripts: scripts.length,
    };
  } finally {
    await context.close();
  }
}

async function series(
  browser: Browser,
  url: string,
  cookie: string,
): Promise<{ first: Sample; runs: Sample[] }> {
  const first = await measure(browser, url, cookie);
  const measured: Sample[] = [];
  if (first.status >= 400) return { first, runs: measured };
  for (let i = 0; i < runs; i++) measured.push(await measure(browser, url, cookie));
  return { first, runs: measured };
}

const round1 = (x: number) => Math.round(x * 10) / 10;

const root = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-web-'));
try {
  const exports = join(root, 'exports');
  const wh = join(root, 'wh');
  writeBenchDemo(exports, invoices);
  await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
  const server = await startServer({ warehouseDir: wh, host: '127.0.0.1', port: 0, apiSecret: SECRET });
  const browser = await launchChromium();
  try {
    const cookie = await signToken(SECRET, { role: 'cfo' });
    const signin = await series(browser, `${server.url}signin`, '');
    const baseMs = median(signin.runs.map((s) => s.renderedMs));
    const baseKb = (signin.runs[0]?.jsGzipBytes ?? NaN) / 1024;
    const metrics: Metric[] = [];
    for (const [name, path] of [
      ['overview', ''],
      ['explorer', 'explore'],
    ] as const) {
      const { first, runs: samples } = await series(browser, `${server.url}${path}`, cookie);
      if (first.status >= 400) {
        const note = `missing: /${path} answered HTTP ${first.status}`;
        metrics.push(metric(`${name}_rendered_ms`, NaN, 'ms', baseMs, RENDER_TARGET_MS, note));
        metrics.push(metric(`${name}_initial_js_gzip_kb`, NaN, 'KB', baseKb, JS_TARGET_KB, note));
        continue;
      }
      const rendered = samples.map((s) => s.renderedMs);
      const cubeMax = samples.map((s) => Math.max(0, ...s.cubeMs));
      const cubeSum = samples.map((s) => s.cubeMs.reduce((a, b) => a + b, 0));
      const requests = samples[0]?.cubeMs.length ?? 0;
      const last = samples.at(-1) ?? first;
      metrics.push(
        metric(
          `${name}_rendered_ms`,
          round1(median(rendered)),
          'ms',
          round1(baseMs),
          RENDER_TARGET_MS,
          `p50 of ${samples.length} fresh contexts; baseline: /signin to the same readiness`,
        ),
        metric(
          `${name}_rendered_p95_ms`,
          round1(pct(rendered, 95)),
          'ms',
          round1(
            pct(
              signin.runs.map((s) => s.renderedMs),
              95,
            ),
          ),
        ),
        metric(
          `${name}_first_rendered_ms`,
          round1(first.renderedMs),
          'ms',
          null,
          null,
          'first navigation after start',
        ),
        metric(
          `${name}_hydrated_ms`,
          round1(median(samples.map((s) => s.hydratedMs))),
          'ms',
          round1(median(signin.runs.map((s) => s.hydratedMs))),
          null,
          'p50, navigation start to hydrated (Cube queries start after it)',
        ),
        metric(
          `${name}_cube_ms`,
          round1(median(cubeMax)),
          'ms',
          null,
          null,
          `p50 of the longest of ${requests} /v1/load requests; their sum p50 ${round1(median(cubeSum))} ms`,
        ),
        metric(
          `${name}_initial_js_gzip_kb`,
          round1(last.jsGzipBytes / 1024),
          'KB',
          round1(baseKb),
          JS_TARGET_KB,
          `${last.scripts} scripts, ${round1(last.jsBytes / 1024)} KB uncompressed; baseline: /signin`,
        ),
      );
    }
    await writeResults('web', metrics);
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
