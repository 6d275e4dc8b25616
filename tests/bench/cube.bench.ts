/**
 * npm run bench:cube — the semantic layer on 1,000,000 demo invoices.
 *
 * For each dashboard query (web/lib/widgets/*.query.ts and the Explorer's default):
 * - with its rollup (pre-aggregation in DuckDB) and without (the same query plus a no-op filter no
 *   rollup covers), p50/p95 of /v1/load, each request with its own LIMIT so Cube's result cache
 *   never answers (the query is compiled, planned and run every time);
 * - the same SQL Cube generated, run straight on the server's DuckDB in the same run (baseline):
 *   cube_vs_raw_sql_p95 = Cube p95 / raw p95 (target <= 1.5 without rollups);
 * - preagg_p95_ms: the slowest rollup-served query's p95 (target <= 100 ms warm), raw p95 beside it.
 * Then 20 concurrent clients for 30 s over a mix of dashboard queries and filters (as users would
 * send them, cache allowed): errors (target 0) and requests per second.
 * Knobs: BENCH_INVOICES (default 1000000), BENCH_REPS (default 30), BENCH_SECONDS (default 30).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Query } from '@cubejs-client/core';
import { signToken } from '../../cube/security.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { startServer } from '../../server/index.ts';
import { queryRowsForCube } from '../../warehouse/convert.ts';
import type { SqlParam } from '../../warehouse/duckdb.ts';
import type { ServingWarehouse } from '../../warehouse/serving.ts';
import { agingTrendQuery } from '../../web/lib/widgets/aging-trend/aging-trend.query.ts';
import { dsoTrendQuery } from '../../web/lib/widgets/dso-trend/dso-trend.query.ts';
import { kpiHeatmapQuery } from '../../web/lib/widgets/kpi-heatmap/kpi-heatmap.query.ts';
import { kpiTilesQuery } from '../../web/lib/widgets/kpi-tiles/kpi-tiles.query.ts';
import { metric, writeBenchDemo, writeResults, type Metric } from './report.ts';

const invoices = Number(process.env['BENCH_INVOICES'] ?? 1_000_000);
const reps = Number(process.env['BENCH_REPS'] ?? 30);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 30);
const ROOT = join(import.meta.dirname, '..', '..');
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';

const QUERIES: [string, Query][] = [
  ['kpi_tiles', kpiTilesQuery({ from: '2025-10-01', to: '2026-09-30' })],
  ['kpi_tiles_region', kpiTilesQuery({ region: 'LATAM' })],
  ['dso_trend_product_line', dsoTrendQuery({ productLine: 'Spare Parts' })],
  ['aging_trend_region_product_line', agingTrendQuery({ region: 'EMEA', productLine: 'Services' })],
  ['credit_heatmap', kpiHeatmapQuery({}, '2026-09-01')],
  [
    'explorer_invoices_by_region_quarter',
    {
      measures: ['analyst.invoiced', 'analyst.open_amount', 'analyst.count'],
      dimensions: ['analyst.region'],
      timeDimensions: [{ dimension: 'analyst.issue_date', granularity: 'quarter' }],
      order: { 'analyst.issue_date': 'asc', 'analyst.region': 'asc' },
    },
  ],
];

/** The same query with a filter that changes nothing but that no rollup covers. */
function withoutRollup(q: Query): Query {
  const view = (q.measures?.[0] ?? '').split('.')[0]!;
  return { ...q, filters: [...(q.filters ?? []), { member: `${view}.salesperson`, operator: 'set' }] };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

/** Each measured request gets its own LIMIT (above any row count): Cube's result cache never answers. */
let runs = 0;

const root = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-cube-'));
try {
  const exports = join(root, 'exports');
  const wh = join(root, 'wh');
  writeBenchDemo(exports, invoices);
  await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
  const server = await startServer({ warehouseDir: wh, host: '127.0.0.1', port: 0, apiSecret: SECRET });
  try {
    const token = await signToken(SECRET, { role: 'cfo' });
    const api = `${server.url}cubejs-api/v1`;
    const call = async (path: string, query: Query) => {
      const res = await fetch(`${api}/${path}?query=${encodeURIComponent(JSON.stringify(query))}`, {
        headers: { authorization: token },
      });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status !== 200) throw new Error(`${path} ${res.status}: ${JSON.stringify(body)}`);
      return body;
    };
    let t = performance.now();
    await server.cube.refreshPreAggregations();
    const refreshS = (performance.now() - t) / 1000;

    const metrics: Metric[] = [
      metric('rollup_refresh_s', refreshS, 's', null, null, 'all rollups, after a build'),
    ];
    let worstPreagg = { p95: 0, raw: 0, name: '' };
    const ratios: number[] = [];
    for (const [name, query] of QUERIES) {
      for (const [variant, q] of [
        ['preagg', query],
        ['no_preagg', withoutRollup(query)],
      ] as const) {
        const sqlBody = (await call('sql', q)) as {
          sql: { sql: [string, SqlParam[]]; preAggregations: { tableName: string }[] };
        };
        const params = sqlBody.sql.sql[1];
        let sql = sqlBody.sql.sql[0];
        // /v1/sql names a rollup without its version: use the table Cube built (the newest one).
        for (const { tableName } of sqlBody.sql.preAggregations) {
          const [schema, table] = tableName.split('.') as [string, string];
          const built = await server.warehouse.query(
            `SELECT table_name FROM information_schema.tables
             WHERE table_catalog = 'memory' AND table_schema = $1 AND regexp_matches(table_name, $2)
             ORDER BY split_part(table_name, '_', -1) DESC LIMIT 1`,
            [schema, `^${table}_[a-z0-9]+_[a-z0-9]+_[a-z0-9]+$`],
          );
          const name = built[0]?.['table_name'];
          if (typeof name !== 'string') throw new Error(`rollup ${tableName} was not built`);
          sql = sql.replaceAll(`${tableName} `, `${schema}.${name} `);
        }
        const usesRollup = sqlBody.sql.preAggregations.length > 0;
        if (usesRollup !== (variant === 'preagg'))
          throw new Error(`${name} ${variant}: rollup use is ${usesRollup}`);
        const cube: number[] = [];
        const raw: number[] = [];
        for (let i = 0; i < reps + 3; i++) {
          t = performance.now();
          await call('load', { ...q, limit: 5000 + runs++ });
          const c = performance.now() - t;
          t = performance.now();
          await (server.warehouse as ServingWarehouse)
            .withConnection((conn) => queryRowsForCube(conn, sql, params))
            .catch((e: unknown) => {
              throw new Error(`raw SQL of ${name} ${variant}: ${(e as Error).message}\n${sql}`);
            });
          const r = performance.now() - t;
          if (i >= 3) {
            cube.push(c);
            raw.push(r);
          }
        }
        const p95 = pct(cube, 95);
        const rawP95 = pct(raw, 95);
        metrics.push(metric(`${name}_${variant}_p50_ms`, pct(cube, 50), 'ms', pct(raw, 50)));
        metrics.push(
          metric(
            `${name}_${variant}_p95_ms`,
            p95,
            'ms',
            rawP95,
            variant === 'no_preagg' ? 1.5 : null,
            'baseline: raw SQL',
          ),
        );
        if (variant === 'no_preagg') ratios.push(p95 / rawP95);
        else if (p95 > worstPreagg.p95) worstPreagg = { p95, raw: rawP95, name };
      }
    }
    const geo = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
    metrics.push(
      metric(
        'cube_vs_raw_sql_p95',
        geo,
        'ratio',
        null,
        1.5,
        `geometric mean over ${ratios.length} queries without rollups`,
      ),
    );
    metrics.push(
      metric(
        'preagg_p95_ms',
        worstPreagg.p95,
        'ms',
        worstPreagg.raw,
        100,
        `slowest: ${worstPreagg.name}; baseline: its raw SQL`,
      ),
    );

    // 20 concurrent clients, 30 s, dashboard queries with the filters users pick.
    const regions = ['APAC', 'EMEA', 'LATAM', 'North America', undefined];
    const lines = ['Hardware', 'Software', 'Services', 'Spare Parts', 'Consumables', undefined];
    let requests = 0;
    const errors: string[] = [];
    const until = performance.now() + seconds * 1000;
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const client = async () => {
      while (performance.now() < until) {
        const f = { region: regions[rand(regions.length)], productLine: lines[rand(lines.length)] };
        const pick = rand(4);
        const q =
          pick === 0
            ? kpiTilesQuery(f)
            : pick === 1
              ? dsoTrendQuery(f)
              : pick === 2
                ? agingTrendQuery(f)
                : kpiHeatmapQuery(f, '2026-09-01');
        try {
          await call('load', q);
          requests++;
        } catch (e) {
          errors.push((e as Error).message.slice(0, 200));
        }
      }
    };
    t = performance.now();
    await Promise.all(Array.from({ length: 20 }, client));
    const elapsed = (performance.now() - t) / 1000;
    metrics.push(metric('concurrent_errors', errors.length, 'errors', null, 0, `20 clients, ${seconds} s`));
    metrics.push(
      metric('concurrent_throughput', requests / elapsed, 'req/s', null, null, `${requests} requests`),
    );
    if (errors.length > 0) console.error(errors.slice(0, 5).join('\n'));
    await writeResults('cube', metrics);
  } finally {
    await server.close();
  }
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
