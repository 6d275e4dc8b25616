/**
 * The customer master, written last because credit limits are sized from the history: a limit of
 * 1.4–3× the customer's typical exposure (some near or over it), none for every 15th account, zero
 * for blacklisted ones.
 */
import type { SeededRandom } from '../../core/random.ts';
import type { Customer } from './model.ts';
import { money, type CsvSink } from './sink.ts';

/** Write every customer's master row; returns how many are at 90% of their limit or more. */
export function writeCustomerMaster(
  rng: SeededRandom,
  customers: readonly Customer[],
  sink: CsvSink<'customers'>,
): number {
  let nearLimit = 0;
  for (const c of customers) {
    let limit = '';
    if (c.status === 'blacklisted') limit = '0.00';
    else if (c.idx % 15 !== 7) {
      // Every 15th account has no credit limit set.
      const cents = creditLimit(rng, c);
      if (c.open >= 0.9 * cents) nearLimit++;
      limit = money(cents);
    }
    sink.row({
      customer_id: c.id,
      customer_name: c.name,
      region: c.region,
      country: c.country,
      segment: c.segment,
      industry: c.industry,
      salesperson: c.salesperson,
      credit_controller: c.controller,
      credit_limit: limit,
      payment_terms_days: String(c.terms),
      currency: c.currency,
      status: c.status,
    });
  }
  return nearLimit;
}

/** A limit in cents, rounded to two significant digits. */
function creditLimit(rng: SeededRandom, c: Customer): number {
  const typical = Math.max(
    c.billedLastYear / 12,
    c.billedTotal / 36,
    1000 * 100 * c.perUsd, // at least ~1,000 USD
  );
  const exposure = typical * (c.terms / 30 + 0.5);
  const cents =
    c.open > 0.5 * exposure && rng.chance(0.05)
      ? c.open * rng.uniform(0.85, 1.08)
      : exposure * rng.uniform(1.4, 3);
  return roundNice(cents / 100) * 100;
}

/** Two significant digits, e.g. 47,312 -> 47,000. */
function roundNice(units: number): number {
  if (units < 1) return 0;
  const p = Math.pow(10, Math.max(0, Math.floor(Math.log10(units)) - 1));
  return Math.round(units / p) * p;
}
