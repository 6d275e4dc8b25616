/**
 * What collections reads from the warehouse: the corrected open items (marts.fct_open_items: paid,
 * credited and written-off amounts already netted, unapplied cash and unallocated credits as negative
 * items) with the customer's master data and the ERP's dispute state, and one customer's reference.
 * Works on the server's serving warehouse and on a job's read-only connection alike (a `Query`).
 */
import type { Query, Row } from '../warehouse/convert.ts';
import type { CustomerRef } from './access.ts';
import type { ItemType, OpenItem } from './proposal.ts';

const str = (v: Row[string] | undefined): string | null => (v === null || v === undefined ? null : String(v));

export interface LedgerItem extends OpenItem {
  readonly salesOrderId: string | null;
  readonly shipmentBatch: string | null;
  readonly daysPastDueAsOf: number | null;
}

/** The open items, of one credit controller's customers when `controller` is given. */
export async function readOpenItems(query: Query, controller: string | null = null): Promise<LedgerItem[]> {
  const rows = await query(
    `SELECT o.item_id, o.item_type, o.customer_id, c.customer_name, c.region, c.country_code,
            c.credit_controller, c.customer_status, o.currency_code,
            CAST(o.document_date AS VARCHAR) AS document_date, CAST(o.due_date AS VARCHAR) AS due_date,
            CAST(o.open_amount AS VARCHAR) AS open_amount, o.days_past_due,
            coalesce(i.has_open_dispute, false) AS has_open_dispute,
            CAST(i.sales_order_id AS VARCHAR) AS sales_order_id, CAST(i.shipment_batch AS VARCHAR) AS shipment_batch
     FROM marts.fct_open_items AS o
     JOIN marts.dim_customers AS c USING (customer_id)
     LEFT JOIN marts.fct_invoices AS i ON o.item_type = 'invoice' AND i.invoice_id = o.item_id
     WHERE (CAST(? AS VARCHAR) IS NULL OR c.credit_controller = ?)
     ORDER BY o.customer_id, o.item_type, o.item_id`,
    [controller, controller],
  );
  return rows.map((r) => ({
    customerId: String(r['customer_id']),
    customerName: String(r['customer_name'] ?? r['customer_id']),
    region: str(r['region']),
    countryCode: str(r['country_code']),
    creditController: str(r['credit_controller']),
    customerStatus: str(r['customer_status']),
    itemId: String(r['item_id']),
    itemType: String(r['item_type']) as ItemType,
    documentDate: str(r['document_date']),
    dueDate: str(r['due_date']),
    currencyCode: String(r['currency_code']),
    openAmount: String(r['open_amount']),
    hasOpenDispute: r['has_open_dispute'] === true,
    salesOrderId: str(r['sales_order_id']),
    shipmentBatch: str(r['shipment_batch']),
    daysPastDueAsOf: r['days_past_due'] === null ? null : Number(r['days_past_due']),
  }));
}

/** The customer's reference (id and credit controller), or null when the warehouse has no such customer. */
export async function readCustomer(
  query: Query,
  customerId: string,
): Promise<(CustomerRef & { customerName: string; currencyCode: string | null }) | null> {
  const [r] = await query(
    'SELECT customer_id, customer_name, credit_controller, currency_code FROM marts.dim_customers WHERE customer_id = ?',
    [customerId],
  );
  if (!r) return null;
  return {
    customerId: String(r['customer_id']),
    customerName: String(r['customer_name'] ?? r['customer_id']),
    creditController: str(r['credit_controller']),
    currencyCode: str(r['currency_code']),
  };
}

/** The warehouse's as-of date (intermediate.int_as_of). */
export async function readAsOfDate(query: Query): Promise<string> {
  const [r] = await query('SELECT CAST(as_of_date AS VARCHAR) AS d FROM intermediate.int_as_of LIMIT 1');
  const d = r?.['d'];
  if (typeof d !== 'string') throw new Error('The warehouse has no as-of date yet: run arlens build.');
  return d;
}

/** The customer ids of one credit controller's portfolio. */
export async function portfolioCustomers(query: Query, controller: string): Promise<Set<string>> {
  const rows = await query('SELECT customer_id FROM marts.dim_customers WHERE credit_controller = ?', [
    controller,
  ]);
  return new Set(rows.map((r) => String(r['customer_id'])));
}
