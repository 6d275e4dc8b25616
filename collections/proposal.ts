/**
 * The dunning proposal: which customers, which items, which level, and why — a pure function of the
 * open items (the corrected ledger: marts.fct_open_items, so paid and credited amounts are already
 * netted), the operational state (holds, disputes, promises, letters already sent) and the policy.
 *
 * Rules, in the order they apply:
 * - only invoices with money owed to us are dunned (`item_type = 'invoice'` and `open_amount > 0`):
 *   a paid or fully credited invoice is not an open item at all;
 * - an item under an open dispute (the ERP's or one opened in ARLens) or on hold is left out, with
 *   the reason;
 * - a customer on hold, with a pending promise to pay (date not passed), or blacklisted (handed to
 *   legal instead) is left out, with the reason;
 * - per customer and currency, the level is the highest of its items' levels; unapplied payments
 *   and unallocated credits in that currency are netted: a customer whose credits cover the dunned
 *   items is "in credit" and not dunned; a net total under the minimum amount is not dunned;
 * - a customer already sent a letter at this level or a higher one within `repeat_after_days` is
 *   not dunned again (a second run the same day sends nothing).
 *
 * The result does not depend on the order of the items: customers, their items and the skipped ones
 * come sorted.
 */
import { addDays, parseDay } from '../core/calendar.ts';
import { fromMinor, levelFor, toMinor, type DunningPolicy } from './policy.ts';

export type ItemType = 'invoice' | 'unapplied_payment' | 'unallocated_credit';

export interface OpenItem {
  readonly customerId: string;
  readonly customerName: string;
  readonly region: string | null;
  readonly countryCode: string | null;
  readonly creditController: string | null;
  readonly customerStatus: string | null;
  readonly itemId: string;
  readonly itemType: ItemType;
  readonly documentDate: string | null;
  readonly dueDate: string | null;
  readonly currencyCode: string;
  /** Signed decimal text: positive owed to us, negative owed to the customer. */
  readonly openAmount: string;
  /** The ERP's dispute state on the invoice (marts.fct_invoices.has_open_dispute). */
  readonly hasOpenDispute: boolean;
}

export interface OpsState {
  /** Customers on hold. */
  readonly heldCustomers: ReadonlySet<string>;
  /** `customerId\u0000itemId` of items on hold. */
  readonly heldItems: ReadonlySet<string>;
  /** Invoice ids under a dispute opened in ARLens and not resolved. */
  readonly disputedItems: ReadonlySet<string>;
  /** Customer → the latest date of a pending promise to pay. */
  readonly pendingPromises: ReadonlyMap<string, string>;
  /** Customer → the last letter: its level and date. */
  readonly lastLetters: ReadonlyMap<string, { readonly level: number; readonly date: string }>;
  /**
   * Invoice id → what cash application applied to it from bank lines the warehouse does not hold yet
   * (minor units): money received is never dunned, published or not.
   */
  readonly cashApplied: ReadonlyMap<string, bigint>;
}

export type SkipReason =
  | 'disputed'
  | 'item_on_hold'
  | 'customer_on_hold'
  | 'promise_pending'
  | 'blacklisted_legal'
  | 'in_credit'
  | 'below_minimum'
  | 'already_dunned'
  | 'paid_in_cash_application';

export interface ProposedItem {
  readonly itemId: string;
  readonly itemType: ItemType;
  readonly documentDate: string | null;
  readonly dueDate: string | null;
  /** Days past due at the run date (invoices). */
  readonly daysPastDue: number | null;
  readonly openAmount: string;
  /** The item's own level (0 for credits, which are netted, not dunned). */
  readonly level: number;
}

export interface ProposedCustomer {
  readonly customerId: string;
  readonly customerName: string;
  readonly region: string | null;
  readonly countryCode: string | null;
  readonly creditController: string | null;
  readonly currencyCode: string;
  readonly level: number;
  /** Dunned invoices and the credits netted against them. */
  readonly items: readonly ProposedItem[];
  /** Sum of the dunned invoices. */
  readonly dunnedAmount: string;
  /** Dunned invoices less unapplied payments and credits. */
  readonly netAmount: string;
}

export interface Skipped {
  readonly customerId: string;
  readonly itemId: string | null;
  readonly reason: SkipReason;
}

export interface Proposal {
  readonly runDate: string;
  readonly customers: readonly ProposedCustomer[];
  readonly skipped: readonly Skipped[];
}

