/**
 * Orders on credit hold for the Collections page: the held and escalated orders of the customers the
 * user sees (a credit controller: their portfolio; a sales lead: their regions), newest first, and
 * the blacklisted ones among them — so the controller can call the customer about them.
 */
import type { SecurityContext } from '../../../../auth/tokens.ts';
import { isBlacklisted } from '../../../../credit/blacklist.store.ts';
import { listDecisions } from '../../../../credit/checks.store.ts';
import { creditService } from '$lib/server/credit';

export async function holdsFor(user: SecurityContext) {
  const credit = creditService();
  const snapshot = await credit.snapshot();
  let customers: string[] | undefined;
  if (user.role === 'collector') {
    customers = [...snapshot.customers.values()]
      .filter((c) => c.creditController === user.portfolio)
      .map((c) => c.customerId);
  } else if (user.role === 'sales_lead') {
    customers = [...snapshot.customers.values()]
      .filter((c) => user.regions.includes(c.region ?? ''))
      .map((c) => c.customerId);
  }
  const page = listDecisions(credit.ops, {
    status: ['held', 'escalated'],
    ...(customers ? { customers } : {}),
    limit: 25,
  });
  return {
    total: page.total,
    rows: page.rows.map((d) => ({
      id: d.id,
      customerId: d.customerId,
      customerName: snapshot.customers.get(d.customerId)?.name ?? d.customerId,
      orderId: d.orderId,
      amount: d.amount,
      currency: d.currency,
      outcome: d.outcome,
      reasons: d.reasons.map((r) => r.code),
      checkedAt: d.checkedAt,
      blacklisted: isBlacklisted(credit.ops, d.customerId),
    })),
  };
}

export type HoldsForUser = Awaited<ReturnType<typeof holdsFor>>;
