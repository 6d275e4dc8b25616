/**
 * A customer's credit standing for the customer page: limit requests with who/when/why (newest
 * first), the limit in force and the blacklist flag — only for a customer the user may see (a sales
 * lead: their regions; a credit controller: their portfolio), as Cube's row filter would decide.
 */
import type { SecurityContext } from '../../../../auth/tokens.ts';
import { isBlacklisted } from '../../../../credit/blacklist.store.ts';
import { centsText } from '../../../../credit/money.ts';
import { listRequests, ownLimit } from '../../../../credit/requests.store.ts';
import { creditService } from '$lib/server/credit';

export async function creditHistory(user: SecurityContext, customerId: string) {
  const credit = creditService();
  const c = (await credit.snapshot()).customers.get(customerId);
  if (!c) return null;
  if (user.role === 'sales_lead' && !user.regions.includes(c.region ?? '')) return null;
  if (user.role === 'collector' && c.creditController !== user.portfolio) return null;
  if (user.role === 'admin') return null;
  const own = ownLimit(credit.ops, customerId);
  return {
    currency: c.currency,
    limit: own ? centsText(own.limitCents) : c.erpLimitCents === null ? null : centsText(c.erpLimitCents),
    source: own ? ('arlens' as const) : ('erp' as const),
    prepaymentRequired: own?.prepaymentRequired ?? false,
    keyFocus: own?.keyFocus ?? false,
    blacklisted: isBlacklisted(credit.ops, customerId) || c.blacklisted,
    requests: listRequests(credit.ops, { status: 'all', customerId, limit: 100 }).rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      from: r.currentLimit,
      to: r.newLimit,
      requestedBy: r.requestedBy,
      requestedAt: r.requestedAt,
      approvedBy: [r.managerBy, r.cfoBy].filter((x): x is string => x !== null),
      decidedAt: r.decidedAt,
      reason: r.reason,
      note: r.decisionNote,
    })),
  };
}

export type CreditHistory = NonNullable<Awaited<ReturnType<typeof creditHistory>>>;
