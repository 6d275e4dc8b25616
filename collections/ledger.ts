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

/** Field and record separators of the text the open items are read as (ASCII unit and record separators). */
const US = '\u001f';
const RS = '\u001e';

/**
 * The open items, of one credit controller's customers when `controller` is given; with `dueBy`, only
 * invoices due on or before that date (and every credit or unapplied payment), which is all a
 * proposal needs. Read as text chunks built in DuckDB (one string per 20,000 items, fields split here):
 * DuckDB's per-value conversion costs about 40 µs a row, which made 1M open items take minutes.
 * Every field is text as DuckDB writes it (money as its exact decimal text, dates as YYYY-MM-DD).
 * Items come ordered by customer and item id (DuckDB sorts, in parallel).
 */
export async function readOpenItems(
  query: Query,
  controller: string | null = null,
  dueBy: string | null = null,
): Promise<LedgerItem[]> {
  const rows = await query(
    `WITH items AS (
       SELECT concat_ws(chr(31), o.item_id, o.item_type, o.customer_id, coalesce(c.customer_name, o.customer_id),
                coalesce(c.region, ''), coalesce(c.country_code, ''), coalesce(c.credit_controller, ''),
                coalesce(c.customer_status, ''), o.currency_code, coalesce(CAST(o.document_date AS VARCHAR), ''),
                coalesce(CAST(o.due_date AS VARCHAR), ''), CAST(o.open_amount AS VARCHAR),
                CASE WHEN o.item_type = 'invoice' AND coalesce(i.has_open_dispute, false) THEN '1' ELSE '' END,
                coalesce(CAST(i.sales_order_id AS VARCHAR), ''), coalesce(CAST(i.shipment_batch AS VARCHAR), ''),
                coalesce(CAST(o.days_past_due AS VARCHAR), '')) AS line,
              row_number() OVER (ORDER BY o.customer_id, o.item_id) AS n
       FROM marts.fct_open_items AS o
       JOIN marts.dim_customers AS c USING (customer_id)
       -- Joined on the id alone (a hash join); the type is checked above. A condition on o.item_type
       -- in this ON clause made DuckDB plan a join that took 74 s for 1M items.
       LEFT JOIN marts.fct_invoices AS i ON i.invoice_id = o.item_id
       WHERE (CAST(? AS VARCHAR) IS NULL OR c.credit_controller = ?)
         AND (CAST(? AS DATE) IS NULL OR o.item_type <> 'invoice' OR o.due_date <= CAST(? AS DATE)))
     SELECT string_agg(line, chr(30) ORDER BY n) AS chunk FROM items GROUP BY (n - 1) // 20000 ORDER BY min(n)`,
    [controller, controller, dueBy, dueBy],
  );
  const out: LedgerItem[] = [];
  const opt = (v: string | undefined) => (v === undefined || v === '' ? null : v);
  for (const r of rows) {
    const chunk = r['chunk'];
    if (typeof chunk !== 'string') continue;
    for (const line of chunk.split(RS)) {
      const f = line.split(US);
      out.push({
        itemId: f[0]!,
        itemType: f[1] as ItemType,
        customerId: f[2]!,
        customerName: f[3]!,
        region: opt(f[4]),
        countryCode: opt(f[5]),
        creditController: opt(f[6]),
        customerStatus: opt(f[7]),
        currencyCode: f[8]!,
        documentDate: opt(f[9]),
        dueDate: opt(f[10]),
        openAmount: f[11]!,
        hasOpenDispute: f[12] === '1',
        salesOrderId: opt(f[13]),
        shipmentBatch: opt(f[14]),
        daysPastDueAsOf: f[15] ? Number(f[15]) : null,
      });
    }
  }
  return out;
}

/**
 * What a dunning proposal (and the promise review) needs of the open items, and nothing more: the
 * items' own fields as text chunks, and each customer's master data once (not on every item). The
 * same items with the same OpenItem values as readOpenItems, without the sales order and shipment
 * references, in no particular order (the proposal does not depend on it). Benchmark
 * (docs/collections.md): the wide, sorted per-item text of readOpenItems cost ~8 s of DuckDB string
 * building for 1M items; this reads them in ~1 s, then ~2 s to split here.
 */
export async function readDunnableItems(
  query: Query,
  controller: string | null = null,
  dueBy: string | null = null,
): Promise<OpenItem[]> {
  const customers = new Map<string, Omit<OpenItem, ItemField>>();
  const opt = (v: string | undefined) => (v === undefined || v === '' ? null : v);
  for (const r of await query(
    `SELECT string_agg(concat_ws(chr(31), customer_id, coalesce(customer_name, customer_id), coalesce(region, ''),
              coalesce(country_code, ''), coalesce(credit_controller, ''), coalesce(customer_status, '')), chr(30)) AS chunk
     FROM marts.dim_customers
     WHERE CAST(? AS VARCHAR) IS NULL OR credit_controller = ?`,
    [controller, controller],
  )) {
    const chunk = r['chunk'];
    if (typeof chunk !== 'string') continue;
    for (const line of chunk.split(RS)) {
      const f = line.split(US);
      customers.set(f[0]!, {
        customerId: f[0]!,
        customerName: f[1]!,
        region: opt(f[2]),
        countryCode: opt(f[3]),
        creditController: opt(f[4]),
        customerStatus: opt(f[5]),
      });
    }
  }
  const rows = await query(
    `WITH items AS (
       SELECT o.customer_id, o.item_id,
              concat_ws(chr(31), o.item_id, o.item_type, o.customer_id, o.currency_code,
                coalesce(CAST(o.document_date AS VARCHAR), ''), coalesce(CAST(o.due_date AS VARCHAR), ''),
                CAST(o.open_amount AS VARCHAR),
                CASE WHEN o.item_type = 'invoice' AND coalesce(i.has_open_dispute, false) THEN '1' ELSE '' END) AS line
       FROM marts.fct_open_items AS o
       JOIN marts.dim_customers AS c USING (customer_id)
       -- On the id alone (a hash join); see readOpenItems.
       LEFT JOIN marts.fct_invoices AS i ON i.invoice_id = o.item_id
       WHERE (CAST(? AS VARCHAR) IS NULL OR c.credit_controller = ?)
         AND (CAST(? AS DATE) IS NULL OR o.item_type <> 'invoice' OR o.due_date <= CAST(? AS DATE)))
     -- Unordered (sorting 1M lines cost more than reading them): the proposal sorts what it returns.
     SELECT string_agg(line, chr(30)) AS chunk FROM items GROUP BY hash(customer_id) % 64`,
    [controller, controller, dueBy, dueBy],
  );
  const out: OpenItem[] = [];
  for (const r of rows) {
    const chunk = r['chunk'];
    if (typeof chunk !== 'string') continue;
    for (const line of chunk.split(RS)) {
      const f = line.split(US);
      const c = customers.get(f[2]!);
      if (!c) continue;
      out.push({
        customerId: c.customerId,
        customerName: c.customerName,
        region: c.region,
        countryCode: c.countryCode,
        creditController: c.creditController,
        customerStatus: c.customerStatus,
        itemId: f[0]!,
        itemType: f[1] as ItemType,
        currencyCode: f[3]!,
        documentDate: opt(f[4]),
        dueDate: opt(f[5]),
        openAmount: f[6]!,
        hasOpenDispute: f[7] === '1',
      });
    }
  }
  return out;
}

type ItemField =
  'itemId' | 'itemType' | 'currencyCode' | 'documentDate' | 'dueDate' | 'openAmount' | 'hasOpenDispute';

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
