/** Rows of the customers list from customer_risk rows. Pure. */
import { toBoolean, toMoney, toNumber, toText, type CubeRow } from '../cube/values.ts';

const V = 'customer_risk';

export interface ListCustomer {
  readonly id: string;
  readonly name: string;
  readonly region: string | null;
  readonly segment: string | null;
  /** active, blocked, blacklisted or inactive (as exported). */
  readonly status: string | null;
  /** Reporting currency, exact. */
  readonly openAr: string | null;
  readonly overdueAr: string | null;
  readonly creditLimit: string | null;
  /** Exposure / limit (1 = at the limit); null without a limit. */
  readonly utilisation: number | null;
  readonly overLimit: boolean;
  readonly riskBand: string | null;
}

export function listCustomers(rows: readonly CubeRow[]): ListCustomer[] {
  return rows.map((r) => {
    const limit = toMoney(r[`${V}.total_credit_limit`]);
    return {
      id: String(r[`${V}.customer_id`]),
      name: toText(r[`${V}.customer_name`]) ?? String(r[`${V}.customer_id`]),
      region: toText(r[`${V}.region`]),
      segment: toText(r[`${V}.segment`]),
      status: toText(r[`${V}.status`]),
      openAr: toMoney(r[`${V}.open_ar`]),
      overdueAr: toMoney(r[`${V}.overdue_ar`]),
      creditLimit: limit !== null && toNumber(limit) !== 0 ? limit : null,
      utilisation: toNumber(r[`${V}.credit_utilisation`]),
      overLimit: toBoolean(r[`${V}.is_over_limit`]),
      riskBand: toText(r[`${V}.risk_band`]),
    };
  });
}

/** The customer count from the count query's single row. */
export function customerCount(rows: readonly CubeRow[]): number {
  return toNumber(rows[0]?.[`${V}.count`]) ?? 0;
}

/** Status badges: none for active accounts. */
export function statusBadge(status: string | null): 'blocked' | 'blacklisted' | 'inactive' | null {
  return status === 'blocked' || status === 'blacklisted' || status === 'inactive' ? status : null;
}
