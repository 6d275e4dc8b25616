/**
 * Credit-limit requests and the limits they set, in the operational store. A limit change is never
 * written directly: it is a request (who, new limit, reason, evidence) approved under segregation of
 * duties (sod.ts). The approval that completes a request writes the limit in the same transaction,
 * and checks and pages use it at once. Every step — and every refused attempt — is audited.
 */
import { mayDo } from '../auth/policy.ts';
import { appendAudit } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import { stmt } from './sql.ts';
import { CreditError, type CreditActor } from './actor.ts';
import type { WarehouseCustomer, WarehouseSnapshot } from './facts.ts';
import { centsText, convertCents, parseCents } from './money.ts';
import type { CreditPolicy } from './policy.ts';
import { approvalStep, mayReject, REFUSAL_TEXT, type RequestState } from './sod.ts';
import { cleanText } from './text.ts';

export type RequestKind = 'limit' | 'rerate';
export type RequestStatus = RequestState['status'];

export interface CreditRequest extends RequestState {
  readonly id: number;
  readonly customerId: string;
  readonly kind: RequestKind;
  readonly currency: string;
  readonly currentLimit: string | null;
  readonly newLimit: string;
  readonly newLimitRc: string;
  readonly paymentTermsDays: number | null;
  readonly prepaymentRequired: boolean;
  readonly keyFocus: boolean;
  readonly reason: string;
  readonly evidence: Record<string, unknown>;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly managerBy: string | null;
  readonly managerAt: string | null;
  readonly cfoBy: string | null;
  readonly cfoAt: string | null;
  readonly decidedAt: string | null;
  readonly decisionNote: string | null;
}

interface Row {
  id: number;
  customer_id: string;
  kind: RequestKind;
  currency: string;
  current_limit_cents: number | null;
  new_limit_cents: number;
  new_limit_rc_cents: number;
  payment_terms_days: number | null;
  prepayment_required: number;
  key_focus: number;
  reason: string;
  evidence: string;
  needs_cfo: number;
  status: RequestStatus;
  requested_by_id: number | null;
  requested_by: string;
  requested_at: string;
  manager_by_id: number | null;
  manager_by: string | null;
  manager_at: string | null;
  cfo_by_id: number | null;
  cfo_by: string | null;
  cfo_at: string | null;
  decided_at: string | null;
  decision_note: string | null;
}

const fromRow = (r: Row): CreditRequest => ({
  id: r.id,
  customerId: r.customer_id,
  kind: r.kind,
  currency: r.currency,
  currentLimit: r.current_limit_cents === null ? null : centsText(r.current_limit_cents),
  newLimit: centsText(r.new_limit_cents),
  newLimitRc: centsText(r.new_limit_rc_cents),
  paymentTermsDays: r.payment_terms_days,
  prepaymentRequired: r.prepayment_required === 1,
  keyFocus: r.key_focus === 1,
  reason: r.reason,
  evidence: JSON.parse(r.evidence) as Record<string, unknown>,
  needsCfo: r.needs_cfo === 1,
  status: r.status,
  requestedById: r.requested_by_id,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  managerById: r.manager_by_id,
  managerBy: r.manager_by,
  managerAt: r.manager_at,
  cfoById: r.cfo_by_id,
  cfoBy: r.cfo_by,
  cfoAt: r.cfo_at,
  decidedAt: r.decided_at,
  decisionNote: r.decision_note,
});

/** The limit ARLens holds for a customer (set by an approved request), if any. */
export interface OwnLimit {
  readonly customerId: string;
  readonly limitCents: number;
  readonly currency: string;
  readonly paymentTermsDays: number | null;
  readonly prepaymentRequired: boolean;
  readonly keyFocus: boolean;
  readonly requestId: number;
  readonly updatedAt: string;
}

interface LimitRow {
  customer_id: string;
  limit_cents: number;
  currency: string;
  payment_terms_days: number | null;
  prepayment_required: number;
  key_focus: number;
  request_id: number;
  updated_at: string;
}

const limitFromRow = (r: LimitRow): OwnLimit => ({
  customerId: r.customer_id,
  limitCents: r.limit_cents,
  currency: r.currency,
  paymentTermsDays: r.payment_terms_days,
  prepaymentRequired: r.prepayment_required === 1,
  keyFocus: r.key_focus === 1,
  requestId: r.request_id,
  updatedAt: r.updated_at,
});

