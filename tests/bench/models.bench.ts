/**
 * npm run bench:models — the dbt project on 1,000,000 demo invoices.
 *
 * - build_vs_compiled_sql: `build()` (parse, Jinja, DAG, models, data tests, unit tests, run log,
 *   copy-on-write generation and publish) over running the very statements it executed directly
 *   through DuckDB on a copy of the same warehouse (copy, run, checkpoint), in the same run.
 * - incremental_vs_full: a rebuild after +1 % new invoices (with their payments) over the full build.
 * Knobs: BENCH_INVOICES (default 1000000).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { warehouseFiles } from '../../warehouse/store.ts';
import { metric, writeBenchDemo, writeResults } from './report.ts';

const invoices = Number(process.env['BENCH_INVOICES'] ?? 1_000_000);
const ROOT = join(import.meta.dirname, '..', '..');
const PROJECT = join(ROOT, 'models');

const root = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-models-'));
try {
  const exports = join(root, 'exports');
  const wh = join(root, 'wh');
  writeBenchDemo(exports, invoices);
  await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
  const loaded = join(root, 'loaded.duckdb');
  await fs.copyFile(warehouseFiles(wh).current, loaded);

  // Full build through the runner.
  let t = performance.now();
  const full = await build({ projectDir: PROJECT, warehouseDir: wh });
  const fullS = (performance.now() - t) / 1000;
  const models = full.results.filter((r) => r.kind === 'model').length;

  // The same statements, straight through DuckDB, on a copy of the same loaded warehouse.
  t = performance.now();
  const direct = join(root, 'direct.duckdb');
  await fs.copyFile(loaded, direct);
  const db = await DuckDBInstance.create(direct);
  const conn = await db.connect();
  for (const s of full.statements) {
    if (s.params.length > 0) await conn.run(s.sql, s.params as DuckDBValue[]);
    else await conn.run(s.sql);
  }
  await conn.run('CHECKPOINT');
  conn.closeSync();
  db.closeSync();
  const directS = (performance.now() - t) / 1000;

  // +1 %: new invoices on the as-of date, each paid in full the same day.
  const extra = join(root, 'extra');
  await fs.mkdir(extra);
  const n = Math.max(1, Math.round(invoices / 100));
  const scratch = await DuckDBInstance.create(':memory:');
  const sc = await scratch.connect();
  const src = (name: string) => `read_csv('${join(exports, name)}', all_varchar = true)`;
  await sc.run(
    `CREATE TABLE base AS SELECT * FROM ${src('invoices.csv')} USING SAMPLE ${n} ROWS (reservoir, 7)`,
  );
  await sc.run(
    `COPY (SELECT 'INV-N' || row_number() OVER () AS invoice_id, customer_id, '2026-09-30' AS issue_date,
            '2026-10-30' AS due_date, amount, currency, product_line, sales_order_id, shipment_batch, salesperson
            FROM base)
     TO '${join(extra, 'invoices_extra.csv')}' (HEADER)`,
  );
  await sc.run(
    `COPY (SELECT 'RCPT-N' || row_number() OVER () AS receipt_id, customer_id, '2026-09-30' AS payment_date, amount,
            currency, 'bank_transfer' AS method, NULL AS bank_reference FROM base)
     TO '${join(extra, 'payments_extra.csv')}' (HEADER)`,
  );
  await sc.run(
    `COPY (SELECT 'RCPT-N' || row_number() OVER () AS receipt_id, 'INV-N' || row_number() OVER () AS invoice_id,
            '2026-09-30' AS applied_date, amount AS applied_amount FROM base)
     TO '${join(extra, 'payment_applications_extra.csv')}' (HEADER)`,
  );
  sc.closeSync();
  scratch.closeSync();
  const added = await ingest([{ path: extra, profile: 'canonical' }], { warehouseDir: wh });
  const quarantined = added.loads.reduce((q, l) => q + l.rowsQuarantined, 0);
  if (quarantined > 0)
    throw new Error(`the +1 % data should load cleanly; ${quarantined} rows were quarantined`);
  t = performance.now();
  await build({ projectDir: PROJECT, warehouseDir: wh });
  const incrementalS = (performance.now() - t) / 1000;

  await writeResults('models', [
    metric(
      'build_vs_compiled_sql',
      fullS,
      's',
      directS,
      1.2,
      `${models} models, ${full.results.length} nodes`,
    ),
    metric('incremental_vs_full', incrementalS, 's', fullS, 0.1, `after +${n} invoices with payments`),
    metric('full_build_s', fullS, 's', null, null, `${invoices} invoices`),
  ]);
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
