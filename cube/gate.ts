/**
 * The door in front of Cube's REST API. Only the four endpoints ARLens uses are open; every other
 * Cube route (GraphQL, subscribe, cubesql, pre-aggregation jobs, run-scheduled-refresh, …) is 404.
 * Each request is authenticated here, and its query is checked field by field (cube/query-guard.ts)
 * and replaced by the checked copy before Cube parses it. Cube then authenticates again and adds
 * the role's row filter (cube/security.ts): two locks, either of which alone keeps other rows out.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { checkQuery, QueryRejected, requestQuery, type MemberCatalog } from './query-guard.ts';
import { mayQueryView, verifyToken } from './security.ts';

/** Endpoint (under the base path) -> the methods it answers. */
export const OPEN_ROUTES: Readonly<Record<string, readonly string[]>> = {
  '/v1/load': ['GET', 'POST'],
  '/v1/sql': ['GET', 'POST'],
  '/v1/dry-run': ['GET', 'POST'],
  '/v1/meta': ['GET'],
};

/** The parameters of a URL, refusing repeats (`?query=a&query=b`) so no parser can pick another. */
function uniqueParams(url: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(url, 'http://localhost').searchParams) {
    if (k in out) throw new QueryRejected(400, `${k}: given twice.`);
    out[k] = v;
  }
  return out;
}

export function cubeGate(basePath: string, secret: string, catalog: () => MemberCatalog): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const path = req.path.startsWith(`${basePath}/`) ? req.path.slice(basePath.length) : '';
    const methods = OPEN_ROUTES[path];
    if (!methods) {
      res.status(404).json({
        error: `No such API: ${basePath}${path}. ARLens answers ${Object.keys(OPEN_ROUTES)
          .map((p) => basePath + p)
          .join(', ')}.`,
      });
      return;
    }
    if (!methods.includes(req.method)) {
      res.status(405).json({ error: `${basePath}${path} answers ${methods.join(' and ')} only.` });
      return;
    }
    void (async () => {
      const context = await verifyToken(secret, req.headers.authorization).catch((e: unknown) => {
        res.status(403).json({ error: (e as Error).message });
        return undefined;
      });
      if (!context) return;
      if (path === '/v1/meta') {
        next();
        return;
      }
      try {
        const params = uniqueParams(req.originalUrl);
        const query = requestQuery(req.method, params, req.body);
        const checked = checkQuery(query, catalog(), (view) => mayQueryView(context, view));
        const queryType = (req.method === 'POST' ? (req.body as Record<string, unknown>) : params)[
          'queryType'
        ];
        const clean = { query: checked, ...(queryType === undefined ? {} : { queryType }) };
        if (req.method === 'POST') req.body = clean;
        else
          Object.defineProperty(req, 'query', {
            value: { ...clean, query: JSON.stringify(checked) },
            configurable: true,
            enumerable: true,
            writable: true,
          });
      } catch (e) {
        if (!(e instanceof QueryRejected)) throw e;
        res.status(e.status).json({ error: e.message });
        return;
      }
      next();
    })().catch(next);
  };
}

/** A request body that is not JSON gets a plain 400, not Express's HTML page with a stack. */
export function badJsonBody(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (
    err &&
    typeof err === 'object' &&
    'type' in err &&
    (err as { type: string }).type === 'entity.parse.failed'
  ) {
    res.status(400).json({ error: 'The request body is not valid JSON.' });
    return;
  }
  if (
    err &&
    typeof err === 'object' &&
    'type' in err &&
    (err as { type: string }).type === 'entity.too.large'
  ) {
    res.status(413).json({ error: 'The request body is too large (1 MB at most).' });
    return;
  }
  next(err);
}
