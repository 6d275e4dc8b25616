/** The Credit policy page's parameters (in the URL) and its Cube queries. Pure. */
import type { Query } from '@cubejs-client/core';
import { monthsBetween, viewFilters, type GlobalFilters } from '../filters/filters.ts';

/** The measures the KPI heatmap offers. */
export const CREDIT_METRICS = ['dso', 'on_time_ratio', 'bad_debt_rate'] as const;
export type CreditMetric = (typeof CREDIT_METRICS)[number];

export interface CreditParams {
  readonly metric: CreditMetric;
  /** Every month with data ('YYYY-MM-01'), oldest first. */
  readonly months: readonly string[];
  /** The heatmap's month: the URL's when it has data, else the latest; '' without data. */
  readonly month: string;
  /** Payment history: the 12 months up to the as-of date; null without data. */
  readonly window: readonly [string, string] | null;
}

/** The page's parameters (`metric`, `month`) from the URL, checked against the months with data. */
export function creditParams(
  params: URLSearchParams,
  data: {
    readonly firstMonth: string | null;
    readonly lastMonth: string | null;
    readonly asOf: string | null;
  },
): CreditParams {
  const rawMetric = params.get('metric') ?? '';
  const metric = (CREDIT_METRICS as readonly string[]).includes(rawMetric)
    ? (rawMetric as CreditMetric)
    : 'dso';
  const months = monthsBetween(data.firstMonth, data.lastMonth);
  const rawMonth = params.get('month') ?? '';
  const month = months.includes(rawMonth) ? rawMonth : (months.at(-1) ?? '');
  const last = data.lastMonth;
  const window = last && data.asOf ? ([months.at(-12) ?? months[0] ?? last, data.asOf] as const) : null;
  return { metric, months, month, window };
}

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
