/**
 * The risk model's data, read from the warehouse in DuckDB SQL with the snapshot date bound as a
 * parameter. Features as of a date D read only rows dated on or before D: invoices by issue date,
 * what reduced them (payments applied, credit memos, write-offs) by the date of each reduction,
 * disputes by their opening and resolution dates, collection activities by their dates. The marts'
 * "current state" columns (paid, open, days late, promise status, customer status) describe the
 * warehouse's own as-of date and are never read for a past snapshot.
 *
 * Sources: marts.fct_invoices (issue and due dates, amounts), marts.fct_payment_applications,
 * marts.fct_collection_activities, marts.dim_customers, and — because the marts keep no dated row
 * for them — intermediate.int_invoice_reductions (dated payments, credit memos and write-offs per
 * invoice, the model fct_invoices and fct_ar_snapshots are built from), intermediate.int_fx_daily
 * (the rate of each day) and staging.stg_erp__disputes (dispute opening and resolution dates).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRows, toCount, type Cell, type Row } from '../warehouse/convert.ts';
import { CATEGORICAL, RAW_NUMERIC, type RawFeatures } from './features.ts';

/** Reductions up to a date, per invoice (amounts in the invoice currency). */
const REDUCED = `(r.cumulative_paid_amount + r.cumulative_credited_amount + r.cumulative_written_off_amount)`;

/**
 * One row per customer in dim_customers, as of $1 (DATE). $2 = days past due that make a default,
 * $3 = cure period in days (a write-off this recent keeps the customer in default).
 */
