/** Cube queries of the Credit policy page. Pure. */
import type { Query } from '@cubejs-client/core';
import { viewFilters, type GlobalFilters } from '../filters/filters.ts';

/** Credit utilisation by region x segment (exposure / limits of customers with a limit). */
export function utilisationHeatmapQuery(f: GlobalFilters): Query {
  return {
    measures: [
      'credit_policy.credit_utilisation_ratio',
      'credit_policy.customers_over_limit',
      'credit_policy.count',
    ],
    dimensions: ['credit_policy.region', 'credit_policy.segment'],
    filters: viewFilters('credit_policy', f, ['region', 'currency']),
    order: { 'credit_policy.region': 'asc', 'credit_policy.segment': 'asc' },
  };
}

/** One row per customer with what a limit decision needs: exposure, limit, overdue, risk. */
export function customerCreditQuery(f: GlobalFilters, limit = 2000): Query {
  return {
    dimensions: [
      'credit_policy.customer_id',
      'credit_policy.customer_name',
      'credit_policy.region',
      'credit_policy.segment',
      'credit_policy.status',
      'credit_policy.credit_utilisation',
      'credit_policy.is_over_limit',
      'credit_policy.risk_band',
      'credit_policy.probability_of_default',
    ],
    measures: [
      'credit_policy.total_credit_limit',
      'credit_policy.exposure',
      'credit_policy.open_ar',
      'credit_policy.overdue_ar',
    ],
    filters: viewFilters('credit_policy', f, ['region', 'currency']),
    order: { 'credit_policy.exposure': 'desc' },
    limit,
  };
}

/** Payment history per customer over the last 12 months of invoices: days late, on-time share. */
export function paymentHistoryQuery(f: GlobalFilters, since: string, until: string, limit = 5000): Query {
  return {
    dimensions: ['analyst.customer_id'],
    measures: [
      'analyst.count',
      'analyst.average_days_late',
      'analyst.written_off_amount',
      'analyst.invoiced',
    ],
    timeDimensions: [{ dimension: 'analyst.issue_date', dateRange: [since, until] }],
    filters: viewFilters('analyst', f, ['region', 'product_line', 'currency']),
    limit,
  };
}
