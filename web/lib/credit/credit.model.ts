/** The customers over their credit limit, from the credit_policy rows. Pure. */
import { toBoolean, toMoney, toNumber, toText, type CubeRow } from '../cube/values.ts';

export interface OverLimit {
  readonly customerId: string;
  readonly customerName: string;
  readonly region: string | null;
  /** Reporting currency, exact. */
  readonly limit: string | null;
  readonly exposure: string | null;
  readonly overdue: string | null;
  /** Exposure / limit. */
  readonly utilisation: number | null;
  readonly riskBand: string | null;
}

const V = 'credit_policy';

/** Customers whose exposure is above their limit, in the rows' order (largest exposure first). */
export function overLimitCustomers(rows: readonly CubeRow[]): OverLimit[] {
  return rows
    .filter((r) => toBoolean(r[`${V}.is_over_limit`]))
    .map((r) => ({
      customerId: String(r[`${V}.customer_id`]),
      customerName: toText(r[`${V}.customer_name`]) ?? String(r[`${V}.customer_id`]),
      region: toText(r[`${V}.region`]),
      limit: toMoney(r[`${V}.total_credit_limit`]),
      exposure: toMoney(r[`${V}.exposure`]),
      overdue: toMoney(r[`${V}.overdue_ar`]),
      utilisation: toNumber(r[`${V}.credit_utilisation`]),
      riskBand: toText(r[`${V}.risk_band`]),
    }));
}
