/**
 * What the warehouse says about customers for the credit check, read once per published warehouse
 * (generation) and kept in memory: a check is then a map lookup plus one short operational-store
 * transaction, never a warehouse scan. The snapshot holds, per customer, the exposure at the build
 * (open AR + the ERP's open orders, reporting currency), the ERP's limit and currency, the oldest
 * overdue open invoice, the latest risk band, promises broken lately and the ERP's block flags; and the
 * day's exchange rates.
 */
import { tableExists, type Query } from '../warehouse/convert.ts';
import { decimalCents, rateUnits } from './money.ts';

export interface WarehouseCustomer {
  readonly customerId: string;
  readonly name: string;
  readonly region: string | null;
  readonly segment: string | null;
  readonly creditController: string | null;
  readonly currency: string;
  readonly blocked: boolean;
  readonly blacklisted: boolean;
  /** The ERP's limit in the customer's currency (cents); null = none. */
  readonly erpLimitCents: number | null;
  readonly exposureRcCents: number;
  readonly overdueRcCents: number;
  readonly maxDaysPastDue: number | null;
  readonly riskBand: string | null;
  /** Promises to pay broken in the 90 days before the as-of date. */
  readonly brokenPromises: number;
}

export interface WarehouseSnapshot {
  readonly generation: number;
  readonly asOf: string | null;
  /** When the ERP's open orders were last loaded (ISO, UTC); approvals after it add to exposure. */
  readonly dataCut: string | null;
  readonly customers: ReadonlyMap<string, WarehouseCustomer>;
  /** Currency → rate into the reporting currency at the as-of date (1e-8 units). */
  readonly rates: ReadonlyMap<string, bigint>;
}

/** The customers' facts; `scores` is false when the risk model has not scored yet. */
export const customerFactsSql = (scores: boolean) => `
  WITH od AS (
    SELECT customer_id, max(days_past_due) AS max_days_past_due
    FROM marts.fct_invoices WHERE open_amount > 0 AND days_past_due > 0 GROUP BY customer_id
  ),
  bp AS (
    SELECT customer_id, count(*) AS broken_promises
    FROM marts.fct_collection_activities
    WHERE promise_status = 'broken'
      AND promised_date > (SELECT as_of_date FROM intermediate.int_as_of) - 90
    GROUP BY customer_id
  ),
  rk AS (${
    scores
      ? `SELECT customer_id, arg_max(risk_band, as_of_date) AS risk_band
         FROM ml.customer_risk_scores GROUP BY customer_id`
      : 'SELECT NULL::VARCHAR AS customer_id, NULL::VARCHAR AS risk_band WHERE false'
  })
  SELECT e.customer_id, e.customer_name, e.region, e.segment, e.credit_controller, e.currency_code,
    e.is_credit_blocked, c.is_blacklisted, e.credit_limit_amount, e.exposure_rc, e.overdue_ar_rc,
    e.as_of_date, od.max_days_past_due, rk.risk_band, coalesce(bp.broken_promises, 0) AS broken_promises
  FROM marts.fct_credit_exposure AS e
  JOIN marts.dim_customers AS c USING (customer_id)
  LEFT JOIN od USING (customer_id)
  LEFT JOIN bp USING (customer_id)
  LEFT JOIN rk USING (customer_id)`;

/**
 * The exposure of one customer straight from the warehouse (what a check would run without the
 * snapshot; the benchmark's baseline).
 */
export const EXPOSURE_SQL = `
  SELECT e.exposure_rc, e.credit_limit_amount_rc,
    (SELECT max(days_past_due) FROM marts.fct_invoices AS i
     WHERE i.customer_id = e.customer_id AND i.open_amount > 0) AS max_days_past_due
  FROM marts.fct_credit_exposure AS e WHERE e.customer_id = $1`;

const str = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));

export async function loadSnapshot(query: Query, generation: number): Promise<WarehouseSnapshot> {
  const rows = await query(customerFactsSql(await tableExists(query, 'ml', 'customer_risk_scores')));
  const customers = new Map<string, WarehouseCustomer>();
  let asOf: string | null = null;
  for (const r of rows) {
    asOf ??= str(r['as_of_date']);
    const id = String(r['customer_id']);
    customers.set(id, {
      customerId: id,
      name: String(r['customer_name'] ?? ''),
      region: str(r['region']),
      segment: str(r['segment']),
      creditController: str(r['credit_controller']),
      currency: String(r['currency_code']),
      blocked: r['is_credit_blocked'] === true,
      blacklisted: r['is_blacklisted'] === true,
      erpLimitCents: decimalCents(r['credit_limit_amount'] as string | null),
      exposureRcCents: decimalCents(r['exposure_rc'] as string | null) ?? 0,
      overdueRcCents: decimalCents(r['overdue_ar_rc'] as string | null) ?? 0,
      maxDaysPastDue: r['max_days_past_due'] === null ? null : Number(r['max_days_past_due']),
      riskBand: str(r['risk_band']),
      brokenPromises: Number(r['broken_promises'] ?? 0),
    });
  }
  const rates = new Map<string, bigint>();
  for (const r of await query(
    `SELECT from_currency, fx_rate FROM intermediate.int_fx_daily
     WHERE rate_date = (SELECT as_of_date FROM intermediate.int_as_of) AND fx_rate IS NOT NULL`,
  )) {
    rates.set(String(r['from_currency']), rateUnits(String(r['fx_rate'])));
  }
  const [cut] = await query(`SELECT max(started_at) AS cut FROM meta.loads WHERE entity = 'sales_orders'`);
  const cutText = str(cut?.['cut']);
  return {
    generation,
    asOf,
    dataCut: cutText ? new Date(`${cutText.replace(' ', 'T')}Z`).toISOString() : null,
    customers,
    rates,
  };
}

/** Keeps the snapshot of the generation served; reloads once after each swap. */
export class SnapshotCache {
  private current: Promise<WarehouseSnapshot> | undefined;
  private generation = -1;

  constructor(
    private readonly query: Query,
    private readonly generationOf: () => number,
  ) {}

  get(): Promise<WarehouseSnapshot> {
    const g = this.generationOf();
    if (!this.current || g !== this.generation) {
      this.generation = g;
      const p = loadSnapshot(this.query, g);
      // A failed load is not kept: the next check tries again.
      p.catch(() => {
        if (this.current === p) this.current = undefined;
      });
      this.current = p;
    }
    return this.current;
  }
}
