/**
 * Stop-credit: the blacklist, under a two-person rule. A credit manager proposes putting a customer
 * on it (malicious default, fraud, insolvency) or taking one off; a CFO — a different person —
 * confirms or refuses. Nothing changes on a proposal alone, so no single person blacklists or
 * un-blacklists. A blacklisted customer's orders are always held (decide.ts), and its holds cannot
 * be released (checks.store.ts).
 */
import { mayDo } from '../auth/policy.ts';
import { appendAudit } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import { stmt } from './sql.ts';
import { CreditError, type CreditActor } from './actor.ts';
import { cleanId, cleanText } from './text.ts';

export const BLACKLIST_CATEGORIES = ['malicious_default', 'fraud', 'insolvency', 'other'] as const;
export type BlacklistCategory = (typeof BLACKLIST_CATEGORIES)[number];

export interface BlacklistRequest {
  readonly id: number;
  readonly customerId: string;
  readonly action: 'add' | 'remove';
  readonly category: string;
  readonly reason: string;
  readonly status: 'pending' | 'confirmed' | 'refused' | 'withdrawn';
  readonly proposedById: number | null;
  readonly proposedBy: string;
  readonly proposedAt: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
}

export interface BlacklistEntry {
  readonly customerId: string;
  readonly category: string;
  readonly reason: string;
  readonly since: string;
  readonly requestId: number;
}

interface ReqRow {
  id: number;
  customer_id: string;
  action: 'add' | 'remove';
  category: string;
  reason: string;
  status: BlacklistRequest['status'];
  proposed_by_id: number | null;
  proposed_by: string;
  proposed_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_note: string | null;
}

const reqFromRow = (r: ReqRow): BlacklistRequest => ({
  id: r.id,
  customerId: r.customer_id,
  action: r.action,
  category: r.category,
  reason: r.reason,
  status: r.status,
  proposedById: r.proposed_by_id,
  proposedBy: r.proposed_by,
  proposedAt: r.proposed_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  decisionNote: r.decision_note,
});

export function isBlacklisted(store: OpsStore, customerId: string): boolean {
  return stmt(store, 'SELECT 1 FROM credit_blacklist WHERE customer_id = ?').get(customerId) !== undefined;
}

export function blacklist(store: OpsStore): BlacklistEntry[] {
  return (
    stmt(store, 'SELECT * FROM credit_blacklist ORDER BY since DESC').all() as {
      customer_id: string;
      category: string;
      reason: string;
      since: string;
      request_id: number;
    }[]
  ).map((r) => ({
    customerId: r.customer_id,
    category: r.category,
    reason: r.reason,
    since: r.since,
    requestId: r.request_id,
  }));
}

export function blacklistRequests(store: OpsStore, status: BlacklistRequest['status'] | 'all' = 'pending') {
  return (
    stmt(
      store,
      `SELECT * FROM credit_blacklist_requests WHERE (? = 'all' OR status = ?) ORDER BY id DESC`,
    ).all(status, status) as unknown as ReqRow[]
  ).map(reqFromRow);
}

function audited<T>(store: OpsStore, actor: CreditActor, action: string, target: string, fn: () => T): T {
  try {
    return store.write(fn);
  } catch (e) {
    if (e instanceof CreditError) {
      appendAudit(store, actor, {
        action: `${action}.refused`,
        target,
        after: { code: e.code, role: actor.role },
      });
    }
    throw e;
  }
}

