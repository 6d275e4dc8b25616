import type { Query } from '@cubejs-client/core';
import { monthEnd } from '../../../../core/calendar.ts';
import { viewFilters, type GlobalFilters } from '../../filters/filters.ts';

/**
 * Credit policy: DSO, on-time ratio and bad-debt rate by region x product line for one month. The
 * range covers the whole month, so Cube answers from the monthly rollup.
 */
export function kpiHeatmapQuery(f: GlobalFilters, month: string): Query {
  return {
    measures: ['cfo_overview.dso', 'cfo_overview.on_time_ratio', 'cfo_overview.bad_debt_rate'],
    dimensions: ['cfo_overview.region', 'cfo_overview.product_line'],
    timeDimensions: [
      { dimension: 'cfo_overview.month', granularity: 'month', dateRange: [month, monthEnd(month)] },
    ],
    filters: viewFilters('cfo_overview', f, ['region', 'product_line']),
    order: { 'cfo_overview.region': 'asc', 'cfo_overview.product_line': 'asc' },
  };
}
