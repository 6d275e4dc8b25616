/**
 * The credit check's decision: a pure function over plain facts, so every path is a table row in a
 * test. Outcome: `escalate` when any reason escalates, else `hold` when any reason holds, else
 * `approve`; a blacklisted customer is always held (whatever else applies), and a blocked one too.
 * Every reason is machine-readable: a code, whether it holds or escalates, and its figures.
 */
import type { EffectiveThresholds } from './policy.ts';

export type Outcome = 'approve' | 'hold' | 'escalate';

export type ReasonCode =
  | 'unknown_customer'
  | 'unknown_currency'
  | 'blacklisted'
  | 'blocked'
  | 'prepayment_required'
  | 'missing_limit'
  | 'over_limit'
  | 'overdue'
  | 'risk_band'
  | 'large_order';

export interface Reason {
  readonly code: ReasonCode;
  readonly effect: 'hold' | 'escalate';
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

/** What ARLens knows about the customer when the order arrives (amounts in reporting-currency cents). */
export interface CustomerFacts {
  readonly known: boolean;
  readonly region: string | null;
  readonly segment: string | null;
  /** Open AR + open orders at the last build. */
  readonly exposureCents: number;
  /** Orders approved (or released) since the last build, not yet in the ERP's open orders. */
  readonly approvedSinceCents: number;
  /** The limit in force (ARLens's own, else the ERP's), converted; null = no limit. */
  readonly limitCents: number | null;
  readonly maxDaysPastDue: number | null;
  readonly riskBand: string | null;
  readonly blocked: boolean;
  readonly blacklisted: boolean;
  readonly prepaymentRequired: boolean;
}

export interface Decision {
  readonly outcome: Outcome;
  readonly reasons: readonly Reason[];
  /** Exposure including orders approved since the build, before this order. */
  readonly exposureCents: number;
  readonly limitCents: number | null;
}

/**
 * Decide one order of `orderCents` (reporting currency; null when its currency has no rate) for a
 * customer with `facts` under `t`.
 */
export function decide(facts: CustomerFacts, orderCents: number | null, t: EffectiveThresholds): Decision {
  const reasons: Reason[] = [];
  const exposure = facts.exposureCents + facts.approvedSinceCents;
  const add = (code: ReasonCode, effect: Reason['effect'], detail: Reason['detail'] = {}) =>
    reasons.push({ code, effect, detail });
  if (!facts.known) add('unknown_customer', 'escalate');
  if (orderCents === null) add('unknown_currency', 'escalate');
  if (facts.blacklisted) add('blacklisted', 'hold');
  if (facts.blocked) add('blocked', 'hold');
  if (facts.prepaymentRequired) add('prepayment_required', 'hold');
  if (facts.known) {
    if (facts.limitCents === null) add('missing_limit', t.missingLimit);
    else if (orderCents !== null && exposure + orderCents > facts.limitCents) {
      const over = exposure + orderCents - facts.limitCents;
      const share = facts.limitCents > 0 ? over / facts.limitCents : Infinity;
      add('over_limit', share > t.escalateOverLimitShare ? 'escalate' : 'hold', {
        exposure: exposure,
        order: orderCents,
        limit: facts.limitCents,
        over,
      });
    }
    if (facts.maxDaysPastDue !== null && facts.maxDaysPastDue > t.overdueDays) {
      add('overdue', 'hold', { max_days_past_due: facts.maxDaysPastDue, allowed_days: t.overdueDays });
    }
    if (facts.riskBand !== null && t.escalateRiskBands.includes(facts.riskBand)) {
      add('risk_band', 'escalate', { band: facts.riskBand });
    } else if (facts.riskBand !== null && t.holdRiskBands.includes(facts.riskBand)) {
      add('risk_band', 'hold', { band: facts.riskBand });
    }
  }
  if (orderCents !== null && t.escalateOrderCents !== null && orderCents >= t.escalateOrderCents) {
    add('large_order', 'escalate', { order: orderCents, threshold: t.escalateOrderCents });
  }
  let outcome: Outcome = 'approve';
  if (reasons.some((r) => r.effect === 'hold')) outcome = 'hold';
  if (reasons.some((r) => r.effect === 'escalate')) outcome = 'escalate';
  if (facts.blacklisted || facts.blocked) outcome = 'hold';
  return { outcome, reasons, exposureCents: exposure, limitCents: facts.limitCents };
}