export const FEATURES_SQL = `
WITH
params AS (
    SELECT CAST($1 AS DATE) AS d, CAST($2 AS INTEGER) AS default_dpd, CAST($3 AS INTEGER) AS cure_days
),
fx AS (
    SELECT f.from_currency, f.fx_rate
    FROM intermediate.int_fx_daily AS f, params AS p
    WHERE f.rate_date = p.d
),
invoices AS (
    SELECT i.invoice_id, i.customer_id, i.currency_code, i.issue_date, i.due_date, i.invoice_amount,
        i.invoice_amount_rc,
        -- the rate of D; the issue-date rate where the FX history does not reach D. DECIMAL, so that
        -- sums are exact and do not depend on the order DuckDB adds rows in.
        coalesce(fx.fx_rate, CAST(i.invoice_amount_rc / nullif(i.invoice_amount, 0) AS DECIMAL(18, 8))) AS rate
    FROM marts.fct_invoices AS i
    CROSS JOIN params AS p
    LEFT JOIN fx ON fx.from_currency = i.currency_code
    WHERE i.issue_date <= p.d
),
reductions AS (
    SELECT
        r.invoice_id,
        max(${REDUCED}) AS reduced,
        max(${REDUCED}) FILTER (WHERE r.event_date <= p.d - 91) AS reduced_3m_ago,
        min(r.event_date) FILTER (WHERE ${REDUCED} >= i.invoice_amount) AS settled_date
    FROM intermediate.int_invoice_reductions AS r
    INNER JOIN invoices AS i USING (invoice_id)
    CROSS JOIN params AS p
    WHERE r.event_date <= p.d
    GROUP BY r.invoice_id
),
state AS (
    SELECT
        i.*,
        r.settled_date,
        greatest(0, i.invoice_amount - coalesce(r.reduced, 0)) AS open_amount,
        CASE WHEN i.issue_date <= p.d - 91
            THEN greatest(0, i.invoice_amount - coalesce(r.reduced_3m_ago, 0)) ELSE 0 END AS open_amount_3m_ago,
        greatest(0, r.settled_date - i.due_date) AS days_late,
        greatest(0, coalesce(r.settled_date, p.d) - i.due_date) AS dpd_reached,
        coalesce(r.settled_date, p.d) AS exposure_end
    FROM invoices AS i
    CROSS JOIN params AS p
    LEFT JOIN reductions AS r USING (invoice_id)
),
per_customer AS (
    SELECT
        s.customer_id,
        any_value(p.d) - min(s.issue_date) AS tenure_days,
        count(*) FILTER (WHERE s.issue_date > p.d - 365) AS invoices_12m,
        sum(s.invoice_amount_rc) FILTER (WHERE s.issue_date > p.d - 365) AS billed_12m_rc,
        -- from exact DECIMAL sums (stddev_pop on doubles depends on the order rows are added in)
        count(*) FILTER (WHERE s.issue_date > p.d - 365) AS n_12m,
        sum(s.invoice_amount_rc * s.invoice_amount_rc) FILTER (WHERE s.issue_date > p.d - 365) AS billed_sq_12m_rc,
        count(*) FILTER (WHERE s.settled_date > p.d - 365) AS settled_12m,
        count(*) FILTER (WHERE s.settled_date > p.d - 365 AND s.settled_date > s.due_date) AS settled_late_12m,
        avg(s.days_late) FILTER (WHERE s.settled_date > p.d - 365) AS mean_days_late_12m,
        avg(s.days_late) FILTER (WHERE s.settled_date > p.d - 91) AS mean_days_late_3m,
        avg(s.days_late) FILTER (WHERE s.settled_date > p.d - 365 AND s.settled_date <= p.d - 91)
            AS mean_days_late_prior_9m,
        coalesce(max(s.dpd_reached) FILTER (WHERE s.exposure_end > p.d - 91), 0) AS max_dpd_3m,
        coalesce(max(s.dpd_reached) FILTER (WHERE s.exposure_end > p.d - 182), 0) AS max_dpd_6m,
        coalesce(max(s.dpd_reached) FILTER (WHERE s.exposure_end > p.d - 365), 0) AS max_dpd_12m,
        coalesce(sum(s.open_amount * s.rate), 0) AS open_ar_rc,
        coalesce(sum(s.open_amount * s.rate) FILTER (WHERE s.due_date < p.d), 0) AS overdue_ar_rc,
        coalesce(sum(s.open_amount_3m_ago * s.rate), 0) AS open_ar_rc_3m_ago,
        count(*) FILTER (WHERE s.due_date > p.d - 91 AND s.due_date <= p.d) AS due_3m,
        count(*) FILTER (WHERE s.due_date > p.d - 91 AND s.due_date <= p.d AND s.settled_date IS NULL)
            AS unpaid_due_3m,
        max(p.d - s.due_date) FILTER (WHERE s.settled_date IS NULL) AS max_open_dpd
    FROM state AS s
    CROSS JOIN params AS p
    GROUP BY s.customer_id
),
applications AS (
    SELECT
        a.customer_id,
        count(*) FILTER (WHERE a.applied_date > p.d - 365) AS applications_12m,
        count(*) FILTER (WHERE a.applied_date > p.d - 365 AND a.is_partial) AS partial_applications_12m,
        any_value(p.d) - max(a.applied_date) AS days_since_last_payment
    FROM marts.fct_payment_applications AS a
    CROSS JOIN params AS p
    WHERE a.applied_date <= p.d
    GROUP BY a.customer_id
),
disputes AS (
    SELECT
        x.customer_id,
        count(*) FILTER (WHERE x.opened_date > p.d - 365) AS disputes_12m,
        count(*) FILTER (WHERE x.resolved_date IS NULL OR x.resolved_date > p.d) AS open_disputes
    FROM staging.stg_erp__disputes AS x
    CROSS JOIN params AS p
    WHERE x.opened_date <= p.d
    GROUP BY x.customer_id
),
activities AS (
    -- A promise's outcome is known once its promised date has passed: paid_by_promised_date only
    -- counts payments applied between the contact and the promised date, so before D.
    SELECT
        a.customer_id,
        count(*) FILTER (WHERE a.is_promise AND a.promised_date < p.d AND a.promised_date >= p.d - 365)
            AS promises_due_12m,
        count(*) FILTER (
            WHERE a.is_promise AND a.promised_date < p.d AND a.promised_date >= p.d - 365
                AND a.paid_by_promised_date < coalesce(a.promised_amount, 0.01)
        ) AS broken_promises_12m,
        count(*) FILTER (WHERE a.activity_date > p.d - 91) AS contacts_3m
    FROM marts.fct_collection_activities AS a
    CROSS JOIN params AS p
    WHERE a.activity_date <= p.d
    GROUP BY a.customer_id
),
recent_write_offs AS (
    SELECT i.customer_id, any_value(p.d) - max(r.event_date) AS days_since_write_off
    FROM intermediate.int_invoice_reductions AS r
    INNER JOIN marts.fct_invoices AS i USING (invoice_id)
    CROSS JOIN params AS p
    WHERE r.written_off_amount > 0 AND r.event_date <= p.d AND r.event_date > p.d - p.cure_days
    GROUP BY i.customer_id
)
SELECT
    c.customer_id,
    c.region,
    c.segment,
    c.industry,
    pc.customer_id IS NOT NULL AS has_history,
    coalesce(pc.max_open_dpd > p.default_dpd, false) OR w.customer_id IS NOT NULL AS in_default,
    CAST(pc.max_open_dpd AS DOUBLE) AS max_open_dpd,
    CAST(w.days_since_write_off AS DOUBLE) AS days_since_write_off,
    CAST(pc.tenure_days AS DOUBLE) AS tenure_days,
    CAST(c.payment_terms_days AS DOUBLE) AS payment_terms_days,
    CAST(pc.invoices_12m AS DOUBLE) AS invoices_12m,
    CAST(pc.billed_12m_rc AS DOUBLE) AS billed_12m_rc,
    CASE WHEN pc.n_12m >= 2 AND pc.billed_12m_rc > 0 THEN
        sqrt(greatest(0, CAST(pc.billed_sq_12m_rc AS DOUBLE) / pc.n_12m
            - (CAST(pc.billed_12m_rc AS DOUBLE) / pc.n_12m) ** 2))
        / (CAST(pc.billed_12m_rc AS DOUBLE) / pc.n_12m)
    END AS invoice_amount_cv_12m,
    CAST(pc.settled_12m AS DOUBLE) AS settled_12m,
    CAST(pc.settled_late_12m AS DOUBLE) AS settled_late_12m,
    CAST(pc.mean_days_late_12m AS DOUBLE) AS mean_days_late_12m,
    CAST(pc.mean_days_late_3m AS DOUBLE) AS mean_days_late_3m,
    CAST(pc.mean_days_late_prior_9m AS DOUBLE) AS mean_days_late_prior_9m,
    CAST(pc.max_dpd_3m AS DOUBLE) AS max_dpd_3m,
    CAST(pc.max_dpd_6m AS DOUBLE) AS max_dpd_6m,
    CAST(pc.max_dpd_12m AS DOUBLE) AS max_dpd_12m,
    CAST(pc.open_ar_rc AS DOUBLE) AS open_ar_rc,
    CAST(pc.overdue_ar_rc AS DOUBLE) AS overdue_ar_rc,
    CAST(pc.open_ar_rc_3m_ago AS DOUBLE) AS open_ar_rc_3m_ago,
    CAST(pc.due_3m AS DOUBLE) AS due_3m,
    CAST(pc.unpaid_due_3m AS DOUBLE) AS unpaid_due_3m,
    CAST(coalesce(ap.applications_12m, 0) AS DOUBLE) AS applications_12m,
    CAST(coalesce(ap.partial_applications_12m, 0) AS DOUBLE) AS partial_applications_12m,
    CAST(ap.days_since_last_payment AS DOUBLE) AS days_since_last_payment,
    CAST(coalesce(ds.disputes_12m, 0) AS DOUBLE) AS disputes_12m,
    CAST(coalesce(ds.open_disputes, 0) AS DOUBLE) AS open_disputes,
    CAST(coalesce(ac.promises_due_12m, 0) AS DOUBLE) AS promises_due_12m,
    CAST(coalesce(ac.broken_promises_12m, 0) AS DOUBLE) AS broken_promises_12m,
    CAST(coalesce(ac.contacts_3m, 0) AS DOUBLE) AS contacts_3m,
    CAST(c.credit_limit_amount * coalesce(fx.fx_rate, 1) AS DOUBLE) AS credit_limit_rc
FROM marts.dim_customers AS c
LEFT JOIN per_customer AS pc USING (customer_id)
LEFT JOIN applications AS ap USING (customer_id)
LEFT JOIN disputes AS ds USING (customer_id)
LEFT JOIN activities AS ac USING (customer_id)
LEFT JOIN recent_write_offs AS w USING (customer_id)
LEFT JOIN fx ON fx.from_currency = c.currency_code
CROSS JOIN params AS p
ORDER BY c.customer_id
`;

