/**
 * Orders on credit hold for the Collections page: the held and escalated orders of the customers the
 * user sees (a credit controller: their portfolio; a sales lead: their regions), newest first, and
 * the blacklisted ones among them — so the controller can call the customer about them.
 */
import type { SecurityContext } from '../../../../auth/tokens.ts';
import { blacklist, isBlacklisted } from '../../../../credit/blacklist.store.ts';
import { listDecisions } from '../../../../credit/checks.store.ts';
import { creditService } from '$lib/server/credit';

/** The customers `user` sees (undefined: all of them). */
function visibleCustomers(
  user: SecurityContext,
  snapshot: Awaited<ReturnType<ReturnType<typeof creditService>['snapshot']>>,
): string[] | undefined {
  if (user.role === 'collector') {
    return [...snapshot.customers.values()]
      .filter((c) => c.creditController === user.portfolio)
      .map((c) => c.customerId);
  }
  if (user.role === 'sales_lead') {
    return [...snapshot.customers.values()]
      .filter((c) => user.regions.includes(c.region ?? ''))
      .map((c) => c.customerId);
  }
  return undefined;
}

/**
 * The customers on ARLens's blacklist (two-person rule) that `user` sees: the Customers list and the
 * worklist flag them like the ERP's own blacklisted status. Ids of customers outside the user's rows
 * are never sent.
 */
export async function blacklistedFor(user: SecurityContext): Promise<string[]> {
  const credit = creditService();
  const listed = blacklist(credit.ops).map((b) => b.customerId);
  if (listed.length === 0) return [];
  const visible = visibleCustomers(user, await credit.snapshot());
  if (visible === undefined) return listed;
  const mine = new Set(visible);
  return listed.filter((id) => mine.has(id));
}

export async function holdsFor(user: SecurityContext) {
  const credit = creditService();
  const snapshot = await credit.snapshot();
  const customers = visibleCustomers(user, snapshot);
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
