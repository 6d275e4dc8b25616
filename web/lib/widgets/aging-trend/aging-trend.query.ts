import type { Query } from '@cubejs-client/core';
import { monthlyQuery, OVERVIEW_DIMENSIONS, type GlobalFilters } from '../../filters/filters.ts';

/** Aging buckets at each month end, stacked. */
export const AGING_MEASURES = [
  'current_ar',
  'ar_1_30',
  'ar_31_60',
  'ar_61_90',
  'ar_91_180',
  'ar_over_180',
] as const;

export function agingTrendQuery(f: GlobalFilters): Query {
  return monthlyQuery('cfo_overview', AGING_MEASURES, f, OVERVIEW_DIMENSIONS);
}