/**
 * Customers who default in ($1, $1 + $2 days]: an invoice becomes more than $3 days past due in
 * that window (it is still open after everything dated up to its due date + $3 days), or a write-off
 * is dated in it. Reads rows up to $1 + $2 only.
 */
export const LABELS_SQL = `
WITH
params AS (SELECT CAST($1 AS DATE) AS d, CAST($2 AS INTEGER) AS horizon, CAST($3 AS INTEGER) AS default_dpd),
crossings AS (
    SELECT i.customer_id
    FROM marts.fct_invoices AS i
    CROSS JOIN params AS p
    LEFT JOIN intermediate.int_invoice_reductions AS r
        ON r.invoice_id = i.invoice_id AND r.event_date <= i.due_date + p.default_dpd
    WHERE i.due_date + p.default_dpd + 1 > p.d
        AND i.due_date + p.default_dpd + 1 <= p.d + p.horizon
    GROUP BY i.customer_id, i.invoice_id, i.invoice_amount
    HAVING i.invoice_amount > coalesce(max(${REDUCED}), 0)
),
write_offs AS (
    SELECT i.customer_id
    FROM intermediate.int_invoice_reductions AS r
    INNER JOIN marts.fct_invoices AS i USING (invoice_id)
    CROSS JOIN params AS p
    WHERE r.written_off_amount > 0 AND r.event_date > p.d AND r.event_date <= p.d + p.horizon
)
SELECT customer_id FROM crossings
UNION
SELECT customer_id FROM write_offs
ORDER BY customer_id
`;

