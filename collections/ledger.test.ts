import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connQuery, type Query } from '../warehouse/convert.ts';
import { readDunnableItems, readOpenItems } from './ledger.ts';
import type { OpenItem } from './proposal.ts';

let instance: DuckDBInstance;
let close: () => void;
let query: Query;

beforeAll(async () => {
  instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  close = () => conn.closeSync();
  query = connQuery(conn);
  // Marts of the build's shape, with what readers trip on: customers without a name, region or
  // controller, quotes and non-ASCII in names, credits without a due date, customers without items.
  await conn.run(`
    CREATE SCHEMA marts;
    CREATE TABLE marts.dim_customers AS
      SELECT printf('C%04d', i) AS customer_id,
             CASE WHEN i % 7 = 0 THEN NULL WHEN i % 5 = 0 THEN '株式会社 "Ō''Brien" ' || i ELSE 'Customer ' || i END AS customer_name,
             CASE WHEN i % 11 = 0 THEN NULL ELSE ['EMEA', 'NA', 'APAC'][1 + i % 3] END AS region,
             CASE WHEN i % 4 = 0 THEN 'JP' ELSE 'DE' END AS country_code,
             CASE WHEN i % 13 = 0 THEN NULL ELSE 'Controller ' || (i % 3) END AS credit_controller,
             CASE WHEN i % 17 = 0 THEN 'blacklisted' ELSE 'active' END AS customer_status
      FROM range(300) t(i);
    CREATE TABLE marts.fct_invoices AS
      SELECT printf('I%06d', i) AS invoice_id, printf('C%04d', (i * 37) % 290) AS customer_id,
             (i % 19 = 3) AS has_open_dispute, 'SO' || i AS sales_order_id, NULL AS shipment_batch
      FROM range(5000) t(i);
    CREATE TABLE marts.fct_open_items AS
      SELECT printf('I%06d', i) AS item_id, 'invoice' AS item_type, printf('C%04d', (i * 37) % 290) AS customer_id,
             CASE WHEN i % 9 = 0 THEN 'JPY' ELSE 'EUR' END AS currency_code,
             DATE '2026-05-01' + CAST(i % 60 AS INTEGER) AS document_date,
             CASE WHEN i % 97 = 0 THEN NULL ELSE DATE '2026-06-01' + CAST(i % 60 AS INTEGER) END AS due_date,
             ((i * 7919) % 100000 / 100.0 - 20)::DECIMAL(18, 2) AS open_amount,
             0 AS days_past_due
      FROM range(5000) t(i)
      UNION ALL
      SELECT 'R' || i, 'unapplied_payment', printf('C%04d', i), 'EUR', DATE '2026-06-01', NULL, (-15.5)::DECIMAL(18, 2), NULL
      FROM range(0, 300, 10) t(i);`);
});

afterAll(() => {
  close();
  instance.closeSync();
});

const fields = (i: OpenItem): OpenItem => ({
  customerId: i.customerId,
  customerName: i.customerName,
  region: i.region,
  countryCode: i.countryCode,
  creditController: i.creditController,
  customerStatus: i.customerStatus,
  itemId: i.itemId,
  itemType: i.itemType,
  documentDate: i.documentDate,
  dueDate: i.dueDate,
  currencyCode: i.currencyCode,
  openAmount: i.openAmount,
  hasOpenDispute: i.hasOpenDispute,
});
const byKey = (a: OpenItem, b: OpenItem) =>
  a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : a.itemId < b.itemId ? -1 : 1;

describe('readDunnableItems (the proposal reader)', () => {
  it('reads the same items with the same values as readOpenItems, whole ledger, a portfolio, a due date', async () => {
    for (const [controller, dueBy] of [
      [null, null],
      ['Controller 1', null],
      [null, '2026-06-20'],
      ['Controller 2', '2026-07-15'],
      ["O'Brien; DROP TABLE x", null],
    ] as const) {
      const wide = (await readOpenItems(query, controller, dueBy)).map(fields);
      const lean = (await readDunnableItems(query, controller, dueBy)).map(fields);
      expect(lean.length, `${controller} ${dueBy}`).toBe(wide.length);
      expect([...lean].sort(byKey)).toEqual([...wide].sort(byKey));
      if (controller === null && dueBy === null) expect(lean.length).toBe(5030);
    }
  });
});
