/** A widget's state (loading, ready, error) from the state of the Cube queries it shows. Pure. */

export interface Loading {
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

/** Several queries shown as one: an error in any, loading while any loads, else ready. */
export function combinedStatus(...parts: readonly Loading[]): 'loading' | 'ready' | 'error' {
  if (parts.some((p) => p.status === 'error')) return 'error';
  return parts.some((p) => p.status === 'loading') ? 'loading' : 'ready';
}
