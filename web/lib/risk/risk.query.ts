/** Cube queries of the Risk page. Pure. */
import type { Query } from '@cubejs-client/core';
import { viewFilters, type GlobalFilters } from '../filters/filters.ts';

/** Customers by expected loss (exposure x probability of default), scored ones only. */
export function riskListQuery(f: GlobalFilters, limit = 100): Query {
  return {
    dimensions: [
      'customer_risk.customer_id',
      'customer_risk.customer_name',
      'customer_risk.region',
      'customer_risk.segment',
      'customer_risk.risk_band',
      'customer_risk.probability_of_default',
      'customer_risk.top_features',
    ],
    measures: ['customer_risk.exposure', 'customer_risk.expected_loss'],
    filters: [
      ...viewFilters('customer_risk', f, ['region']),
      { member: 'customer_risk.risk_band', operator: 'set' },
    ],
    order: { 'customer_risk.expected_loss': 'desc' },
    limit,
  };
}

/** Customers, exposure and expected loss per risk band. */
export function riskBandsQuery(f: GlobalFilters): Query {
  return {
    dimensions: ['customer_risk.risk_band'],
    measures: ['customer_risk.scored_customers', 'customer_risk.exposure', 'customer_risk.expected_loss'],
    filters: [
      ...viewFilters('customer_risk', f, ['region']),
      { member: 'customer_risk.risk_band', operator: 'set' },
    ],
  };
}