export interface CustomerFeatures {
  readonly customerId: string;
  readonly snapshotDate: string;
  /** At least one invoice issued on or before the snapshot. */
  readonly hasHistory: boolean;
  /** Already in default at the snapshot: not scored by the model (see docs/ml.md). */
  readonly inDefault: boolean;
  /** Days past due of the oldest invoice open at the snapshot (negative: none due yet; null: none open). */
  readonly maxOpenDaysPastDue: number | null;
  /** Days since the last write-off when one falls within the cure period up to the snapshot, else null. */
  readonly daysSinceWriteOff: number | null;
  readonly raw: RawFeatures;
}

function numberCell(row: Row, column: string): number | null {
  const v: Cell | undefined = row[column];
  if (v === null) return null;
  if (typeof v !== 'number')
    throw new Error(`internal: feature column ${column} is ${typeof v}, expected DOUBLE`);
  return v;
}

function textCell(row: Row, column: string): string | null {
  const v = row[column];
  return v === null || v === undefined ? null : String(v);
}

export async function readFeatures(
  conn: DuckDBConnection,
  snapshotDate: string,
  o: { defaultDaysPastDue: number; cureDays: number },
): Promise<CustomerFeatures[]> {
  const rows = await queryRows(conn, FEATURES_SQL, [snapshotDate, o.defaultDaysPastDue, o.cureDays]);
  return rows.map((row) => {
    const raw = {} as Record<string, number | string | null>;
    for (const c of RAW_NUMERIC) raw[c] = numberCell(row, c);
    for (const c of CATEGORICAL) raw[c] = textCell(row, c);
    return {
      customerId: String(row['customer_id']),
      snapshotDate,
      hasHistory: row['has_history'] === true,
      inDefault: row['in_default'] === true,
      maxOpenDaysPastDue: numberCell(row, 'max_open_dpd'),
      daysSinceWriteOff: numberCell(row, 'days_since_write_off'),
      raw: raw as RawFeatures,
    };
  });
}

export async function readDefaulters(
  conn: DuckDBConnection,
  snapshotDate: string,
  o: { horizonDays: number; defaultDaysPastDue: number },
): Promise<Set<string>> {
  const rows = await queryRows(conn, LABELS_SQL, [snapshotDate, o.horizonDays, o.defaultDaysPastDue]);
  return new Set(rows.map((r) => String(r['customer_id'])));
}

/** What the data covers, and what identifies it (for "is the model/scoring current?"). */
export interface WarehouseFacts {
  readonly asOfDate: string;
  readonly firstInvoiceDate: string;
  /** The latest ingest load the marts were built from. */
  readonly loadWatermark: string;
  /** When the marts were last built (UTC, 'YYYY-MM-DD HH:MM:SS…'), or null. */
  readonly lastBuildAt: string | null;
}

export async function warehouseFacts(conn: DuckDBConnection): Promise<WarehouseFacts> {
  const needed = await queryRows(
    conn,
    `SELECT count(*) AS n FROM information_schema.tables
     WHERE (table_schema, table_name) IN (('marts', 'fct_invoices'), ('intermediate', 'int_as_of'),
       ('intermediate', 'int_invoice_reductions'), ('intermediate', 'int_load_watermark'))`,
  );
  if (toCount(needed[0]?.['n']) < 4) {
    throw new Error('The warehouse has no marts yet. Build them first: arlens build');
  }
  const rows = await queryRows(
    conn,
    `SELECT
       (SELECT as_of_date FROM intermediate.int_as_of) AS as_of_date,
       (SELECT min(issue_date) FROM marts.fct_invoices) AS first_invoice_date,
       (SELECT watermark FROM intermediate.int_load_watermark) AS load_watermark,
       (SELECT max(generated_at) FROM meta.manifest) AS last_build_at`,
  );
  const r = rows[0];
  if (!r || r['as_of_date'] === null || r['first_invoice_date'] === null) {
    throw new Error('The warehouse has no invoices: load and build data before training the risk model.');
  }
  return {
    asOfDate: String(r['as_of_date']),
    firstInvoiceDate: String(r['first_invoice_date']),
    loadWatermark: String(r['load_watermark']),
    lastBuildAt: r['last_build_at'] === null ? null : String(r['last_build_at']),
  };
}
