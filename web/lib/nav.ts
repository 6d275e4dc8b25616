/**
 * Navigation inside the app goes through SvelteKit's `resolve` (base path). App paths built at run
 * time (with the global filters' query string) are typed as a root path for `resolve`, which keeps
 * them as they are after the base.
 */
import { goto } from '$app/navigation';
import { resolve } from '$app/paths';

/** An app path with its query ('/customers/42', '?region=EMEA') for `resolve`. */
export function appPath(path: string, query = ''): '/' {
  return `${path}${query}` as '/';
}

/** Replace the current URL's query (no new history entry, keep focus and scroll). */
export function replaceQuery(pathname: string, params: URLSearchParams): Promise<void> {
  const qs = params.toString();
  return goto(resolve(appPath(pathname, qs ? `?${qs}` : '')), {
    keepFocus: true,
    noScroll: true,
    replaceState: true,
  });
}