export function ownLimit(store: OpsStore, customerId: string): OwnLimit | null {
  const r = stmt(store, 'SELECT * FROM credit_limits WHERE customer_id = ?').get(customerId) as
    LimitRow | undefined;
  return r ? limitFromRow(r) : null;
}

export function ownLimits(store: OpsStore): Map<string, OwnLimit> {
  const rows = stmt(store, 'SELECT * FROM credit_limits').all() as unknown as LimitRow[];
  return new Map(rows.map((r) => [r.customer_id, limitFromRow(r)]));
}

/** The limit in force in the customer's currency (ARLens's own, else the ERP's); null = none. */
export function limitInForce(store: OpsStore, c: WarehouseCustomer): number | null {
  return ownLimit(store, c.customerId)?.limitCents ?? c.erpLimitCents;
}

export function getRequest(store: OpsStore, id: number): CreditRequest | null {
  const r = stmt(store, 'SELECT * FROM credit_requests WHERE id = ?').get(id) as Row | undefined;
  return r ? fromRow(r) : null;
}

export interface NewRequest {
  readonly customerId: string;
  readonly kind?: RequestKind;
  /** The new limit in the customer's currency, as decimal text. */
  readonly newLimit: unknown;
  readonly reason: unknown;
  /** What prompted it (risk band, payment history, the suggestion): stored as given, bounded. */
  readonly evidence?: Record<string, unknown>;
  readonly paymentTermsDays?: number | null;
  readonly prepaymentRequired?: boolean;
  readonly keyFocus?: boolean;
}

const RERATERS = new Set(['credit_manager', 'cfo']);

/** Record a refused attempt in the audit log (the attempt itself wrote nothing). */
function refused(store: OpsStore, actor: CreditActor, action: string, target: string, e: unknown): never {
  if (e instanceof CreditError) {
    appendAudit(store, actor, {
      action: `${action}.refused`,
      target,
      after: { code: e.code, role: actor.role },
    });
  }
  throw e;
}