/** Code-unit order (ids and ISO dates): stable across locales, and far cheaper than localeCompare. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const key = (customerId: string, itemId: string) => `${customerId}\u0000${itemId}`;

export function daysBetween(from: string, to: string): number {
  return parseDay(to) - parseDay(from);
}

interface Group {
  first: OpenItem;
  dunned: ProposedItem[];
  credits: ProposedItem[];
}

export function propose(
  policy: DunningPolicy,
  runDate: string,
  items: Iterable<OpenItem>,
  ops: OpsState,
): Proposal {
  const runDay = parseDay(runDate);
  const dueDays = new Map<string, number>();
  const skipped: Skipped[] = [];
  const groups = new Map<string, Group>();
  const skippedCustomers = new Set<string>();
  const skipCustomer = (c: string, reason: SkipReason) => {
    if (skippedCustomers.has(c)) return;
    skippedCustomers.add(c);
    skipped.push({ customerId: c, itemId: null, reason });
  };
  const repeatFrom = addDays(runDate, -policy.repeat_after_days);

  for (const it of items) {
    const c = it.customerId;
    if (skippedCustomers.has(c)) continue;
    if (ops.heldCustomers.has(c)) {
      skipCustomer(c, 'customer_on_hold');
      continue;
    }
    if (it.customerStatus === 'blacklisted' && policy.exclusions.blacklisted === 'legal') {
      skipCustomer(c, 'blacklisted_legal');
      continue;
    }
    const promised = ops.pendingPromises.get(c);
    if (policy.exclusions.promise_pending && promised !== undefined && promised >= runDate) {
      skipCustomer(c, 'promise_pending');
      continue;
    }
    let amount = toMinor(it.openAmount);
    const received = it.itemType === 'invoice' ? ops.cashApplied.get(it.itemId) : undefined;
    if (received !== undefined && amount > 0n) {
      amount -= received;
      if (amount <= 0n) {
        skipped.push({ customerId: c, itemId: it.itemId, reason: 'paid_in_cash_application' });
        continue;
      }
    }
    const gk = `${c}\u0000${it.currencyCode}`;
    let g = groups.get(gk);
    const base = {
      itemId: it.itemId,
      itemType: it.itemType,
      documentDate: it.documentDate,
      dueDate: it.dueDate,
      openAmount: received === undefined ? it.openAmount : fromMinor(amount),
    };
    if (it.itemType !== 'invoice' || amount <= 0n) {
      if (amount >= 0n) continue;
      if (!g) groups.set(gk, (g = { first: it, dunned: [], credits: [] }));
      g.credits.push({ ...base, daysPastDue: null, level: 0 });
      continue;
    }
    if (!it.dueDate) continue;
    let due = dueDays.get(it.dueDate);
    if (due === undefined) dueDays.set(it.dueDate, (due = parseDay(it.dueDate)));
    const dpd = runDay - due;
    const level = levelFor(policy, dpd);
    if (level === 0) continue;
    if (it.hasOpenDispute || ops.disputedItems.has(it.itemId)) {
      skipped.push({ customerId: c, itemId: it.itemId, reason: 'disputed' });
      continue;
    }
    if (ops.heldItems.has(key(c, it.itemId))) {
      skipped.push({ customerId: c, itemId: it.itemId, reason: 'item_on_hold' });
      continue;
    }
    if (!g) groups.set(gk, (g = { first: it, dunned: [], credits: [] }));
    g.dunned.push({ ...base, daysPastDue: dpd, level });
  }

  const customers: ProposedCustomer[] = [];
  for (const g of groups.values()) {
    const c = g.first.customerId;
    if (skippedCustomers.has(c) || g.dunned.length === 0) continue;
    const dunned = g.dunned.reduce((s, i) => s + toMinor(i.openAmount), 0n);
    const credits = g.credits.reduce((s, i) => s + toMinor(i.openAmount), 0n);
    const net = dunned + credits;
    if (net <= 0n) {
      skipped.push({ customerId: c, itemId: null, reason: 'in_credit' });
      continue;
    }
    if (net < policy.minimum_amount) {
      skipped.push({ customerId: c, itemId: null, reason: 'below_minimum' });
      continue;
    }
    const level = Math.max(...g.dunned.map((i) => i.level));
    const last = ops.lastLetters.get(c);
    if (last && last.level >= level && last.date > repeatFrom) {
      skipped.push({ customerId: c, itemId: null, reason: 'already_dunned' });
      continue;
    }
    const byDue = (a: ProposedItem, b: ProposedItem) =>
      cmp(a.dueDate ?? a.documentDate ?? '', b.dueDate ?? b.documentDate ?? '') || cmp(a.itemId, b.itemId);
    customers.push({
      customerId: c,
      customerName: g.first.customerName,
      region: g.first.region,
      countryCode: g.first.countryCode,
      creditController: g.first.creditController,
      currencyCode: g.first.currencyCode,
      level,
      items: [...g.dunned.sort(byDue), ...g.credits.sort(byDue)],
      dunnedAmount: fromMinor(dunned),
      netAmount: fromMinor(net),
    });
  }
  customers.sort(
    (a, b) => b.level - a.level || cmp(a.customerId, b.customerId) || cmp(a.currencyCode, b.currencyCode),
  );
  // In the order the store reads them back (customer, then item; the customer's own reason first), so
  // the proposal does not depend on the order the items came in.
  skipped.sort((a, b) => cmp(a.customerId, b.customerId) || cmp(a.itemId ?? '', b.itemId ?? ''));
  return { runDate, customers, skipped };
}
