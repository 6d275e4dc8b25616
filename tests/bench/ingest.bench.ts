/**
 * npm run bench:ingest — 1,000,000 demo invoices with their customers, payments and payment
 * applications, from CSV. Ours (validation, quarantine, upsert, audit, publish) against DuckDB's bare
 * CREATE TABLE … AS SELECT * FROM read_csv(…) on the same files, in the same run.
 * Knobs: BENCH_INVOICES (default 1000000), BENCH_REPEAT (default 3; medians are reported).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ingest } from '../../ingest/load.ts';
import { sha256File } from '../../ingest/read.ts';
import { median, metric, writeBenchDemo, writeResults } from './report.ts';

const invoices = Number(process.env['BENCH_INVOICES'] ?? 1_000_000);
const repeat = Number(process.env['BENCH_REPEAT'] ?? 3);
const ENTITIES = ['customers', 'invoices', 'payments', 'payment_applications'];

const root = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-ingest-'));
try {
  const exports = join(root, 'exports');
  await fs.mkdir(exports);
  // Generated in a child process so that its memory does not count toward our peak RSS.
  const t = performance.now();
  writeBenchDemo(exports, invoices);
  console.log(`generated ${invoices} invoices in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const files = ENTITIES.map((e) => join(exports, `${e}.csv`));
  for (const f of files) await sha256File(f); // warm the page cache for both contenders

  const ctas = async () => {
    const path = join(root, `ctas-${Date.now()}.duckdb`);
    const start = performance.now();
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    let rows = 0;
    for (const [i, f] of files.entries()) {
      await conn.run(`CREATE TABLE t${i} AS SELECT * FROM read_csv('${f}')`);
      const r = await conn.runAndReadAll(`SELECT count(*) FROM t${i}`);
      rows += Number(r.getRows()[0]?.[0]);
    }
    await conn.run('CHECKPOINT');
    conn.closeSync();
    db.closeSync();
    const s = (performance.now() - start) / 1000;
    await fs.rm(path, { force: true });
    return { s, rows };
  };

  const ours = async (wh: string) => {
    const start = performance.now();
    const report = await ingest(
      files.map((path) => ({ path, profile: 'canonical' })),
      { warehouseDir: wh },
    );
    return { s: (performance.now() - start) / 1000, report };
  };

  // Interleaved (ours, then CTAS, each repetition) so that drift on a shared machine hits both alike.
  const oursTimes: number[] = [];
  const reloadTimes: number[] = [];
  const ctasTimes: number[] = [];
  let ctasRows = 0;
  let rowsRead = 0;
  let quarantined = 0;
  let peakRssMb = 0;
  for (let i = 0; i < repeat; i++) {
    const wh = join(root, `wh-${i}`);
    const first = await ours(wh);
    oursTimes.push(first.s);
    rowsRead = first.report.loads.reduce((a, l) => a + l.rowsRead, 0);
    quarantined = first.report.loads.reduce((a, l) => a + l.rowsQuarantined, 0);
    const again = await ours(wh);
    if (again.report.published) throw new Error('reloading unchanged files published a new warehouse');
    reloadTimes.push(again.s);
    await fs.rm(wh, { recursive: true, force: true });
    if (i === 0) peakRssMb = process.resourceUsage().maxRSS / 1024; // before any CTAS run
    const r = await ctas();
    ctasTimes.push(r.s);
    ctasRows = r.rows;
  }
  if (ctasRows !== rowsRead) throw new Error(`row counts differ: CTAS ${ctasRows}, ours ${rowsRead}`);
  console.log(
    'ours',
    oursTimes.map((x) => x.toFixed(2)).join(' '),
    'ctas',
    ctasTimes.map((x) => x.toFixed(2)).join(' '),
  );
  const oursS = median(oursTimes);
  const ctasS = median(ctasTimes);
  const reloadS = median(reloadTimes);
  await writeResults('ingest', [
    metric('ingest_vs_duckdb_ctas', oursS, 's', ctasS, 2.0, `${rowsRead} rows in ${files.length} CSV files`),
    metric(
      'reload_unchanged_vs_first_load',
      reloadS,
      's',
      oursS,
      0.3,
      'same files again: recognised by SHA-256',
    ),
    metric('ingest_rows_per_s', rowsRead / oursS, 'rows/s', ctasRows / ctasS, null, 'baseline: CTAS rows/s'),
    metric(
      'ingest_peak_rss_mb',
      peakRssMb,
      'MB',
      null,
      null,
      'process peak during our first load and re-load',
    ),
    metric('ingest_rows_quarantined', quarantined, 'rows', null, 0, 'demo data is clean'),
  ]);
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
