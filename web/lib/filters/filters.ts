/**
 * The dashboard's global filters (shared by every page, held in the URL) and how they become Cube
 * filters on a view. Pure: no Svelte, no fetch.
 */
import type { Filter, Query } from '@cubejs-client/core';
import { addMonths, firstOfMonth, formatDay, parseDay } from '../../../core/calendar.ts';
import type { AgingConfig } from '../aging/buckets.ts';

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

/** What the pickers offer (web/lib/server/options.ts reads it from the marts). */
export interface FilterOptions {
  readonly regions: string[];
  readonly productLines: string[];
  readonly currencies: string[];
  readonly controllers: string[];
  /** First and last month with data ('YYYY-MM-01'), and the as-of date. */
  readonly firstMonth: string | null;
  readonly lastMonth: string | null;
  readonly asOf: string | null;
  readonly reportingCurrency: string;
  /** The aging basis and buckets the build used (empty before a build wrote them). */
  readonly aging: AgingConfig;
}

/** URL search-param names of the global filters (every page reads and writes the same ones). */
const PARAMS: Record<keyof GlobalFilters, string> = {
  region: 'region',
  productLine: 'pl',
  currency: 'cur',
  from: 'from',
  to: 'to',
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The global filters held in a URL. Unknown or malformed values are ignored. */
export function filtersFromUrl(params: URLSearchParams): GlobalFilters {
  const out: Record<string, string> = {};
  for (const [key, name] of Object.entries(PARAMS)) {
    const v = params.get(name);
    if (!v) continue;
    if ((key === 'from' || key === 'to') && !DATE.test(v)) continue;
    out[key] = v;
  }
  return out as GlobalFilters;
}

/** `params` with the global filters replaced by `f` (other parameters kept). */
export function filtersToUrl(
  f: GlobalFilters,
  params: URLSearchParams = new URLSearchParams(),
): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [key, name] of Object.entries(PARAMS)) {
    const v = f[key as keyof GlobalFilters];
    if (v) next.set(name, v);
    else next.delete(name);
  }
  return next;
}

/** Only the global-filter part of a query string, for links between pages. */
export function filterQueryString(params: URLSearchParams): string {
  const s = filtersToUrl(filtersFromUrl(params)).toString();
  return s ? `?${s}` : '';
}

/** Every month start from `first` to `last` ('YYYY-MM-01'), in order; empty when either is missing. */
export function monthsBetween(first: string | null, last: string | null): string[] {
  if (!first || !last) return [];
  const end = firstOfMonth(parseDay(last));
  const out: string[] = [];
  for (let m = firstOfMonth(parseDay(first)); m <= end; m = addMonths(m, 1)) out.push(formatDay(m));
  return out;
}
