/**
 * The dashboard's global filters (shared by every page, held in the URL) and how they become Cube
 * filters on a view. Pure: no Svelte, no fetch.
 */
import type { Filter, Query } from '@cubejs-client/core';

export interface GlobalFilters {
  /** One region, or all when absent. */
  readonly region?: string;
  /** One product line, or all when absent. */
  readonly productLine?: string;
  /** Invoice currency (views with a currency dimension only). */
  readonly currency?: string;
  /** First month shown, 'YYYY-MM-DD' (inclusive). */
  readonly from?: string;
  /** Last day shown, 'YYYY-MM-DD' (inclusive). */
  readonly to?: string;
}

const MEMBER: Record<'region' | 'productLine' | 'currency', string> = {
  region: 'region',
  productLine: 'product_line',
  currency: 'currency',
};

/**
 * Filters for `view`: one `equals` filter per set global filter whose dimension the view has
 * (`dimensions` lists them). Single values, so Cube can answer from rollups keyed by that dimension.
 */
export function viewFilters(view: string, f: GlobalFilters, dimensions: readonly string[]): Filter[] {
  const out: Filter[] = [];
  for (const key of ['region', 'productLine', 'currency'] as const) {
    const value = f[key];
    const member = MEMBER[key];
    if (value && dimensions.includes(member)) {
      out.push({ member: `${view}.${member}`, operator: 'equals', values: [value] });
    }
  }
  return out;
}

/** Cube date range from the filters ('from'/'to'), or undefined for all time. */
export function dateRange(f: GlobalFilters): [string, string] | undefined {
  if (!f.from && !f.to) return undefined;
  return [f.from ?? '2000-01-01', f.to ?? '2999-12-31'];
}

/** A monthly query on `view`.month with the global filters applied. */
export function monthlyQuery(
  view: string,
  measures: readonly string[],
  f: GlobalFilters,
  dimensions: readonly string[],
): Query {
  const range = dateRange(f);
  return {
    measures: measures.map((m) => `${view}.${m}`),
    timeDimensions: [
      { dimension: `${view}.month`, granularity: 'month', ...(range ? { dateRange: range } : {}) },
    ],
    filters: viewFilters(view, f, dimensions),
    order: { [`${view}.month`]: 'asc' },
  };
}

/** Dimensions of cfo_overview the global filters can apply to. */
export const OVERVIEW_DIMENSIONS = ['region', 'product_line'] as const;