export function createRequest(
  store: OpsStore,
  actor: CreditActor,
  policy: CreditPolicy,
  snapshot: WarehouseSnapshot,
  input: NewRequest,
): CreditRequest {
  const target = `customer:${String(input.customerId).slice(0, 64)}`;
  try {
    const kind = input.kind ?? 'limit';
    if (kind !== 'limit' && kind !== 'rerate') throw new CreditError('bad_field', 'Unknown request kind.');
    if (!(kind === 'rerate' ? RERATERS.has(actor.role) : mayDo(actor.role, 'credit.request'))) {
      throw new CreditError(
        'role_cannot_request',
        kind === 'rerate'
          ? 'Only a credit manager or a CFO re-rates a customer.'
          : 'Only a credit manager, a CFO or a sales lead requests a credit limit.',
        403,
      );
    }
    const customer = snapshot.customers.get(input.customerId);
    if (!customer)
      throw new CreditError('unknown_customer', `No customer ${input.customerId} in the warehouse.`, 404);
    if (actor.role === 'sales_lead' && !(actor.regions ?? []).includes(customer.region ?? '')) {
      throw new CreditError(
        'outside_regions',
        'A sales lead requests limits for customers of their regions only.',
        403,
      );
    }
    let newLimit: number;
    try {
      newLimit = parseCents(input.newLimit, 'new limit');
    } catch (e) {
      throw new CreditError('bad_field', (e as Error).message);
    }
    if (newLimit < 0) throw new CreditError('bad_field', 'A limit cannot be negative.');
    const reason = cleanText(input.reason, 'reason');
    const evidence = JSON.stringify(input.evidence ?? {});
    if (evidence.length > 8000) throw new CreditError('bad_field', 'The evidence is too long.');
    const terms = input.paymentTermsDays ?? null;
    if (terms !== null && (!Number.isInteger(terms) || terms < 0 || terms > 365)) {
      throw new CreditError('bad_field', 'Payment terms are whole days from 0 to 365.');
    }
    const rate = snapshot.rates.get(customer.currency);
    if (rate === undefined) {
      throw new CreditError(
        'unknown_currency',
        `No exchange rate for ${customer.currency} at the as-of date.`,
      );
    }
    const newLimitRc = convertCents(newLimit, rate);
    return store.write(() => {
      const pending = stmt(
        store,
        "SELECT id FROM credit_requests WHERE customer_id = ? AND status = 'pending'",
      ).get(customer.customerId) as { id: number } | undefined;
      if (pending) {
        throw new CreditError(
          'pending_exists',
          `Request ${pending.id} for this customer is still pending: decide or withdraw it first.`,
          409,
        );
      }
      const current = limitInForce(store, customer);
      const now = new Date().toISOString();
      const { lastInsertRowid } = stmt(
        store,
        `INSERT INTO credit_requests (customer_id, kind, currency, current_limit_cents, new_limit_cents,
             new_limit_rc_cents, payment_terms_days, prepayment_required, key_focus, reason, evidence,
             needs_cfo, status, requested_by_id, requested_by, requested_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
      ).run(
        customer.customerId,
        kind,
        customer.currency,
        current,
        newLimit,
        newLimitRc,
        terms,
        input.prepaymentRequired ? 1 : 0,
        input.keyFocus ? 1 : 0,
        reason,
        evidence,
        newLimitRc > policy.approval.credit_manager_max ? 1 : 0,
        actor.id,
        actor.name,
        now,
      );
      const req = getRequest(store, Number(lastInsertRowid))!;
      appendAudit(store, actor, {
        action: 'credit.request.create',
        target: `credit_request:${req.id}`,
        after: snapshotOf(req),
      });
      return req;
    });
  } catch (e) {
    return refused(store, actor, 'credit.request.create', target, e);
  }
}

function snapshotOf(r: CreditRequest) {
  return {
    customer: r.customerId,
    kind: r.kind,
    currency: r.currency,
    current_limit: r.currentLimit,
    new_limit: r.newLimit,
    payment_terms_days: r.paymentTermsDays,
    prepayment_required: r.prepaymentRequired,
    key_focus: r.keyFocus,
    reason: r.reason,
    needs_cfo: r.needsCfo,
    status: r.status,
  };
}

function pendingRequest(store: OpsStore, id: number): CreditRequest {
  const req = getRequest(store, id);
  if (!req) throw new CreditError('no_such_request', `No credit request ${id}.`, 404);
  return req;
}

/** Sign the next approval step; the last one applies the limit. */
export function approveRequest(
  store: OpsStore,
  actor: CreditActor,
  id: number,
  note?: unknown,
): CreditRequest {
  try {
    const text = cleanText(note, 'note', 2000, false);
    return store.write(() => {
      const before = pendingRequest(store, id);
      const step = approvalStep(before, actor.role, actor.id);
      if (!step.ok) throw new CreditError(step.refusal, REFUSAL_TEXT[step.refusal], 403);
      const now = new Date().toISOString();
      const col = step.step === 'manager' ? 'manager' : 'cfo';
      stmt(
        store,
        `UPDATE credit_requests SET ${col}_by_id = ?, ${col}_by = ?, ${col}_at = ? WHERE id = ?`,
      ).run(actor.id, actor.name, now, id);
      if (step.final) {
        stmt(
          store,
          `UPDATE credit_requests SET status = 'approved', decided_at = ?, decision_note = ? WHERE id = ?`,
        ).run(now, text || null, id);
      }
      const after = getRequest(store, id)!;
      appendAudit(store, actor, {
        action: step.final ? 'credit.request.approve' : `credit.request.approve_${step.step}`,
        target: `credit_request:${id}`,
        before: snapshotOf(before),
        after: { ...snapshotOf(after), step: step.step },
      });
      if (step.final) applyLimit(store, actor, after);
      return after;
    });
  } catch (e) {
    return refused(store, actor, 'credit.request.approve', `credit_request:${id}`, e);
  }
}

function applyLimit(store: OpsStore, actor: CreditActor, r: CreditRequest): void {
  const before = ownLimit(store, r.customerId);
  const now = new Date().toISOString();
  stmt(
    store,
    `INSERT INTO credit_limits (customer_id, limit_cents, currency, payment_terms_days, prepayment_required,
         key_focus, request_id, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (customer_id) DO UPDATE SET limit_cents = excluded.limit_cents, currency = excluded.currency,
         payment_terms_days = coalesce(excluded.payment_terms_days, credit_limits.payment_terms_days),
         prepayment_required = excluded.prepayment_required, key_focus = excluded.key_focus,
         request_id = excluded.request_id, updated_at = excluded.updated_at`,
  ).run(
    r.customerId,
    parseCents(r.newLimit),
    r.currency,
    r.paymentTermsDays,
    r.prepaymentRequired ? 1 : 0,
    r.keyFocus ? 1 : 0,
    r.id,
    now,
  );
  const after = ownLimit(store, r.customerId)!;
  appendAudit(store, actor, {
    action: 'credit.limit.set',
    target: `customer:${r.customerId}`,
    before: before && { limit: centsText(before.limitCents), currency: before.currency },
    after: { limit: centsText(after.limitCents), currency: after.currency, request: r.id },
  });
}

export function rejectRequest(store: OpsStore, actor: CreditActor, id: number, note: unknown): CreditRequest {
  try {
    const text = cleanText(note, 'reason for rejecting');
    return store.write(() => {
      const before = pendingRequest(store, id);
      const refusal = mayReject(before, actor.role, actor.id);
      if (refusal) throw new CreditError(refusal, REFUSAL_TEXT[refusal], 403);
      stmt(
        store,
        `UPDATE credit_requests SET status = 'rejected', decided_at = ?, decision_note = ? WHERE id = ?`,
      ).run(new Date().toISOString(), text, id);
      const after = getRequest(store, id)!;
      appendAudit(store, actor, {
        action: 'credit.request.reject',
        target: `credit_request:${id}`,
        before: snapshotOf(before),
        after: { ...snapshotOf(after), note: text },
      });
      return after;
    });
  } catch (e) {
    return refused(store, actor, 'credit.request.reject', `credit_request:${id}`, e);
  }
}

export function withdrawRequest(store: OpsStore, actor: CreditActor, id: number): CreditRequest {
  try {
    return store.write(() => {
      const before = pendingRequest(store, id);
      if (before.status !== 'pending') throw new CreditError('not_pending', REFUSAL_TEXT.not_pending, 409);
      if (actor.id === null || before.requestedById !== actor.id) {
        throw new CreditError('not_requester', 'Only the requester withdraws a request.', 403);
      }
      stmt(store, `UPDATE credit_requests SET status = 'withdrawn', decided_at = ? WHERE id = ?`).run(
        new Date().toISOString(),
        id,
      );
      const after = getRequest(store, id)!;
      appendAudit(store, actor, {
        action: 'credit.request.withdraw',
        target: `credit_request:${id}`,
        before: snapshotOf(before),
        after: snapshotOf(after),
      });
      return after;
    });
  } catch (e) {
    return refused(store, actor, 'credit.request.withdraw', `credit_request:${id}`, e);
  }
}

export interface RequestQuery {
  readonly status?: RequestStatus | 'all';
  readonly customerId?: string;
  /** Only requests this user may take the next step on. */
  readonly awaiting?: { readonly role: CreditActor['role']; readonly id: number | null };
  readonly limit?: number;
  readonly offset?: number;
}

export function listRequests(
  store: OpsStore,
  q: RequestQuery = {},
): { rows: CreditRequest[]; total: number } {
  const status = q.status ?? 'pending';
  const rows = (
    stmt(
      store,
      `SELECT * FROM credit_requests
         WHERE (? = 'all' OR status = ?) AND (? IS NULL OR customer_id = ?)
         ORDER BY requested_at DESC, id DESC`,
    ).all(status, status, q.customerId ?? null, q.customerId ?? null) as unknown as Row[]
  )
    .map(fromRow)
    .filter((r) => !q.awaiting || approvalStep(r, q.awaiting.role, q.awaiting.id).ok);
  const offset = Math.max(0, Math.trunc(q.offset ?? 0));
  const limit = Math.min(Math.max(Math.trunc(q.limit ?? 50), 1), 1000);
  return { rows: rows.slice(offset, offset + limit), total: rows.length };
}
