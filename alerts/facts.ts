/**
 * What the alert conditions read from the published warehouse: per customer, the open and overdue
 * AR, the oldest days past due, the credit utilisation and the latest risk band (marts.fct_credit_
 * exposure, marts.fct_open_items, ml.customer_risk_scores); per region, the DSO of the latest month
 * (marts.mart_ar_kpis_monthly, the standard DSO formula of models/macros/kpis.sql). Read once per
 * evaluation for everyone and filtered per subscription (rules.ts: the user's row-level security).
 *
 * Unknown stays unknown: a customer whose AR could not be converted to the reporting currency has a
 * null share, never 0 %, and its subscriptions count it as `unknown` instead of clearing or raising.
 */
import { tableExists, toMeasure, type Query, type Row } from '../warehouse/convert.ts';

export interface CustomerFacts {
  readonly customerId: string;
  readonly customerName: string;
  readonly region: string | null;
  readonly creditController: string | null;
  /** Decimal text in the reporting currency, or null when unknown. */
  readonly openAr: string | null;
  readonly overdueAr: string | null;
  /** Overdue AR as a percentage of open AR (2 decimals); null without open AR or when unknown. */
  readonly overdueShare: number | null;
  /** Days past due of the oldest open invoice; null with none overdue. */
  readonly maxDaysPastDue: number | null;
  /** Exposure as a percentage of the credit limit (2 decimals); null without a limit. */
  readonly utilisation: number | null;
  readonly riskBand: string | null;
}

export interface RegionFacts {
  readonly region: string;
  readonly month: string;
  /** Standard DSO of the month, days (2 decimals); null without credit sales. */
  readonly dso: number | null;
}

export interface Facts {
  readonly asOfDate: string | null;
  readonly customers: readonly CustomerFacts[];
  readonly regions: readonly RegionFacts[];
  /** Risk bands from best to worst (by the lowest probability of default seen in each). */
  readonly bandOrder: readonly string[];
}

const text = (v: Row[string] | undefined): string | null =>
  v === null || v === undefined ? null : String(v);
const round2 = (n: number | null): number | null => (n === null ? null : Math.round(n * 100) / 100);

/** The facts of every customer (or one, after a worklist write) and, unless `customerId` is given, every region. */
export async function readFacts(query: Query, customerId: string | null = null): Promise<Facts> {
  if (!(await tableExists(query, 'marts', 'fct_credit_exposure'))) {
    return { asOfDate: null, customers: [], regions: [], bandOrder: [] };
  }
  const scores = await tableExists(query, 'ml', 'customer_risk_scores');
  const [asOf] = await query('SELECT CAST(max(as_of_date) AS VARCHAR) AS d FROM marts.fct_credit_exposure');
  const rows = await query(
    `WITH dpd AS (
       SELECT customer_id, max(days_past_due) AS max_dpd
       FROM marts.fct_open_items
       WHERE item_type = 'invoice' AND open_amount > 0 AND days_past_due > 0
         AND (CAST(? AS VARCHAR) IS NULL OR customer_id = ?)
       GROUP BY customer_id
     )${
       scores
         ? `, band AS (
       SELECT customer_id, arg_max(risk_band, scored_at) AS risk_band
       FROM ml.customer_risk_scores WHERE (CAST(? AS VARCHAR) IS NULL OR customer_id = ?) GROUP BY customer_id
     )`
         : ''
     }
     SELECT e.customer_id, coalesce(e.customer_name, e.customer_id) AS customer_name, e.region,
            e.credit_controller, CAST(e.open_ar_rc AS VARCHAR) AS open_ar, CAST(e.overdue_ar_rc AS VARCHAR) AS overdue_ar,
            CASE WHEN e.open_ar_rc > 0 THEN 100.0 * e.overdue_ar_rc / e.open_ar_rc END AS overdue_share,
            d.max_dpd, 100.0 * e.credit_utilisation AS utilisation,
            ${scores ? 'b.risk_band' : 'CAST(NULL AS VARCHAR)'} AS risk_band
     FROM marts.fct_credit_exposure AS e
     LEFT JOIN dpd AS d USING (customer_id)
     ${scores ? 'LEFT JOIN band AS b USING (customer_id)' : ''}
     WHERE CAST(? AS VARCHAR) IS NULL OR e.customer_id = ?
     ORDER BY e.customer_id`,
    scores
      ? [customerId, customerId, customerId, customerId, customerId, customerId]
      : [customerId, customerId, customerId, customerId],
  );
  const customers = rows.map((r): CustomerFacts => ({
    customerId: String(r['customer_id']),
    customerName: String(r['customer_name']),
    region: text(r['region']),
    creditController: text(r['credit_controller']),
    openAr: text(r['open_ar']),
    overdueAr: text(r['overdue_ar']),
    overdueShare: round2(toMeasure(r['overdue_share'])),
    maxDaysPastDue: toMeasure(r['max_dpd']),
    utilisation: round2(toMeasure(r['utilisation'])),
    riskBand: text(r['risk_band']),
  }));
  const bandOrder = scores
    ? (
        await query(
          'SELECT risk_band FROM ml.customer_risk_scores GROUP BY risk_band ORDER BY min(probability_of_default), risk_band',
        )
      ).map((r) => String(r['risk_band']))
    : [];
  const regions =
    customerId === null && (await tableExists(query, 'marts', 'mart_ar_kpis_monthly'))
      ? (
          await query(
            `SELECT region, CAST(month_start AS VARCHAR) AS month,
                    sum(ending_ar_rc) / nullif(sum(credit_sales_rc), 0) * max(days_in_period) AS dso
             FROM marts.mart_ar_kpis_monthly
             WHERE month_start = (SELECT max(month_start) FROM marts.mart_ar_kpis_monthly)
             GROUP BY region, month_start ORDER BY region`,
          )
        ).map((r): RegionFacts => ({
          region: String(r['region']),
          month: String(r['month']),
          dso: round2(toMeasure(r['dso'])),
        }))
      : [];
  return { asOfDate: text(asOf?.['d']), customers, regions, bandOrder };
}
