/** Paging of the dashboard's long lists (customers, the collections worklist). Pure. */

/** Rows per page unless a list says otherwise. */
export const PAGE_SIZE = 50;

export interface PageInfo {
  /** 1-based index of the first and last row shown (0 and 0 when nothing matches). */
  readonly first: number;
  readonly last: number;
  readonly total: number;
  readonly pages: number;
  readonly page: number;
  readonly hasPrevious: boolean;
  readonly hasNext: boolean;
}

/** Where a page sits among `total` rows. */
export function pageInfo(page: number, total: number, pageSize = PAGE_SIZE): PageInfo {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = (page - 1) * pageSize + 1;
  const shown = first <= total;
  return {
    first: shown ? first : 0,
    last: shown ? Math.min(total, page * pageSize) : 0,
    total,
    pages,
    page,
    hasPrevious: page > 1,
    hasNext: page < pages,
  };
}

interface Loading {
  readonly status: 'loading' | 'ready' | 'error';
}

/**
 * A paged list's state for Card: an error in any of its queries; loading only until the first page
 * is there (a new page keeps the rows shown, dimmed, until it arrives); otherwise ready.
 */
export function pagedStatus(
  list: Loading & { readonly rows: readonly unknown[] },
  ...others: readonly Loading[]
): 'loading' | 'ready' | 'error' {
  if (list.status === 'error' || others.some((o) => o.status === 'error')) return 'error';
  return list.status === 'loading' && list.rows.length === 0 ? 'loading' : 'ready';
}
