/** Rows of the customers list from customer_risk rows, and the list's words. Pure. */
import { toBoolean, toMoney, toNumber, toText, type CubeRow } from '../cube/values.ts';
import type { Translate } from '../i18n/messages.ts';
import type { PageInfo } from '../ui/paging.ts';
import type { ListParams } from './customer-list.query.ts';

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

/** The list's heading: the count once it is known. */
export function listTitle(t: Translate, counted: boolean, total: number): string {
  if (!counted) return t('customers.listLabel');
  return total === 1 ? t('customers.countOne') : t('customers.count', { total });
}

/** What an empty list says: past the end, no match for the search, or nothing for the filters. */
export function listEmptyText(t: Translate, p: ListParams, total: number): string {
  if (p.page > 1 && total > 0) return t('pager.pastEnd');
  return p.q ? t('customers.noMatch', { q: p.q }) : t('customers.none');
}

/** "1–50 of 800 customers" under the list. */
export function pagerSummary(t: Translate, info: PageInfo): string {
  if (info.first === 0) return '';
  return info.total === 1
    ? t('customers.countOne')
    : t('customers.showing', { first: info.first, last: info.last, total: info.total });
}
