import type { Query } from '@cubejs-client/core';
import { monthlyQuery, OVERVIEW_DIMENSIONS, type GlobalFilters } from '../../filters/filters.ts';

/** DSO by month: standard, countback and best-possible (the switch picks standard or countback). */
export function dsoTrendQuery(f: GlobalFilters): Query {
  return monthlyQuery('cfo_overview', ['dso', 'countback_dso', 'best_possible_dso'], f, OVERVIEW_DIMENSIONS);
}
