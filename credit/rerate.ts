/**
 * The periodic re-rating list: customers a credit manager should look at again, each with why —
 * over the limit in force, in default (an open invoice more than 90 days past due), overdue beyond
 * the policy's days, a high or very high risk band, a promise to pay broken in the last 90 days,
 * blocked in the ERP. Pure over the warehouse snapshot and the limits ARLens holds.
 */
import type { WarehouseCustomer, WarehouseSnapshot } from './facts.ts';
import { convertCents } from './money.ts';
import { thresholdsFor, type CreditPolicy } from './policy.ts';
import type { OwnLimit } from './requests.store.ts';

export type RerateReason = 'over_limit' | 'default' | 'overdue' | 'risk_band' | 'broken_promise' | 'blocked';

export interface RerateRow {
  readonly customer: WarehouseCustomer;
  readonly limitCents: number | null;
  readonly limitRcCents: number | null;
  readonly reasons: readonly RerateReason[];
  readonly own: OwnLimit | null;
}

export const DEFAULT_DAYS = 90;

export function rerateList(
  snapshot: WarehouseSnapshot,
  own: ReadonlyMap<string, OwnLimit>,
  policy: CreditPolicy,
  blacklisted: ReadonlySet<string>,
): RerateRow[] {
  const out: RerateRow[] = [];
  for (const c of snapshot.customers.values()) {
    if (blacklisted.has(c.customerId)) continue; // already stopped
    const mine = own.get(c.customerId) ?? null;
    const limitCents = mine?.limitCents ?? c.erpLimitCents;
    const rate = snapshot.rates.get(c.currency);
    const limitRc = limitCents === null || rate === undefined ? null : convertCents(limitCents, rate);
    const t = thresholdsFor(policy, c.region, c.segment);
    const reasons: RerateReason[] = [];
    if (limitRc !== null && c.exposureRcCents > limitRc) reasons.push('over_limit');
    if ((c.maxDaysPastDue ?? 0) > DEFAULT_DAYS) reasons.push('default');
    else if ((c.maxDaysPastDue ?? 0) > t.overdueDays) reasons.push('overdue');
    if (
      c.riskBand !== null &&
      (t.holdRiskBands.includes(c.riskBand) || t.escalateRiskBands.includes(c.riskBand))
    ) {
      reasons.push('risk_band');
    }
    if (c.brokenPromises > 0) reasons.push('broken_promise');
    if (c.blocked) reasons.push('blocked');
    if (reasons.length > 0) out.push({ customer: c, limitCents, limitRcCents: limitRc, reasons, own: mine });
  }
  return out.sort(
    (a, b) =>
      b.reasons.length - a.reasons.length ||
      b.customer.exposureRcCents - a.customer.exposureRcCents ||
      (a.customer.customerId < b.customer.customerId ? -1 : 1),
  );
}
