/**
 * The customers list: one row per customer from the customer_risk view (every role may query it, and
 * Cube narrows it to the role's regions or portfolio), searched, sorted and paged. Pure.
 */
import type { Filter, Query } from '@cubejs-client/core';
import { viewFilters, type GlobalFilters } from '../filters/filters.ts';
import { PAGE_SIZE } from '../ui/paging.ts';

const V = 'customer_risk';

export const LIST_PAGE_SIZE = PAGE_SIZE;

export const LIST_SORTS = ['open_ar', 'overdue_ar', 'utilisation', 'name'] as const;
export type ListSort = (typeof LIST_SORTS)[number];
export type SortDir = 'asc' | 'desc';

const SORT_MEMBER: Record<ListSort, string> = {
  open_ar: `${V}.open_ar`,
  overdue_ar: `${V}.overdue_ar`,
  utilisation: `${V}.credit_utilisation`,
  name: `${V}.customer_name`,
};

/** The direction a column sorts in first: amounts largest first, names A to Z. */
export function defaultDir(sort: ListSort): SortDir {
  return sort === 'name' ? 'asc' : 'desc';
}

/** The list's own parameters (beside the global filters), as held in the URL. */
export interface ListParams {
  /** Search text: part of the name or of the customer number. */
  readonly q: string;
  readonly sort: ListSort;
  readonly dir: SortDir;
  /** 1-based page. */
  readonly page: number;
}

export const DEFAULT_LIST: ListParams = { q: '', sort: 'open_ar', dir: 'desc', page: 1 };

/** Longest search text sent to Cube. */
const MAX_SEARCH = 100;

/** The list parameters in a URL (`q`, `sort`, `dir`, `page`); bad values fall back to defaults. */
export function listParams(params: URLSearchParams): ListParams {
  const sortRaw = params.get('sort');
  const sort = (LIST_SORTS as readonly string[]).includes(sortRaw ?? '') ? (sortRaw as ListSort) : 'open_ar';
  const dirRaw = params.get('dir');
  const page = Number(params.get('page'));
  return {
    q: (params.get('q') ?? '').trim().slice(0, MAX_SEARCH),
    sort,
    dir: dirRaw === 'asc' || dirRaw === 'desc' ? dirRaw : defaultDir(sort),
    page: Number.isInteger(page) && page >= 1 ? page : 1,
  };
}

/** `params` with the list parameters set to `p` (defaults left out; other parameters kept). */
export function listParamsToUrl(p: ListParams, params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (name: string, value: string, omit: boolean) => {
    if (omit) next.delete(name);
    else next.set(name, value);
  };
  set('q', p.q, p.q === '');
  set('sort', p.sort, p.sort === DEFAULT_LIST.sort);
  set('dir', p.dir, p.dir === defaultDir(p.sort));
  set('page', String(p.page), p.page === 1);
  return next;
}

/** The list after a click on a column's sort button: the other direction, or the column's own first. */
export function sortedBy(p: ListParams, sort: ListSort): ListParams {
  const dir = p.sort === sort ? (p.dir === 'asc' ? 'desc' : 'asc') : defaultDir(sort);
  return { ...p, sort, dir, page: 1 };
}

/** A column header's aria-sort: only the column the list is sorted by has one. */
export function ariaSort(p: ListParams, sort: ListSort | null): 'ascending' | 'descending' | undefined {
  return sort !== null && p.sort === sort ? (p.dir === 'asc' ? 'ascending' : 'descending') : undefined;
}

/** Customers whose name or number contains the search text (case-insensitive); none when empty. */
export function searchFilters(q: string): Filter[] {
  const text = q.trim();
  if (!text) return [];
  return [
    {
      or: [
        { member: `${V}.customer_name`, operator: 'contains', values: [text] },
        { member: `${V}.customer_id`, operator: 'contains', values: [text] },
      ],
    },
  ];
}

function listFilters(f: GlobalFilters, p: ListParams): Filter[] {
  // customer_risk has a region but no product line or currency: those global filters do not apply.
  return [...viewFilters(V, f, ['region']), ...searchFilters(p.q)];
}

/** The global filters that cannot narrow the customers list (the page says so). */
export function unappliedFilters(f: GlobalFilters): ('productLine' | 'currency' | 'dates')[] {
  const out: ('productLine' | 'currency' | 'dates')[] = [];
  if (f.productLine) out.push('productLine');
  if (f.currency) out.push('currency');
  if (f.from || f.to) out.push('dates');
  return out;
}

export const LIST_DIMENSIONS = [
  `${V}.customer_id`,
  `${V}.customer_name`,
  `${V}.region`,
  `${V}.segment`,
  `${V}.status`,
  `${V}.credit_utilisation`,
  `${V}.is_over_limit`,
  `${V}.risk_band`,
] as const;

/** One page of customers, sorted by the chosen column (then by number, so pages are stable). */
export function customerListQuery(f: GlobalFilters, p: ListParams): Query {
  return {
    dimensions: [...LIST_DIMENSIONS],
    measures: [`${V}.open_ar`, `${V}.overdue_ar`, `${V}.total_credit_limit`],
    filters: listFilters(f, p),
    order: [
      [SORT_MEMBER[p.sort], p.dir],
      [`${V}.customer_id`, 'asc'],
    ],
    limit: LIST_PAGE_SIZE,
    offset: (p.page - 1) * LIST_PAGE_SIZE,
  };
}

/** How many customers match (for "x–y of n" and the pages). */
export function customerCountQuery(f: GlobalFilters, p: ListParams): Query {
  return { measures: [`${V}.count`], filters: listFilters(f, p) };
}
