/**
 * The credit API: POST /api/credit-checks (an order → approve / hold / escalate with reasons),
 * GET /api/credit-decisions (the decision history for the ERP, JSON or CSV) and GET
 * /api/credit-limits (the limits in the canonical CSV or SAP's layout). HTTP only: the rules, the
 * store and the audit are credit/'s. A check needs a token (Authorization: Bearer): the API takes no
 * state-changing request on the strength of a browser's cookie, so no other site can make one.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecurityContext } from '../auth/tokens.ts';
import { CreditError, type CreditActor } from '../credit/actor.ts';
import { isBlacklisted } from '../credit/blacklist.store.ts';
import {
  checkOrder,
  decisionJson,
  listDecisions,
  parseOrder,
  type DecisionStatus,
} from '../credit/checks.store.ts';
import { decisionsCsv, LIMIT_LAYOUTS, limitsCsv, type LimitLayout } from '../credit/export.ts';
import { limitExportRows } from '../credit/limits.ts';
import type { CreditService } from '../credit/service.ts';

const MAX_BODY = 64 * 1024;

export function creditActor(caller: SecurityContext, address: string | null): CreditActor {
  return {
    id: caller.uid ?? null,
    name: caller.name ?? `token:${caller.role}`,
    address,
    role: caller.role,
    regions: caller.role === 'sales_lead' ? caller.regions : [],
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new CreditError('bad_body', 'Send the order as JSON (Content-Type: application/json).', 415);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new CreditError('bad_body', 'The request body is larger than 64 KiB.', 413);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new CreditError('bad_body', 'The request body is not valid JSON.');
  }
}

type Send = (res: ServerResponse, code: number, body: unknown, headers?: Record<string, string>) => void;

const STATUSES: readonly DecisionStatus[] = [
  'approved',
  'held',
  'escalated',
  'released',
  'rejected',
  'rechecked',
];

/** Answer a credit API request; false when `path` is not one of them. */
export async function creditApi(
  credit: CreditService,
  path: string,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  caller: SecurityContext,
  send: Send,
): Promise<boolean> {
  const fail = (e: unknown) => {
    if (e instanceof CreditError) {
      send(res, e.status, { error: e.message, code: e.code });
      return true;
    }
    throw e;
  };
  switch (path) {
    case '/api/credit-checks': {
      if (req.method !== 'POST') {
        send(res, 405, { error: 'POST an order to check it.' }, { allow: 'POST' });
        return true;
      }
      if (!req.headers.authorization) {
        send(res, 403, { error: 'A credit check needs an API token (Authorization: Bearer <token>).' });
        return true;
      }
      try {
        const order = parseOrder(await readJson(req));
        const snapshot = await credit.snapshot();
        const d = checkOrder(
          credit.ops,
          creditActor(caller, req.socket.remoteAddress ?? null),
          credit.policy,
          snapshot,
          order,
          { source: 'api' },
        );
        send(res, 200, decisionJson(d));
      } catch (e) {
        return fail(e);
      }
      return true;
    }
    case '/api/credit-decisions': {
      try {
        const status = (url.searchParams.get('status') ?? '')
          .split(',')
          .filter((s) => s !== '')
          .map((s) => {
            if (!(STATUSES as readonly string[]).includes(s)) {
              throw new CreditError('bad_field', `status is one or more of ${STATUSES.join(', ')}.`);
            }
            return s as DecisionStatus;
          });
        const since = url.searchParams.get('since');
        if (since !== null && !/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(since)) {
          throw new CreditError('bad_field', 'since is a date (YYYY-MM-DD) or a UTC time (…T…Z).');
        }
        const customerId = url.searchParams.get('customer_id');
        const limit = Number(url.searchParams.get('limit') ?? 1000);
        const offset = Number(url.searchParams.get('offset') ?? 0);
        if (!Number.isInteger(limit) || !Number.isInteger(offset) || limit < 1 || offset < 0) {
          throw new CreditError('bad_field', 'limit and offset are whole numbers (limit at least 1).');
        }
        const page = listDecisions(credit.ops, {
          status,
          ...(since ? { since } : {}),
          ...(customerId ? { customerId } : {}),
          limit,
          offset,
        });
        if (url.searchParams.get('format') === 'csv') {
          res.writeHead(200, {
            'content-type': 'text/csv; charset=utf-8',
            'content-disposition': 'attachment; filename="credit-decisions.csv"',
            'cache-control': 'no-store',
          });
          res.end(decisionsCsv(page.rows, (id) => isBlacklisted(credit.ops, id)));
          return true;
        }
        send(res, 200, { total: page.total, decisions: page.rows.map(decisionJson) });
      } catch (e) {
        return fail(e);
      }
      return true;
    }
    case '/api/credit-limits': {
      const layout = url.searchParams.get('layout') ?? 'canonical';
      if (!(LIMIT_LAYOUTS as readonly string[]).includes(layout)) {
        send(res, 400, { error: `layout is one of ${LIMIT_LAYOUTS.join(', ')}.`, code: 'bad_field' });
        return true;
      }
      const rows = limitExportRows(credit.ops, await credit.snapshot());
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="credit-limits-${layout}.csv"`,
        'cache-control': 'no-store',
      });
      res.end(limitsCsv(rows, layout as LimitLayout));
      return true;
    }
    default:
      return false;
  }
}
