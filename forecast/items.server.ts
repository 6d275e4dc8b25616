/**
 * The forecast's data, read from the warehouse with the origin date bound as a parameter: every item
 * open at an origin D, described only by rows dated on or before D (the risk model's discipline,
 * docs/ml.md), and — for training and backtests — what happened to it after D up to a cutoff C.
 *
 * An item's state at D is recomputed from intermediate.int_invoice_reductions (payments applied,
 * credit memos, write-offs by date); the marts' current-state columns are never read for a past D.
 * The customer's habits are those of invoices settled in the 365 days up to D; a promise to pay is
 * the latest one recorded on the invoice on or before D (marts.fct_collection_activities); a dispute
 * is open at D when it was opened on or before D and not resolved by D (staging.stg_erp__disputes).
 * Amounts: `open_amount` is exact (DECIMAL text, document currency), `rate` the reporting-currency
 * rate of D (the issue-date rate where the FX history does not reach D).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { parseDay } from '../core/calendar.ts';
import { queryRows, queryValue, type Cell } from '../warehouse/convert.ts';

const REDUCED = `(r.cumulative_paid_amount + r.cumulative_credited_amount + r.cumulative_written_off_amount)`;

/** $1 = origin D, $2 = cutoff C (outcomes after C are not read; C = D reads none). */
export const ITEMS_SQL = `
WITH
params AS (SELECT CAST($1 AS DATE) AS d, CAST($2 AS DATE) AS c),
fx AS (
    SELECT f.from_currency, f.fx_rate FROM intermediate.int_fx_daily AS f, params AS p WHERE f.rate_date = p.d
),
inv AS (
    SELECT i.invoice_id, i.customer_id, i.region, i.credit_controller, i.currency_code, i.product_line,
        i.issue_date, i.due_date, i.invoice_amount,
        coalesce(fx.fx_rate, CAST(i.invoice_amount_rc / nullif(i.invoice_amount, 0) AS DECIMAL(18, 8))) AS rate
    FROM marts.fct_invoices AS i
    CROSS JOIN params AS p
    LEFT JOIN fx ON fx.from_currency = i.currency_code
    WHERE i.issue_date <= p.d
),
at_d AS (
    SELECT r.invoice_id, max(${REDUCED}) AS reduced, max(r.cumulative_paid_amount) AS paid,
        min(r.event_date) FILTER (WHERE ${REDUCED} >= i.invoice_amount) AS settled_date
    FROM intermediate.int_invoice_reductions AS r
    INNER JOIN inv AS i USING (invoice_id)
    CROSS JOIN params AS p
    WHERE r.event_date <= p.d
    GROUP BY r.invoice_id
),
habits AS (
    SELECT i.customer_id,
        count(*) AS settled_12m,
        avg(a.settled_date - i.due_date) AS mean_late_12m,
        avg(greatest(0, a.settled_date - i.due_date)) AS mean_days_late_12m,
        -- from exact integer sums (stddev_pop on doubles depends on the order rows are added in)
        sum(a.settled_date - i.due_date) AS sum_late_12m,
        sum((a.settled_date - i.due_date) * (a.settled_date - i.due_date)) AS sumsq_late_12m,
        avg(a.settled_date - i.due_date) FILTER (WHERE a.settled_date > p.d - 91) AS mean_late_3m,
        count(*) FILTER (WHERE a.settled_date > p.d - 91) AS settled_3m,
        avg(CASE WHEN a.settled_date > i.due_date THEN 1.0 ELSE 0.0 END) AS share_late_12m
    FROM at_d AS a
    INNER JOIN inv AS i USING (invoice_id)
    CROSS JOIN params AS p
    WHERE a.settled_date > p.d - 365
    GROUP BY i.customer_id
),
open_items AS (
    SELECT i.*, i.invoice_amount - coalesce(a.reduced, 0) AS open_amount, coalesce(a.paid, 0) > 0 AS partly_paid
    FROM inv AS i
    LEFT JOIN at_d AS a USING (invoice_id)
    WHERE i.invoice_amount - coalesce(a.reduced, 0) > 0
),
disputes AS (
    SELECT DISTINCT x.invoice_id
    FROM staging.stg_erp__disputes AS x, params AS p
    WHERE x.opened_date <= p.d AND (x.resolved_date IS NULL OR x.resolved_date > p.d)
),
contacts AS (
    SELECT a.invoice_id, count(*) AS contacts,
        arg_max(a.promised_date, a.activity_date) FILTER (WHERE a.is_promise) AS promised_date
    FROM marts.fct_collection_activities AS a, params AS p
    WHERE a.activity_date <= p.d AND a.invoice_id IS NOT NULL
    GROUP BY a.invoice_id
),
after_d AS (
    SELECT r.invoice_id,
        min(r.event_date) FILTER (WHERE ${REDUCED} >= o.invoice_amount) AS closed_date,
        arg_min(r.paid_amount > 0, r.event_date) FILTER (WHERE ${REDUCED} >= o.invoice_amount) AS closed_by_payment
    FROM intermediate.int_invoice_reductions AS r
    INNER JOIN open_items AS o USING (invoice_id)
    CROSS JOIN params AS p
    WHERE r.event_date > p.d AND r.event_date <= p.c
    GROUP BY r.invoice_id
)
SELECT
    o.invoice_id, o.customer_id, o.region, o.credit_controller, o.currency_code, o.product_line,
    CAST(o.issue_date AS VARCHAR) AS issue_date, CAST(o.due_date AS VARCHAR) AS due_date,
    CAST(o.open_amount AS DECIMAL(18, 2)) AS open_amount,
    CAST(o.rate AS DECIMAL(18, 8)) AS rate,
    CAST(o.open_amount AS DOUBLE) * CAST(o.rate AS DOUBLE) AS open_amount_rc,
    o.partly_paid,
    CAST(h.settled_12m AS DOUBLE) AS settled_12m,
    CAST(h.mean_late_12m AS DOUBLE) AS mean_late_12m,
    CAST(h.mean_days_late_12m AS DOUBLE) AS mean_days_late_12m,
    sqrt(greatest(0, CAST(h.sumsq_late_12m AS DOUBLE) / h.settled_12m
        - (CAST(h.sum_late_12m AS DOUBLE) / h.settled_12m) ** 2)) AS sd_late_12m,
    CAST(h.mean_late_3m AS DOUBLE) AS mean_late_3m,
    CAST(h.settled_3m AS DOUBLE) AS settled_3m,
    CAST(h.share_late_12m AS DOUBLE) AS share_late_12m,
    d.invoice_id IS NOT NULL AS dispute_open,
    CAST(coalesce(c.contacts, 0) AS DOUBLE) AS contacts,
    CAST(c.promised_date AS VARCHAR) AS promised_date,
    CAST(x.closed_date AS VARCHAR) AS closed_date,
    coalesce(x.closed_by_payment, false) AS closed_by_payment
FROM open_items AS o
LEFT JOIN habits AS h USING (customer_id)
LEFT JOIN disputes AS d USING (invoice_id)
LEFT JOIN contacts AS c USING (invoice_id)
LEFT JOIN after_d AS x USING (invoice_id)
ORDER BY o.invoice_id
`;

