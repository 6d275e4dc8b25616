/**
 * Cash application's two doors to the warehouse. In: the open invoices and their customers' names
 * (marts.fct_open_items, marts.dim_customers of the published generation), which the matcher works
 * from. Out: decided lines as the ERP contract's `payments` and `payment_applications` files in the
 * canonical layout — loaded by the same ingest every ERP export goes through (its ledger checks and
 * quarantine included), and the same files an ERP imports to post the clearing.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { csvField } from '../core/csv.ts';
import { connQuery, type Query, type Row } from '../warehouse/convert.ts';
import { withPublished } from '../warehouse/store.ts';
import type { OpenItem } from './match.ts';
import { lineOfReceipt, type PublishRows } from './decisions.store.ts';
import { toCents } from './statement.ts';

/** The open invoices and their customers' names, as the marts have them. */
export const OPEN_ITEMS_SQL = `
  SELECT o.item_id, o.customer_id, coalesce(c.customer_name, o.customer_id) AS customer_name,
         o.open_amount::VARCHAR AS open_amount, o.currency_code, o.document_date, o.due_date
  FROM marts.fct_open_items o LEFT JOIN marts.dim_customers c USING (customer_id)
  WHERE o.item_type = 'invoice' AND o.open_amount > 0
  ORDER BY o.due_date, o.item_id`;

export type OpenItemRow = OpenItem & { customerName: string };

/** Rows of OPEN_ITEMS_SQL (values as convert.ts gives them) as open items. */
export function toOpenItems(rows: readonly Row[]): OpenItemRow[] {
  return rows.map((r) => ({
    invoiceId: String(r['item_id']),
    customerId: String(r['customer_id']),
    customerName: String(r['customer_name']),
    openCents: toCents(trimDecimal(String(r['open_amount']))),
    currency: String(r['currency_code']),
    documentDate: String(r['document_date']),
    dueDate: String(r['due_date'] ?? r['document_date']),
  }));
}

/** The receipts cash application published that the warehouse holds. */
export const BANK_RECEIPTS_SQL = `SELECT receipt_id FROM marts.fct_payments WHERE receipt_id LIKE 'BANK-%'`;

/** Bank lines (ids) whose receipts are in rows of BANK_RECEIPTS_SQL. */
export function toLineIds(rows: readonly Row[]): number[] {
  return rows.map((r) => lineOfReceipt(String(r['receipt_id']))).filter((id): id is number => id !== null);
}

export interface LedgerSnapshot {
  readonly items: OpenItemRow[];
  readonly inWarehouse: number[];
}

/** Open invoices and published bank receipts, read through `query` (either engine's published warehouse). */
export async function ledgerSnapshot(query: Query): Promise<LedgerSnapshot> {
  return {
    items: toOpenItems(await query(OPEN_ITEMS_SQL)),
    inWarehouse: toLineIds(await query(BANK_RECEIPTS_SQL)),
  };
}

/** Open invoices and published bank receipts of a published DuckDB warehouse (a job's read). */
export async function readLedgerSnapshot(warehouseDir: string): Promise<LedgerSnapshot> {
  return withPublished(warehouseDir, (conn) => ledgerSnapshot(connQuery(conn)));
}

/** '123.4500' → '123.45' (DECIMAL text with more places than cents; the extra places must be zero). */
function trimDecimal(text: string): string {
  const m = /^(-?\d+)\.(\d{2})(\d*)$/.exec(text);
  if (!m || /[1-9]/.test(m[3]!)) return text;
  return `${m[1]}.${m[2]}`;
}

/** Write the canonical `payments.csv` and `payment_applications.csv` for `rows` into `dir`. */
export async function writeErpFiles(dir: string, rows: PublishRows): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const write = async (name: string, header: string[], data: readonly Record<string, string>[]) => {
    const text =
      [header.join(','), ...data.map((r) => header.map((h) => csvField(r[h] ?? '')).join(','))].join('\n') +
      '\n';
    const path = join(dir, name);
    await fs.writeFile(path, text, 'utf8');
    return path;
  };
  return [
    await write(
      'payments_bank.csv',
      ['receipt_id', 'customer_id', 'payment_date', 'amount', 'currency', 'method', 'bank_reference'],
      rows.payments,
    ),
    await write(
      'payment_applications_bank.csv',
      ['receipt_id', 'invoice_id', 'applied_date', 'applied_amount'],
      rows.applications,
    ),
  ];
}
