/**
 * The ledger's figures from the ledger view's rows: gross AR, unapplied cash, unallocated credits and
 * net AR, each with how many items it covers and how many of them lack an FX rate. Money stays an
 * exact string; a figure whose every item lacks a rate is unknown (null), never 0.00. Pure.
 */
import { toMoney, toNumber, type CubeRow } from '../cube/values.ts';
import type { Translate } from '../i18n/messages.ts';

export interface Figure {
  /** Reporting currency, exact; null: unknown (every item it covers lacks an FX rate). */
  readonly amount: string | null;
  /** Items of its kind in the scope. */
  readonly items: number;
  /** Of those, items without an FX rate at the as-of date (left out of `amount`). */
  readonly unconverted: number;
}

export interface Ledger {
  readonly grossAr: Figure;
  readonly unappliedCash: Figure;
  readonly unallocatedCredits: Figure;
  readonly netAr: Figure;
  /** Customers whose balance is negative (they paid or were credited more than they owe). */
  readonly customersInCredit: number;
  /** Open items without an FX rate at the as-of date. */
  readonly unconvertedItems: number;
}

const V = 'ledger';
const count = (v: CubeRow[string]) => toNumber(v) ?? 0;

/** A sum over items: what Cube says, 0.00 when there is nothing to sum, unknown when no item converts. */
function figure(value: CubeRow[string], items: number, unconverted: number): Figure {
  const amount = toMoney(value);
  if (amount !== null) return { amount, items, unconverted };
  return { amount: unconverted > 0 ? null : '0.00', items, unconverted };
}

export function ledgerFromRows(byType: readonly CubeRow[], totals: readonly CubeRow[]): Ledger {
  const type = (t: string) => byType.find((r) => r[`${V}.item_type`] === t);
  const typed = (t: string, measure: string) => {
    const r = type(t);
    return figure(r?.[`${V}.${measure}`], count(r?.[`${V}.count`]), count(r?.[`${V}.unconverted_items`]));
  };
  const all = totals[0];
  const unconvertedItems = count(all?.[`${V}.unconverted_items`]);
  return {
    grossAr: typed('invoice', 'gross_ar'),
    unappliedCash: typed('unapplied_payment', 'unapplied_cash'),
    unallocatedCredits: typed('unallocated_credit', 'unallocated_credits'),
    netAr: figure(all?.[`${V}.net_ar`], count(all?.[`${V}.count`]), unconvertedItems),
    customersInCredit: count(all?.[`${V}.customers_in_credit`]),
    unconvertedItems,
  };
}

/** Net AR below zero: the customer (or the slice) is in credit. Unknown is not in credit. */
export function isInCredit(ledger: Ledger): boolean {
  return ledger.netAr.amount !== null && (toNumber(ledger.netAr.amount) ?? 0) < 0;
}

/** Invoices issued without an FX rate over the months of the KPI rows. */
export function unconvertedInvoices(rows: readonly CubeRow[]): number {
  return rows.reduce((n, r) => n + count(r['cfo_overview.unconverted_invoices']), 0);
}

export const LEDGER_FIGURES = ['grossAr', 'unappliedCash', 'unallocatedCredits', 'netAr'] as const;
export type LedgerFigure = (typeof LEDGER_FIGURES)[number];

/** A figure's amount for people: `money` formats it; unknown in words. */
export function figureText(f: Figure, money: (amount: string) => string, unknown: string): string {
  return f.amount === null ? unknown : money(f.amount);
}

/** The line under a figure that leaves items without an FX rate out; null when it leaves none out. */
export function partialText(t: Translate, f: Figure): string | null {
  if (f.amount === null || f.unconverted === 0) return null;
  return f.unconverted === 1 ? t('ledger.partialOne') : t('ledger.partial', { n: f.unconverted });
}

/** "N customers in credit" under the Overview's ledger. */
export function inCreditText(t: Translate, n: number): string {
  if (n === 0) return t('ledger.noneInCredit');
  return n === 1 ? t('ledger.customersInCreditOne') : t('ledger.customersInCredit', { n });
}

/**
 * The warning when documents lack an FX rate: open items at the as-of date (the ledger) or invoices
 * issued in the period (the KPIs); null when none does.
 */
export function fxWarningText(
  t: Translate,
  kind: 'openItems' | 'invoices',
  n: number,
  currency: string,
): string | null {
  if (n <= 0) return null;
  return n === 1 ? t(`fx.${kind}One`, { currency }) : t(`fx.${kind}`, { n, currency });
}
