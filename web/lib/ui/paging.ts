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
