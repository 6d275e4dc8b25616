/**
 * Suggested credit-limit changes from payment history and (when scored) the risk model. Pure and
 * deliberately simple, so a credit controller can read why: every suggestion carries its reasons.
 *
 *   reduce   very high / high risk, or written-off debt in the last year, or paying 30+ days late
 *            on average, or more than 30 % of the balance overdue → limit cut to the current
 *            exposure rounded down (no new credit until paid down), at most -50 %
 *   increase low risk (or unscored), under 5 days late on average, under 5 % overdue, using 80–100 %
 *            of the limit, active → +25 %, rounded up to a thousand
 *   review   over the limit without a reason to reduce (history fine): the suggested limit is the
 *            one that would cover today's exposure, for a person to decide
 *   keep     otherwise (not listed)
 * Limits are in the reporting currency, as exported limits converted at the as-of rate.
 */
import { toNumber, type CubeValue } from '../cube/values.ts';
import { isHighRisk } from '../risk/bands.ts';

export type Action = 'reduce' | 'increase' | 'review';
export type Reason =
  'high_risk' | 'written_off' | 'pays_late' | 'overdue_share' | 'good_payer_near_limit' | 'over_limit';

export interface Suggestion {
  readonly customerId: string;
  readonly customerName: string;
  readonly region: string;
  readonly action: Action;
  readonly reasons: Reason[];
  readonly currentLimit: number;
  readonly suggestedLimit: number;
  readonly exposure: number;
  readonly utilisation: number | null;
  readonly averageDaysLate: number | null;
  readonly overdueShare: number | null;
  readonly riskBand: string | null;
}

type Row = Record<string, CubeValue>;

const roundDown = (x: number, step = 1000) => Math.max(0, Math.floor(x / step) * step);
const roundUp = (x: number, step = 1000) => Math.ceil(x / step) * step;

export function suggestLimits(customers: Row[], history: Row[]): Suggestion[] {
  const byCustomer = new Map(history.map((h) => [String(h['analyst.customer_id']), h]));
  const out: Suggestion[] = [];
  for (const c of customers) {
    const id = String(c['credit_policy.customer_id']);
    const limit = toNumber(c['credit_policy.total_credit_limit']) ?? 0;
    if (limit <= 0) continue; // no limit set: nothing to change here
    const exposure = toNumber(c['credit_policy.exposure']) ?? 0;
    const openAr = toNumber(c['credit_policy.open_ar']) ?? 0;
    const overdue = toNumber(c['credit_policy.overdue_ar']) ?? 0;
    const h = byCustomer.get(id);
    const daysLate = toNumber(h?.['analyst.average_days_late']);
    const writtenOff = toNumber(h?.['analyst.written_off_amount']) ?? 0;
    const band = (c['credit_policy.risk_band'] as string | null | undefined) ?? null;
    const status = String(c['credit_policy.status'] ?? '');
    const overdueShare = openAr > 0 ? overdue / openAr : null;
    const utilisation = exposure / limit;

    const reasons: Reason[] = [];
    if (isHighRisk(band)) reasons.push('high_risk');
    if (writtenOff > 0) reasons.push('written_off');
    if (daysLate !== null && daysLate >= 30) reasons.push('pays_late');
    if (overdueShare !== null && overdueShare > 0.3) reasons.push('overdue_share');
    let action: Action | null = null;
    let suggested = limit;
    if (reasons.length > 0) {
      action = 'reduce';
      suggested = Math.max(roundDown(Math.min(exposure, limit)), roundDown(limit * 0.5));
      if (suggested >= limit) suggested = roundDown(limit * 0.9);
    } else if (
      (band === null || band === 'low') &&
      status === 'active' &&
      (daysLate ?? 0) < 5 &&
      (overdueShare ?? 0) < 0.05 &&
      utilisation >= 0.8 &&
      utilisation <= 1
    ) {
      action = 'increase';
      reasons.push('good_payer_near_limit');
      suggested = roundUp(limit * 1.25);
    } else if (utilisation > 1) {
      action = 'review';
      reasons.push('over_limit');
      suggested = roundUp(exposure);
    }
    if (action === null) continue;
    out.push({
      customerId: id,
      customerName: String(c['credit_policy.customer_name'] ?? ''),
      region: String(c['credit_policy.region'] ?? ''),
      action,
      reasons,
      currentLimit: limit,
      suggestedLimit: suggested,
      exposure,
      utilisation,
      averageDaysLate: daysLate,
      overdueShare,
      riskBand: band,
    });
  }
  const rank: Record<Action, number> = { reduce: 0, review: 1, increase: 2 };
  return out.sort((a, b) => rank[a.action] - rank[b.action] || b.exposure - a.exposure);
}
