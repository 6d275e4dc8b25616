import type { Query } from '@cubejs-client/core';
import { OVERVIEW_DIMENSIONS, viewFilters, dateRange, type GlobalFilters } from '../../filters/filters.ts';

/** The aging view: AR at each month end per configured bucket (a rollup by region and product line). */
export const AGING_VIEW = 'aging';

/** AR per aging bucket at each month end, stacked; the buckets are the build's (arlens.config.yaml). */
export function agingTrendQuery(f: GlobalFilters): Query {
  const range = dateRange(f);
  const v = AGING_VIEW;
  return {
    measures: [`${v}.total_ar`],
    dimensions: [`${v}.aging_bucket`, `${v}.aging_bucket_order`],
    timeDimensions: [
      { dimension: `${v}.month`, granularity: 'month', ...(range ? { dateRange: range } : {}) },
    ],
    filters: viewFilters(v, f, OVERVIEW_DIMENSIONS),
    order: { [`${v}.month`]: 'asc', [`${v}.aging_bucket_order`]: 'asc' },
  };
}
