/**
 * npm run bench:scale — ARLens on DuckDB and on PostgreSQL side by side (issue 21, Deliver 7).
 *
 * In one run, on the same demo exports (seed 7):
 * 1. BENCH_INVOICES (default 1,000,000) invoices: ingest and full build through the CLI's own functions
 *    (runIngest, runBuild) on DuckDB (the baseline) and on PostgreSQL;
 *    pg_build_vs_duckdb = PostgreSQL build s / DuckDB build s (also ingest and disk, reported);
 * 2. the dashboard's Cube queries (the widgets' queries, each request with its own LIMIT so Cube's
 *    result cache never answers, rollups as the server builds them) against a server on each engine:
 *    pg_dashboard_p95_vs_duckdb = the slowest query's p95 on PostgreSQL / on DuckDB;
 * 3. BENCH_PG_LARGE (default 5,000,000; 0 skips) invoices on PostgreSQL only: ingest + full build time
 *    (pg_build_5m_s) and database size, for docs/scale-out.md's size model.
 *
 * PostgreSQL runs in a cluster this benchmark starts in a temporary directory (initdb as the
 * `postgres` user when run as root), with fsync on and the settings printed in the results.
 * Knobs: BENCH_INVOICES, BENCH_PG_LARGE, BENCH_REPS (default 20).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { Query } from '@cubejs-client/core';
import pg from 'pg';
import { runBuild } from '../../cli/commands/build.ts';
import { runIngest } from '../../cli/commands/ingest.ts';
import { loadConfig, type Config } from '../../cli/config.ts';
import { signToken } from '../../cube/security.ts';
import { startServer } from '../../server/index.ts';
import { agingTrendQuery } from '../../web/lib/widgets/aging-trend/aging-trend.query.ts';
import { dsoTrendQuery } from '../../web/lib/widgets/dso-trend/dso-trend.query.ts';
import { kpiHeatmapQuery } from '../../web/lib/widgets/kpi-heatmap/kpi-heatmap.query.ts';
import { kpiTilesQuery } from '../../web/lib/widgets/kpi-tiles/kpi-tiles.query.ts';
import { findPgBin } from '../pg/cluster.ts';
import { metric, writeBenchDemo, writeResults, type Metric } from './report.ts';

const invoices = Number(process.env['BENCH_INVOICES'] ?? 1_000_000);
const large = Number(process.env['BENCH_PG_LARGE'] ?? 5_000_000);
const reps = Number(process.env['BENCH_REPS'] ?? 20);
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const PG_SETTINGS = [
  "listen_addresses=''",
  'fsync=on',
  'shared_buffers=512MB',
  'work_mem=64MB',
  'maintenance_work_mem=256MB',
  'max_parallel_workers_per_gather=2',
  'jit=off',
  'max_wal_size=4GB',
];

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

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (f.isFile()) n += (await fs.stat(join(f.parentPath, f.name))).size;
  }
  return n;
}

/** A PostgreSQL cluster of the benchmark's own (fsync on, memory for a 1M-invoice build). */
async function startPg(root: string): Promise<{ url: string; stop: () => void }> {
  const bin = await findPgBin();
  if (!bin) throw new Error('No PostgreSQL server binaries: npm run test:pg-deps installs them.');
  const dir = join(root, 'pg');
  await fs.mkdir(dir);
  const asRoot = userInfo().uid === 0;
  const prefix = asRoot ? ['runuser', '-u', 'postgres', '--'] : [];
  if (asRoot) execFileSync('chown', ['-R', 'postgres', root]);
  const exec = (tool: string, args: string[]) => {
    const [cmd, ...rest] = [...prefix, join(bin, tool), ...args];
    execFileSync(cmd!, rest, { stdio: 'inherit', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  };
  exec('initdb', ['-D', join(dir, 'data'), '-U', 'arlens', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const options = [`-p 54777`, `-k ${dir}`, ...PG_SETTINGS.map((s) => `-c ${s}`)].join(' ');
  exec('pg_ctl', [
    '-D',
    join(dir, 'data'),
    '-l',
    join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    options,
    'start',
  ]);
  return {
    url: `postgres://arlens@localhost:54777/postgres?host=${encodeURIComponent(dir)}`,
    stop: () => {
      const [cmd, ...rest] = [
        ...prefix,
        join(bin, 'pg_ctl'),
        '-D',
        join(dir, 'data'),
        '-m',
        'fast',
        '-w',
        'stop',
      ];
      spawnSync(cmd!, rest, { stdio: 'inherit' });
    },
  };
}

async function database(adminUrl: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.href;
}

async function config(root: string, name: string, warehouse: string): Promise<Config> {
  const path = join(root, `${name}.yaml`);
  await fs.writeFile(path, `warehouse: ${warehouse}\n`);
  return loadConfig(path);
}

const seconds = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return (performance.now() - t) / 1000;
};

/** The slowest dashboard query's p95 (ms) against a server on `c`'s warehouse. */
async function dashboardP95(c: Config): Promise<{ worst: number; name: string }> {
  const server = await startServer({
    warehouseDir: c.warehouse,
    host: '127.0.0.1',
    port: 0,
    apiSecret: SECRET,
    ...(c.engine.kind === 'postgres' ? { postgres: { url: c.engine.url } } : {}),
  });
  try {
    await server.cube.refreshPreAggregations();
    const token = await signToken(SECRET, { role: 'cfo' });
    let worst = { worst: 0, name: '' };
    let run = 0;
    for (const [name, q] of QUERIES) {
      const times: number[] = [];
      for (let i = 0; i < reps + 3; i++) {
        const t = performance.now();
        const res = await fetch(
          `${server.url}cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify({ ...q, limit: 5000 + run++ }))}`,
          { headers: { authorization: token } },
        );
        if (res.status !== 200) throw new Error(`${name}: ${res.status} ${await res.text()}`);
        await res.json();
        if (i >= 3) times.push(performance.now() - t);
      }
      const p95 = pct(times, 95);
      console.log(`${c.engine.kind} ${name}: p95 ${p95.toFixed(1)} ms`);
      if (p95 > worst.worst) worst = { worst: p95, name };
    }
    return worst;
  } finally {
    await server.close();
  }
}

const root = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-scale-'));
const pgServer = await startPg(root);
try {
  const exports = join(root, 'exports');
  writeBenchDemo(exports, invoices);
  const sources = [{ path: exports, profile: 'canonical' }];

  const duck = await config(root, 'duckdb', JSON.stringify(join(root, 'wh')));
  const duckIngest = await seconds(() => runIngest(duck, sources, false));
  const duckBuild = await seconds(() => runBuild(duck, { fullRefresh: true }));
  const duckBytes = await dirBytes(join(root, 'wh'));

  const pgUrl = await database(pgServer.url, 'arlens_1m');
  const onPg = await config(
    root,
    'pg',
    `{ engine: postgres, url: ${JSON.stringify(pgUrl)}, dir: ${JSON.stringify(join(root, 'pgdir'))} }`,
  );
  const pgIngest = await seconds(() => runIngest(onPg, sources, false));
  const pgBuild = await seconds(() => runBuild(onPg, { fullRefresh: true }));
  const size = new pg.Client({ connectionString: pgUrl });
  await size.connect();
  const pgBytes = Number((await size.query('SELECT pg_database_size(current_database()) AS b')).rows[0].b);
  await size.end();

  const duckDash = await dashboardP95(duck);
  const pgDash = await dashboardP95(onPg);

  const note = `${invoices.toLocaleString('en')} invoices`;
  const metrics: Metric[] = [
    metric('pg_build_vs_duckdb', pgBuild, 's', duckBuild, null, `full build, ${note}`),
    metric('pg_ingest_vs_duckdb', pgIngest, 's', duckIngest, null, `ingest, ${note}`),
    metric(
      'pg_dashboard_p95_vs_duckdb',
      pgDash.worst,
      'ms',
      duckDash.worst,
      null,
      `slowest dashboard query p95 (PostgreSQL: ${pgDash.name}; DuckDB: ${duckDash.name}), ${reps} requests each`,
    ),
    metric(
      'pg_disk_vs_duckdb',
      pgBytes / 2 ** 20,
      'MiB',
      duckBytes / 2 ** 20,
      null,
      `warehouse on disk, ${note}`,
    ),
  ];

  if (large > 0) {
    const bigExports = join(root, 'exports-large');
    writeBenchDemo(bigExports, large);
    const bigUrl = await database(pgServer.url, 'arlens_large');
    const big = await config(
      root,
      'pg-large',
      `{ engine: postgres, url: ${JSON.stringify(bigUrl)}, dir: ${JSON.stringify(join(root, 'pgdir-large'))} }`,
    );
    const bigIngest = await seconds(() =>
      runIngest(big, [{ path: bigExports, profile: 'canonical' }], false),
    );
    const bigBuild = await seconds(() => runBuild(big, { fullRefresh: true }));
    const c = new pg.Client({ connectionString: bigUrl });
    await c.connect();
    const bytes = Number((await c.query('SELECT pg_database_size(current_database()) AS b')).rows[0].b);
    await c.end();
    const big5 = `${large.toLocaleString('en')} invoices on PostgreSQL`;
    metrics.push(
      metric('pg_build_5m_s', bigBuild, 's', null, null, `full build, ${big5}`),
      metric('pg_ingest_5m_s', bigIngest, 's', null, null, `ingest, ${big5}`),
      metric('pg_disk_5m_mib', bytes / 2 ** 20, 'MiB', null, null, `database size, ${big5}`),
    );
  }
  metrics.push(metric('pg_settings', PG_SETTINGS.length, 'settings', null, null, PG_SETTINGS.join(' ')));
  await writeResults('scale', metrics);
} finally {
  pgServer.stop();
  await fs.rm(root, { recursive: true, force: true });
}
