/** Warehouses for the risk-model tests: hand-written exports or demo data, loaded and built. */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { ROOT } from '../helpers.ts';

/** Load a folder of canonical exports into `warehouseDir` and build the marts. */
export async function loadAndBuild(exportsDir: string, warehouseDir: string): Promise<void> {
  await ingest([{ path: exportsDir, profile: 'canonical' }], { warehouseDir });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir });
}

/** Demo exports in `dir`/exports, loaded and built into `dir`/wh; returns the warehouse folder. */
export async function demoWarehouse(
  dir: string,
  o: { seed: number; invoices: number; asOf: string },
): Promise<{ exports: string; warehouse: string }> {
  const exports = join(dir, 'exports');
  const warehouse = join(dir, 'wh');
  await fs.mkdir(exports, { recursive: true });
  await generateDemo({ ...o, outDir: exports });
  await loadAndBuild(exports, warehouse);
  return { exports, warehouse };
}

/** Write `<entity>.csv` files (header + rows) into `dir`. */
export async function writeExports(dir: string, files: Record<string, string[]>): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const [entity, lines] of Object.entries(files)) {
    await fs.writeFile(join(dir, `${entity}.csv`), `${lines.join('\n')}\n`, 'utf8');
  }
}

export const HEADERS = {
  customers:
    'customer_id,customer_name,region,country,segment,industry,salesperson,credit_controller,credit_limit,payment_terms_days,currency,status',
  invoices:
    'invoice_id,customer_id,issue_date,due_date,amount,currency,product_line,sales_order_id,shipment_batch,salesperson',
  payments: 'receipt_id,customer_id,payment_date,amount,currency,method,bank_reference',
  payment_applications: 'receipt_id,invoice_id,applied_date,applied_amount',
  credit_memos: 'credit_memo_id,customer_id,invoice_id,memo_date,amount,currency,reason',
  write_offs: 'write_off_id,invoice_id,customer_id,write_off_date,amount,currency,reason',
  disputes:
    'dispute_id,invoice_id,customer_id,opened_date,resolved_date,disputed_amount,currency,reason,status',
  collection_activities:
    'activity_id,customer_id,invoice_id,activity_date,activity_type,owner,outcome,promised_date,promised_amount,currency,note',
} as const;