/**
 * Cash received on the items open at $1 in each of the 13 weeks after it (week k = days
 * ($1 + 7(k−1), $1 + 7k]), reporting currency at the rate of $1; reads nothing after $2.
 */
export const ACTUALS_SQL = `
WITH
params AS (SELECT CAST($1 AS DATE) AS d, CAST($2 AS DATE) AS c),
fx AS (
    SELECT f.from_currency, f.fx_rate FROM intermediate.int_fx_daily AS f, params AS p WHERE f.rate_date = p.d
),
open_items AS (
    SELECT i.invoice_id, i.region,
        coalesce(fx.fx_rate, CAST(i.invoice_amount_rc / nullif(i.invoice_amount, 0) AS DECIMAL(18, 8))) AS rate
    FROM marts.fct_invoices AS i
    CROSS JOIN params AS p
    LEFT JOIN fx ON fx.from_currency = i.currency_code
    LEFT JOIN (
        SELECT r.invoice_id, max(${REDUCED}) AS reduced
        FROM intermediate.int_invoice_reductions AS r, params AS p
        WHERE r.event_date <= p.d GROUP BY r.invoice_id
    ) AS a USING (invoice_id)
    WHERE i.issue_date <= p.d AND i.invoice_amount - coalesce(a.reduced, 0) > 0
)
SELECT CAST(ceil((r.event_date - p.d) / 7) AS INTEGER) AS week,
    CAST(sum(CAST(r.paid_amount AS DECIMAL(38, 2)) * o.rate) AS DECIMAL(38, 2)) AS paid_rc
FROM intermediate.int_invoice_reductions AS r
INNER JOIN open_items AS o USING (invoice_id)
CROSS JOIN params AS p
WHERE r.event_date > p.d AND r.event_date <= least(p.c, p.d + 91) AND r.paid_amount > 0
GROUP BY 1
ORDER BY 1
`;

