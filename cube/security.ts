/**
 * Who may ask Cube what. Every request carries a JWT (HS256, signed with the server's secret, with an
 * expiry); its claims name a role, and the role decides which views may be queried and which rows
 * come back. Row filters are added to every query by `rewriteQuery`, whatever the query asks: a
 * filter the client sends for another region is ANDed with the role's own, so it can only narrow.
 *
 * Which views and rows each role has is declared once, in auth/policy.ts (ROLE_POLICY):
 *
 *   admin           no view (runs the installation, sees no receivables)
 *   cfo, analyst,   every view, every row (read-only: the semantic layer has no writes)
 *   credit_manager
 *   sales_lead      every view with a region, rows of the token's regions only
 *   collector       the collection views, rows of the token's portfolio (credit controller) only
 */
import { createRequire } from 'node:module';
import type * as CubeApiGateway from '@cubejs-backend/api-gateway';
import { ROLE_POLICY, ROLES, type RowScope } from '../auth/policy.ts';
import { readToken, type Role, type SecurityContext } from '../auth/tokens.ts';

export { ROLES, signToken, type Role, type SecurityContext } from '../auth/tokens.ts';

/** Views each role may query (`'all'`: every view), from auth/policy.ts. Cubes are never queried directly. */
export const ROLE_VIEWS: Readonly<Record<Role, 'all' | readonly string[]>> = Object.fromEntries(
  ROLES.map((r) => [r, ROLE_POLICY[r].views]),
) as Record<Role, 'all' | readonly string[]>;

/** Whether `context`'s role may query `view`. */
export function mayQueryView(context: SecurityContext, view: string): boolean {
  const allowed = ROLE_VIEWS[context.role];
  return allowed === 'all' || allowed.includes(view);
}

/** The dimension each restricted role is filtered on, present in every view the role may query. */
const ROW_FILTER: Partial<Record<RowScope, { member: string; values: (c: SecurityContext) => string[] }>> = {
  regions: { member: 'region', values: (c) => (c.role === 'sales_lead' ? c.regions : []) },
  portfolio: { member: 'credit_controller', values: (c) => (c.role === 'collector' ? [c.portfolio] : []) },
};

const { CubejsHandlerError } = createRequire(import.meta.url)(
  '@cubejs-backend/api-gateway',
) as typeof CubeApiGateway;

/** Name of every access-denied error (the server's log leaves them out; the client gets the reason). */
export const ACCESS_DENIED = 'AccessDenied';

function forbidden(message: string): Error {
  const e = new CubejsHandlerError(403, 'Forbidden', message);
  e.name = ACCESS_DENIED;
  return e;
}

/** A 400 for a query Cube must not run (e.g. a time zone that is not one). */
export function badRequest(message: string): Error {
  return new CubejsHandlerError(400, 'Bad Request', message);
}

/** Verify a bearer token and return its security context; any doubt is a 403. */
export async function verifyToken(
  secret: string,
  authorization: string | undefined,
): Promise<SecurityContext> {
  const result = await readToken(secret, authorization);
  if (!result.ok) throw forbidden(result.reason);
  return result.context;
}

interface Filter {
  member?: string;
  dimension?: string;
  operator?: string;
  values?: string[];
  and?: Filter[];
  or?: Filter[];
}

export interface CubeQuery {
  measures?: string[];
  dimensions?: string[];
  segments?: string[];
  timeDimensions?: { dimension: string }[];
  filters?: Filter[];
  order?: [string, string][] | Record<string, string>;
  [key: string]: unknown;
}

/** Every member a query names, anywhere (measures, dimensions, filters at any depth, order, …). */
export function queryMembers(query: CubeQuery): string[] {
  const out: string[] = [...(query.measures ?? []), ...(query.dimensions ?? []), ...(query.segments ?? [])];
  for (const t of query.timeDimensions ?? []) out.push(t.dimension);
  const walk = (filters: Filter[]) => {
    for (const f of filters) {
      if (f.member) out.push(f.member);
      if (f.dimension) out.push(f.dimension);
      if (f.and) walk(f.and);
      if (f.or) walk(f.or);
    }
  };
  walk(query.filters ?? []);
  const order = query.order ?? [];
  out.push(...(Array.isArray(order) ? order.map(([m]) => m) : Object.keys(order)));
  return out;
}

/**
 * The query the role may run: rejects members outside the role's views (or of cubes), and ANDs the
 * role's row filter onto every view the query touches.
 */
export function rewriteQuery(
  query: CubeQuery,
  context: SecurityContext,
  views: ReadonlySet<string>,
): CubeQuery {
  const allowed = ROLE_VIEWS[context.role];
  const touched = new Set<string>();
  for (const member of queryMembers(query)) {
    const view = member.split('.')[0] ?? '';
    if (!views.has(view)) throw forbidden(`${member}: query the views (${[...views].sort().join(', ')}).`);
    if (allowed !== 'all' && !allowed.includes(view)) {
      throw forbidden(`${member}: the ${context.role} role cannot query ${view}.`);
    }
    touched.add(view);
  }
  const rule = ROW_FILTER[ROLE_POLICY[context.role].rows];
  if (!rule) return query;
  const values = rule.values(context);
  const filters: Filter[] = [...(query.filters ?? [])];
  for (const view of [...touched].sort()) {
    filters.push({ member: `${view}.${rule.member}`, operator: 'equals', values });
  }
  return { ...query, filters };
}
