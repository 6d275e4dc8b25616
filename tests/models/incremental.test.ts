import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { published, ROOT, tempDir, writeText } from '../helpers.ts';

const PROJECT = join(ROOT, 'models');

/**
 * A new day of exports, built incrementally, gives the same marts as a full rebuild of the same data
 * (daily snapshots that a full rebuild no longer keeps aside).
 */
describe('incremental builds', () => {
  let root: string;
  let incremental: string;
  let full: string;
  let runs: { model: string; message: string }[];

  beforeAll(async () => {
    root = await tempDir();
    incremental = join(root, 'incremental');
    full = join(root, 'full');
    const exports = join(root, 'exports');
    await fs.mkdir(exports);
    await generateDemo({ seed: 9, invoices: 2500, asOf: '2026-06-30', outDir: exports });
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: incremental });
    await build({ projectDir: PROJECT, warehouseDir: incremental });

    // The next day: two new invoices, a payment settling an old open invoice in part and one new
    // invoice in full, and a credit memo on another old open invoice.
    const open = await published(
      incremental,
      `SELECT invoice_id, customer_id, currency_code, open_amount FROM marts.fct_invoices
       WHERE open_amount > 10 ORDER BY invoice_id LIMIT 2`,
    );
    const [a, b] = open as {
      invoice_id: string;
      customer_id: string;
      currency_code: string;
      open_amount: string;
    }[];
    if (!a || !b) throw new Error('demo data has no open invoices');
    const day = join(root, 'day');
    await fs.mkdir(day);
    await writeText(
      day,
      'invoices_day.csv',
      [
        'invoice_id,customer_id,issue_date,due_date,amount,currency,product_line,sales_order_id,shipment_batch,salesperson',
        `NEW-1,${a.customer_id},2026-07-01,2026-07-31,1200.00,${a.currency_code},Hardware,,,`,
        `NEW-2,${b.customer_id},2026-07-01,2026-07-31,80.00,${b.currency_code},Services,,,`,
      ].join('\n'),
    );
    await writeText(
      day,
      'payments_day.csv',
      [
        'receipt_id,customer_id,payment_date,amount,currency,method,bank_reference',
        `PAY-1,${a.customer_id},2026-07-01,10.00,${a.currency_code},bank_transfer,`,
        `PAY-2,${b.customer_id},2026-07-01,80.00,${b.currency_code},bank_transfer,`,
      ].join('\n'),
    );
    await writeText(
      day,
      'payment_applications_day.csv',
      [
        'receipt_id,invoice_id,applied_date,applied_amount',
        `PAY-1,${a.invoice_id},2026-07-01,10.00`,
        'PAY-2,NEW-2,2026-07-01,80.00',
      ].join('\n'),
    );
    await writeText(
      day,
      'credit_memos_day.csv',
      [
        'credit_memo_id,customer_id,invoice_id,memo_date,amount,currency,reason',
        `CM-NEW,${b.customer_id},${b.invoice_id},2026-07-01,5.00,${b.currency_code},price difference`,
      ].join('\n'),
    );
    await ingest([{ path: day, profile: 'canonical' }], { warehouseDir: incremental });
    await fs.cp(incremental, full, { recursive: true });

    const report = await build({ projectDir: PROJECT, warehouseDir: incremental });
    runs = report.results
      .filter((r) => r.kind === 'model')
      .map((r) => ({ model: r.nodeId.split('.').pop() ?? '', message: r.message }));
    await build({ projectDir: PROJECT, warehouseDir: full, fullRefresh: true });
  }, 240_000);

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('processes only what changed', () => {
    const message = (m: string) => runs.find((r) => r.model === m)?.message ?? '';
    // 2 new invoices, 2 touched old ones, and the open ones whose days past due moved.
    const merged = Number(/incremental, (\d+) rows merged/.exec(message('fct_invoices'))?.[1]);
    expect(merged).toBeGreaterThanOrEqual(4);
    expect(merged).toBeLessThan(2500 / 4);
    expect(message('int_invoice_reductions')).toMatch(/incremental, [1-9]\d* rows merged/);
  });

  it.each([
    ['marts.fct_invoices', 'invoice_id'],
    ['intermediate.int_invoice_reductions', 'invoice_id, event_date'],
    ['marts.fct_payments', 'receipt_id'],
    ['marts.fct_payment_applications', 'receipt_id, invoice_id'],
    ['marts.fct_collection_activities', 'activity_id'],
    ['marts.mart_ar_kpis_monthly', 'month_start, region, product_line, salesperson'],
  ])('%s equals a full rebuild', async (table, key) => {
    // Columns starting with _ (_watermark, _as_of_date) are bookkeeping: when a row was last rebuilt.
    const rows = async (wh: string) =>
      published(wh, `SELECT COLUMNS(c -> NOT starts_with(c, '_')) FROM ${table} ORDER BY ${key}`);
    const [a, b] = await Promise.all([rows(incremental), rows(full)]);
    expect(a.length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  it('keeps every snapshot a full rebuild has, with the same figures', async () => {
    const sql = `SELECT COLUMNS(c -> NOT starts_with(c, '_')) FROM marts.fct_ar_snapshots
                 ORDER BY snapshot_date, customer_id, product_line, salesperson, currency_code, aging_bucket_order`;
    const [inc, all] = await Promise.all([published(incremental, sql), published(full, sql)]);
    const fullDates = new Set(all.map((r) => r['snapshot_date']));
    expect(inc.filter((r) => fullDates.has(r['snapshot_date']))).toEqual(all);
    expect(fullDates.has('2026-07-01')).toBe(true);
  });
});