/** A credit manager proposes adding (`add`) or lifting (`remove`) a blacklisting. */
export function proposeBlacklist(
  store: OpsStore,
  actor: CreditActor,
  input: { customerId: unknown; action: 'add' | 'remove'; category?: unknown; reason: unknown },
): BlacklistRequest {
  const target = `customer:${String(input.customerId).slice(0, 64)}`;
  return audited(store, actor, 'credit.blacklist.propose', target, () => {
    if (!mayDo(actor.role, 'credit.blacklist.propose')) {
      throw new CreditError(
        'role_cannot_propose',
        'A credit manager proposes blacklisting (a CFO confirms).',
        403,
      );
    }
    if (actor.id === null)
      throw new CreditError('no_account', 'A proposal must be signed by a named user.', 403);
    const customerId = cleanId(input.customerId, 'customer id');
    if (input.action !== 'add' && input.action !== 'remove')
      throw new CreditError('bad_field', 'Add or remove.');
    const category = input.action === 'add' ? String(input.category ?? '') : 'lift';
    if (input.action === 'add' && !(BLACKLIST_CATEGORIES as readonly string[]).includes(category)) {
      throw new CreditError('bad_field', `The category is one of ${BLACKLIST_CATEGORIES.join(', ')}.`);
    }
    const reason = cleanText(input.reason, 'reason');
    const listed = isBlacklisted(store, customerId);
    if (input.action === 'add' && listed)
      throw new CreditError('already_blacklisted', 'Already blacklisted.', 409);
    if (input.action === 'remove' && !listed)
      throw new CreditError('not_blacklisted', 'Not blacklisted.', 409);
    const pending = stmt(
      store,
      `SELECT id FROM credit_blacklist_requests WHERE customer_id = ? AND status = 'pending'`,
    ).get(customerId);
    if (pending)
      throw new CreditError('pending_exists', 'A proposal for this customer is already pending.', 409);
    const { lastInsertRowid } = stmt(
      store,
      `INSERT INTO credit_blacklist_requests (customer_id, action, category, reason, status, proposed_by_id,
           proposed_by, proposed_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
    ).run(customerId, input.action, category, reason, actor.id, actor.name, new Date().toISOString());
    const req = getBlacklistRequest(store, Number(lastInsertRowid))!;
    appendAudit(store, actor, {
      action: 'credit.blacklist.propose',
      target: `customer:${customerId}`,
      after: { request: req.id, action: req.action, category, reason },
    });
    return req;
  });
}

export function getBlacklistRequest(store: OpsStore, id: number): BlacklistRequest | null {
  const r = stmt(store, 'SELECT * FROM credit_blacklist_requests WHERE id = ?').get(id) as ReqRow | undefined;
  return r ? reqFromRow(r) : null;
}

/** A CFO other than the proposer confirms (`confirm`) or refuses (`refuse`) a proposal. */
export function decideBlacklist(
  store: OpsStore,
  actor: CreditActor,
  id: number,
  decision: 'confirm' | 'refuse',
  note?: unknown,
): BlacklistRequest {
  return audited(store, actor, `credit.blacklist.${decision}`, `credit_blacklist_request:${id}`, () => {
    const text = cleanText(note, 'note', 2000, decision === 'refuse');
    const req = getBlacklistRequest(store, id);
    if (!req) throw new CreditError('no_such_request', `No blacklist proposal ${id}.`, 404);
    if (req.status !== 'pending')
      throw new CreditError('not_pending', 'This proposal is no longer pending.', 409);
    if (!mayDo(actor.role, 'credit.blacklist.confirm')) {
      throw new CreditError('role_cannot_confirm', 'A CFO confirms or refuses a blacklist proposal.', 403);
    }
    if (actor.id === null || actor.id === req.proposedById) {
      throw new CreditError(
        'own_request',
        'The proposer cannot decide their own proposal (two-person rule).',
        403,
      );
    }
    const now = new Date().toISOString();
    stmt(
      store,
      `UPDATE credit_blacklist_requests SET status = ?, decided_by_id = ?, decided_by = ?, decided_at = ?,
           decision_note = ? WHERE id = ?`,
    ).run(decision === 'confirm' ? 'confirmed' : 'refused', actor.id, actor.name, now, text || null, id);
    if (decision === 'confirm') {
      if (req.action === 'add') {
        stmt(
          store,
          'INSERT INTO credit_blacklist (customer_id, category, reason, since, request_id) VALUES (?, ?, ?, ?, ?)',
        ).run(req.customerId, req.category, req.reason, now, id);
      } else {
        stmt(store, 'DELETE FROM credit_blacklist WHERE customer_id = ?').run(req.customerId);
      }
    }
    appendAudit(store, actor, {
      action: `credit.blacklist.${decision}`,
      target: `customer:${req.customerId}`,
      before: { request: id, action: req.action, blacklisted: req.action === 'remove' },
      after: {
        request: id,
        blacklisted: decision === 'confirm' ? req.action === 'add' : req.action === 'remove',
        note: text || null,
      },
    });
    return getBlacklistRequest(store, id)!;
  });
}
