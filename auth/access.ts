/**
 * Who may open what: the one table of route → roles for the dashboard's pages and the JSON API.
 * The hooks (web/hooks.server.ts), the pages' layout (web/routes/(app)/+layout.server.ts), the menu
 * (web/routes/+layout.svelte) and the API (server/index.ts) all ask `mayOpen`, nothing else decides.
 * A route missing from the table is refused to everyone; a test walks every route file and every
 * role against this table (tests/security/web-access.test.ts).
 *
 * Keys are SvelteKit route ids without groups ('/customers/[id]', not '/(app)/customers/[id]') and
 * API paths. A new role (issue 15's `admin`) is added to ROLES in cube/tokens.ts and to the lists
 * here. Pure: no Node or SvelteKit imports, so the browser bundle can use it for the menu.
 */
import type { Role } from '../cube/tokens.ts';

const EVERYONE: readonly Role[] = ['cfo', 'sales_lead', 'analyst', 'collector'];
const MANAGEMENT: readonly Role[] = ['cfo', 'sales_lead', 'analyst'];
/** Every region's load history and rejected raw values. */
const DATA_STEWARDS: readonly Role[] = ['cfo', 'analyst'];

export const ROUTE_ROLES: Readonly<Record<string, readonly Role[]>> = {
  '/': MANAGEMENT,
  '/credit': MANAGEMENT,
  '/explore': MANAGEMENT,
  '/customers': EVERYONE,
  '/customers/[id]': EVERYONE,
  '/collections': EVERYONE,
  '/risk': EVERYONE,
  '/data': DATA_STEWARDS,
  '/api/status': DATA_STEWARDS,
  '/api/quarantine': DATA_STEWARDS,
};

/** Open without signing in: the sign-in flow, the language switch, and the health probe. */
export const PUBLIC_ROUTES: readonly string[] = ['/signin', '/signout', '/lang', '/api/health'];

/** A SvelteKit route id ('/(app)/customers/[id]') as a key of the table ('/customers/[id]'). */
export function routeKey(routeId: string): string {
  const key = routeId.replace(/\/\([^)]+\)/g, '');
  return key === '' ? '/' : key;
}

export function isPublic(route: string): boolean {
  return PUBLIC_ROUTES.includes(routeKey(route));
}

/** True when `role` may open `route` (a route id or API path); unknown routes are nobody's. */
export function mayOpen(role: Role, route: string): boolean {
  const key = routeKey(route);
  return Object.hasOwn(ROUTE_ROLES, key) && ROUTE_ROLES[key]!.includes(role);
}
