/**
 * Cube queries of the full ledger (the ledger view over marts.fct_open_items: open invoices, unapplied
 * payments and unallocated credit notes at the as-of date). Every role that sees the Overview or a
 * customer may query it; Cube narrows it to the role's regions or portfolio. Pure.
 */
import type { Query } from '@cubejs-client/core';
import { monthlyQuery, OVERVIEW_DIMENSIONS, viewFilters, type GlobalFilters } from '../filters/filters.ts';

const V = 'ledger';

/**
 * Whose ledger: the global filters' slice (region and product line apply; the ledger is at the as-of
 * date, so the dates do not, and currency does not, as on the KPI tiles), or one customer's.
 */
export type LedgerScope = { readonly filters: GlobalFilters } | { readonly customerId: string };

function scopeFilters(scope: LedgerScope) {
  return 'customerId' in scope
    ? [{ member: `${V}.customer_id`, operator: 'equals' as const, values: [scope.customerId] }]
    : viewFilters(V, scope.filters, ['region', 'product_line']);
}

/** Per item type (invoice, unapplied_payment, unallocated_credit): its amounts, items, items without a rate. */
export function ledgerByTypeQuery(scope: LedgerScope): Query {
  return {
    dimensions: [`${V}.item_type`],
    measures: [
      `${V}.gross_ar`,
      `${V}.unapplied_cash`,
      `${V}.unallocated_credits`,
      `${V}.net_ar`,
      `${V}.count`,
      `${V}.unconverted_items`,
    ],
    filters: scopeFilters(scope),
  };
}

/** The whole scope: net AR, customers in credit, items, items without a rate. */
export function ledgerTotalsQuery(scope: LedgerScope): Query {
  return {
    measures: [`${V}.net_ar`, `${V}.customers_in_credit`, `${V}.count`, `${V}.unconverted_items`],
    filters: scopeFilters(scope),
  };
}

/** Invoices issued without an FX rate, per month of the filters' period (the KPI mart's count). */
export function unconvertedInvoicesQuery(f: GlobalFilters): Query {
  return monthlyQuery('cfo_overview', ['unconverted_invoices'], f, OVERVIEW_DIMENSIONS);
}
