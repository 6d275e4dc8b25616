import type { Query } from '@cubejs-client/core';
import { viewFilters, type GlobalFilters } from '../../filters/filters.ts';

/** The customers with the most overdue AR (credit_policy view: one row per customer). */
export function topOverdueQuery(f: GlobalFilters, limit = 10): Query {
  return {
    measures: ['credit_policy.overdue_ar', 'credit_policy.open_ar'],
    dimensions: ['credit_policy.customer_id', 'credit_policy.customer_name', 'credit_policy.region'],
    filters: [
      ...viewFilters('credit_policy', f, ['region', 'currency']),
      { member: 'credit_policy.overdue_ar', operator: 'gt', values: ['0'] },
    ],
    order: { 'credit_policy.overdue_ar': 'desc' },
    limit,
  };
}
