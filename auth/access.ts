/**
 * Who may open what, from the one declaration (auth/policy.ts). The hooks (web/hooks.server.ts), the
 * pages' layout (web/routes/(app)/+layout.server.ts), the menu (web/routes/+layout.svelte) and the API
 * (server/index.ts) all ask `mayOpen`, nothing else decides. A test walks every route file and every
 * role against the table (tests/security/web-access.test.ts). Pure.
 */
import { PUBLIC_ROUTES, ROUTE_ROLES, type Role } from './policy.ts';

export { mayDo, PUBLIC_ROUTES, ROLE_POLICY, ROUTE_ROLES } from './policy.ts';

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