/** One open item at an origin, as known then (plus its outcome up to the cutoff, for training). */
export interface OpenItem {
  readonly invoiceId: string;
  readonly customerId: string;
  readonly region: string;
  readonly creditController: string;
  readonly currency: string;
  readonly productLine: string;
  /** Day numbers (core/calendar.ts). */
  readonly issueDay: number;
  readonly dueDay: number;
  /** DECIMAL text, document currency. */
  readonly openAmount: string;
  /** DECIMAL text: reporting currency per document-currency unit at the origin. */
  readonly rate: string;
  readonly openAmountRc: number;
  readonly partlyPaid: boolean;
  readonly settled12m: number;
  /** Mean of (settlement − due) in days, signed (early payers negative), over the 12 months up to D. */
  readonly meanLate12m: number | null;
  /** Mean of max(0, settlement − due): the customer's average days late. */
  readonly meanDaysLate12m: number | null;
  readonly sdLate12m: number | null;
  readonly meanLate3m: number | null;
  readonly settled3m: number;
  readonly shareLate12m: number | null;
  readonly disputeOpen: boolean;
  readonly contacts: number;
  readonly promisedDay: number | null;
  /** When the item closed after the origin (up to the cutoff), and whether a payment closed it. */
  readonly closedDay: number | null;
  readonly closedByPayment: boolean;
}

const num = (v: Cell | undefined): number | null => (v === null || v === undefined ? null : Number(v));
const day = (v: Cell | undefined): number | null =>
  v === null || v === undefined ? null : parseDay(String(v));

/** Items open at `origin`, with outcomes read up to `cutoff` (default: none). */
export async function readOpenItems(
  conn: DuckDBConnection,
  origin: string,
  cutoff: string = origin,
): Promise<OpenItem[]> {
  const rows = await queryRows(conn, ITEMS_SQL, [origin, cutoff]);
  return rows.map((r) => ({
    invoiceId: String(r['invoice_id']),
    customerId: String(r['customer_id']),
    region: String(r['region'] ?? ''),
    creditController: String(r['credit_controller'] ?? ''),
    currency: String(r['currency_code']),
    productLine: String(r['product_line'] ?? ''),
    issueDay: parseDay(String(r['issue_date'])),
    dueDay: parseDay(String(r['due_date'])),
    openAmount: String(r['open_amount']),
    rate: String(r['rate']),
    openAmountRc: Number(r['open_amount_rc']),
    partlyPaid: r['partly_paid'] === true,
    settled12m: num(r['settled_12m']) ?? 0,
    meanLate12m: num(r['mean_late_12m']),
    meanDaysLate12m: num(r['mean_days_late_12m']),
    sdLate12m: num(r['sd_late_12m']),
    meanLate3m: num(r['mean_late_3m']),
    settled3m: num(r['settled_3m']) ?? 0,
    shareLate12m: num(r['share_late_12m']),
    disputeOpen: r['dispute_open'] === true,
    contacts: num(r['contacts']) ?? 0,
    promisedDay: day(r['promised_date']),
    closedDay: day(r['closed_date']),
    closedByPayment: r['closed_by_payment'] === true,
  }));
}

/** Cash received on the items open at `origin` in weeks 1–13 after it (reporting currency, numbers). */
export async function readActuals(conn: DuckDBConnection, origin: string, cutoff: string): Promise<number[]> {
  const rows = await queryRows(conn, ACTUALS_SQL, [origin, cutoff]);
  const out = new Array<number>(13).fill(0);
  for (const r of rows) {
    const w = Number(r['week']);
    if (w >= 1 && w <= 13) out[w - 1] = Number(r['paid_rc']);
  }
  return out;
}

/** The warehouse's as-of date and first invoice date. */
export async function forecastDates(conn: DuckDBConnection): Promise<{ asOf: string; firstInvoice: string }> {
  const asOf = await queryValue(conn, 'SELECT CAST(as_of_date AS VARCHAR) FROM intermediate.int_as_of');
  const first = await queryValue(conn, 'SELECT CAST(min(issue_date) AS VARCHAR) FROM marts.fct_invoices');
  if (asOf === null || first === null) throw new Error('the warehouse has no invoices to forecast from');
  return { asOf: String(asOf), firstInvoice: String(first) };
}
