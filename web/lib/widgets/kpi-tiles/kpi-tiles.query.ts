import type { Query } from '@cubejs-client/core';
import { monthlyQuery, OVERVIEW_DIMENSIONS, type GlobalFilters } from '../../filters/filters.ts';

/** The Overview's KPI tiles, per month (the last two months give the period-over-period change). */
export const KPI_TILE_MEASURES = [
  'total_ar',
  'overdue_ratio',
  'dso',
  'best_possible_dso',
  'cei',
  'bad_debt_rate',
] as const;

export function kpiTilesQuery(f: GlobalFilters): Query {
  return monthlyQuery('cfo_overview', KPI_TILE_MEASURES, f, OVERVIEW_DIMENSIONS);
}
