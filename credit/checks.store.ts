/**
 * Credit checks of orders, stored and audited. A check reads the warehouse snapshot (facts.ts: no
 * I/O on the hot path), then in ONE write transaction (BEGIN IMMEDIATE: every other writer, in this
 * process or another, waits) reads what the operational store adds — ARLens's own limit, the
 * blacklist, the orders approved since the last load of the ERP's open orders — decides (decide.ts)
 * and inserts the decision with its audit entry. Two checks for the same customer therefore never
 * both see the exposure without the other: the second sees the first's approval.
 *
 * A check of an order id that already has an open decision (approved, held, escalated) replaces it:
 * the old one becomes `rechecked` and its amount no longer counts.
 */
import { mayDo } from '../auth/policy.ts';
import { appendAudit } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import { stmt } from './sql.ts';
import { CreditError, type CreditActor } from './actor.ts';
import { isBlacklisted } from './blacklist.store.ts';
import { decide, type CustomerFacts, type Outcome, type Reason } from './decide.ts';
import type { WarehouseSnapshot } from './facts.ts';
import { centsText, convertCents, CURRENCY, parseCents } from './money.ts';
import { thresholdsFor, type CreditPolicy } from './policy.ts';
import { ownLimit } from './requests.store.ts';
import { cleanId, cleanText } from './text.ts';

export interface OrderInput {
  readonly customerId: string;
  readonly amountCents: number;
  readonly currency: string;
  readonly orderId: string | null;
}

/** A client's order (JSON body, CSV row, CLI flags) checked field by field. */
export function parseOrder(raw: unknown): OrderInput {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CreditError('bad_body', 'Send an order: {"customer_id", "amount", "currency", "order_id"?}.');
  }
  const o = raw as Record<string, unknown>;
  const known = new Set(['customer_id', 'amount', 'currency', 'order_id']);
  const extra = Object.keys(o).filter((k) => !known.has(k));
  if (extra.length > 0) throw new CreditError('bad_field', `Unknown field ${extra[0]!.slice(0, 40)}.`);
  const customerId = cleanId(o['customer_id'], 'customer_id');
  let amountCents: number;
  try {
    amountCents = parseCents(o['amount'], 'amount');
  } catch (e) {
    throw new CreditError('bad_field', (e as Error).message);
  }
  if (amountCents <= 0) throw new CreditError('bad_field', 'The amount must be more than zero.');
  const currency = typeof o['currency'] === 'string' ? o['currency'].trim().toUpperCase() : '';
  if (!CURRENCY.test(currency))
    throw new CreditError('bad_field', 'The currency must be a three-letter code (ISO 4217).');
  const orderId =
    o['order_id'] === undefined || o['order_id'] === null || o['order_id'] === ''
      ? null
      : cleanId(o['order_id'], 'order_id');
  return { customerId, amountCents, currency, orderId };
}

export type DecisionStatus = 'approved' | 'held' | 'escalated' | 'released' | 'rejected' | 'rechecked';

export interface StoredDecision {
  readonly id: number;
  readonly orderId: string | null;
  readonly customerId: string;
  readonly amount: string;
  readonly currency: string;
  readonly amountRc: string | null;
  readonly outcome: Outcome;
  readonly reasons: readonly Reason[];
  readonly exposureRc: string | null;
  readonly limitRc: string | null;
  readonly dataCut: string | null;
  readonly status: DecisionStatus;
  readonly checkedAt: string;
  readonly checkedBy: string;
  readonly source: string;
  readonly recheckOf: number | null;
  readonly resolvedBy: string | null;
  readonly resolvedById: number | null;
  readonly resolvedAt: string | null;
  readonly resolutionReason: string | null;
}

interface Row {
  id: number;
  order_id: string | null;
  customer_id: string;
  amount_cents: number;
  currency: string;
  amount_rc_cents: number | null;
  outcome: Outcome;
  reasons: string;
  exposure_rc_cents: number | null;
  limit_rc_cents: number | null;
  data_cut: string | null;
  status: DecisionStatus;
  checked_at: string;
  checked_by: string;
  source: string;
  recheck_of: number | null;
  resolved_by_id: number | null;
  resolved_by: string | null;
  resolved_at: string | null;
  resolution_reason: string | null;
}

const money = (c: number | null) => (c === null ? null : centsText(c));

export const decisionFromRow = (r: Row): StoredDecision => ({
  id: r.id,
  orderId: r.order_id,
  customerId: r.customer_id,
  amount: centsText(r.amount_cents),
  currency: r.currency,
  amountRc: money(r.amount_rc_cents),
  outcome: r.outcome,
  reasons: JSON.parse(r.reasons) as Reason[],
  exposureRc: money(r.exposure_rc_cents),
  limitRc: money(r.limit_rc_cents),
  dataCut: r.data_cut,
  status: r.status,
  checkedAt: r.checked_at,
  checkedBy: r.checked_by,
  source: r.source,
  recheckOf: r.recheck_of,
  resolvedBy: r.resolved_by,
  resolvedById: r.resolved_by_id,
  resolvedAt: r.resolved_at,
  resolutionReason: r.resolution_reason,
});

export function getDecision(store: OpsStore, id: number): StoredDecision | null {
  const r = stmt(store, 'SELECT * FROM credit_decisions WHERE id = ?').get(id) as Row | undefined;
  return r ? decisionFromRow(r) : null;
}

const STATUS_OF: Record<Outcome, DecisionStatus> = {
  approve: 'approved',
  hold: 'held',
  escalate: 'escalated',
};

export interface CheckOptions {
  readonly source: 'api' | 'cli' | 'batch' | 'recheck' | 'page';
  readonly recheckOf?: number;
}

/** Check one order: decide and store the decision (and its audit entry) in one transaction. */
export function checkOrder(
  store: OpsStore,
  actor: CreditActor,
  policy: CreditPolicy,
  snapshot: WarehouseSnapshot,
  order: OrderInput,
  options: CheckOptions,
): StoredDecision {
  if (!mayDo(actor.role, 'credit.check')) {
    throw new CreditError(
      'role_cannot_check',
      'Only a credit manager, a CFO or a sales lead checks orders.',
      403,
    );
  }
  return store.write(() => checkInTransaction(store, actor, policy, snapshot, order, options));
}

function checkInTransaction(
  store: OpsStore,
  actor: CreditActor,
  policy: CreditPolicy,
  snapshot: WarehouseSnapshot,
  order: OrderInput,
  options: CheckOptions,
): StoredDecision {
  const c = snapshot.customers.get(order.customerId);
  const now = new Date().toISOString();
  // An open decision on the same order is replaced (an ERP retry, a changed amount, a re-check).
  const previous = order.orderId
    ? (stmt(
        store,
        `SELECT id FROM credit_decisions WHERE order_id = ? AND customer_id = ?
           AND status IN ('approved', 'held', 'escalated')`,
      ).all(order.orderId, order.customerId) as { id: number }[])
    : [];
  for (const p of previous) {
    stmt(
      store,
      `UPDATE credit_decisions SET status = 'rechecked', resolved_at = ?, resolved_by = ?,
                resolved_by_id = ?, resolution_reason = 'replaced by a new check' WHERE id = ?`,
    ).run(now, actor.name, actor.id, p.id);
  }
  const approvedSince = (
    stmt(
      store,
      `SELECT coalesce(sum(amount_rc_cents), 0) AS s FROM credit_decisions
         WHERE customer_id = ? AND status IN ('approved', 'released')
           AND (? IS NULL OR coalesce(resolved_at, checked_at) >= ?)`,
    ).get(order.customerId, snapshot.dataCut, snapshot.dataCut) as { s: number }
  ).s;
  const own = c ? ownLimit(store, c.customerId) : null;
  const customerRate = c ? snapshot.rates.get(c.currency) : undefined;
  const limitCents = own?.limitCents ?? c?.erpLimitCents ?? null;
  const limitRc =
    limitCents === null ? null : customerRate === undefined ? null : convertCents(limitCents, customerRate);
  const orderRate = snapshot.rates.get(order.currency);
  const orderRc = orderRate === undefined ? null : convertCents(order.amountCents, orderRate);
  const facts: CustomerFacts = {
    known: c !== undefined,
    region: c?.region ?? null,
    segment: c?.segment ?? null,
    exposureCents: c?.exposureRcCents ?? 0,
    approvedSinceCents: approvedSince,
    limitCents: limitRc,
    maxDaysPastDue: c?.maxDaysPastDue ?? null,
    riskBand: c?.riskBand ?? null,
    blocked: c?.blocked ?? false,
    blacklisted: isBlacklisted(store, order.customerId) || (c?.blacklisted ?? false),
    prepaymentRequired: own?.prepaymentRequired ?? false,
  };
  const d = decide(facts, orderRc, thresholdsFor(policy, facts.region, facts.segment));
  const { lastInsertRowid } = stmt(
    store,
    `INSERT INTO credit_decisions (order_id, customer_id, amount_cents, currency, amount_rc_cents, outcome,
         reasons, exposure_rc_cents, limit_rc_cents, data_cut, status, checked_at, checked_by_id, checked_by,
         source, recheck_of)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    order.orderId,
    order.customerId,
    order.amountCents,
    order.currency,
    orderRc,
    d.outcome,
    JSON.stringify(d.reasons),
    d.exposureCents,
    d.limitCents,
    snapshot.dataCut,
    STATUS_OF[d.outcome],
    now,
    actor.id,
    actor.name,
    options.source,
    options.recheckOf ?? null,
  );
  const id = Number(lastInsertRowid);
  appendAudit(store, actor, {
    action: 'credit.check',
    target: `customer:${order.customerId}`,
    after: {
      decision: id,
      order: order.orderId,
      amount: centsText(order.amountCents),
      currency: order.currency,
      outcome: d.outcome,
      reasons: d.reasons.map((r) => r.code),
      replaced: previous.map((p) => p.id),
    },
  });
  return {
    id,
    orderId: order.orderId,
    customerId: order.customerId,
    amount: centsText(order.amountCents),
    currency: order.currency,
    amountRc: money(orderRc),
    outcome: d.outcome,
    reasons: d.reasons,
    exposureRc: money(d.exposureCents),
    limitRc: money(d.limitCents),
    dataCut: snapshot.dataCut,
    status: STATUS_OF[d.outcome],
    checkedAt: now,
    checkedBy: actor.name,
    source: options.source,
    recheckOf: options.recheckOf ?? null,
    resolvedBy: null,
    resolvedById: null,
    resolvedAt: null,
    resolutionReason: null,
  };
}

/**
 * Check many orders (a CSV of open orders), in chunks of one transaction each: the same decisions
 * as one by one, in order (each sees the approvals before it), far fewer commits.
 */
export function checkOrders(
  store: OpsStore,
  actor: CreditActor,
  policy: CreditPolicy,
  snapshot: WarehouseSnapshot,
  orders: readonly OrderInput[],
  chunk = 2000,
): StoredDecision[] {
  if (!mayDo(actor.role, 'credit.check')) {
    throw new CreditError(
      'role_cannot_check',
      'Only a credit manager, a CFO or a sales lead checks orders.',
      403,
    );
  }
  const out: StoredDecision[] = [];
  for (let i = 0; i < orders.length; i += chunk) {
    store.write(() => {
      for (const o of orders.slice(i, i + chunk)) {
        out.push(checkInTransaction(store, actor, policy, snapshot, o, { source: 'batch' }));
      }
    });
  }
  return out;
}

/** The answer the API and the CLI give: amounts as decimal text, reasons with their figures. */
export function decisionJson(d: StoredDecision) {
  return {
    decision_id: d.id,
    order_id: d.orderId,
    customer_id: d.customerId,
    decision: d.outcome,
    status: d.status,
    amount: d.amount,
    currency: d.currency,
    amount_rc: d.amountRc,
    exposure_rc: d.exposureRc,
    limit_rc: d.limitRc,
    reasons: d.reasons.map((r) => ({
      code: r.code,
      effect: r.effect,
      ...Object.fromEntries(
        Object.entries(r.detail).map(([k, v]) =>
          typeof v === 'number' && k !== 'max_days_past_due' && k !== 'allowed_days'
            ? [k, centsText(v)]
            : [k, v],
        ),
      ),
    })),
    checked_at: d.checkedAt,
    checked_by: d.checkedBy,
    resolved_by: d.resolvedBy,
    resolved_at: d.resolvedAt,
    resolution_reason: d.resolutionReason,
  };
}

export const DECISION_SORTS = ['checked_at', 'amount', 'customer'] as const;
export type DecisionSort = (typeof DECISION_SORTS)[number];

export interface DecisionQuery {
  readonly status?: readonly DecisionStatus[];
  readonly customerId?: string;
  /** Only these customers (a sales lead's regions); undefined = all. */
  readonly customers?: readonly string[];
  /** Customer id or order id containing this text. */
  readonly search?: string;
  readonly since?: string;
  readonly sort?: DecisionSort;
  readonly descending?: boolean;
  readonly limit?: number;
  readonly offset?: number;
}

const SORT_SQL: Record<DecisionSort, string> = {
  checked_at: 'checked_at',
  amount: 'amount_rc_cents',
  customer: 'customer_id',
};

export function listDecisions(
  store: OpsStore,
  q: DecisionQuery = {},
): { rows: StoredDecision[]; total: number } {
  const statuses = JSON.stringify(q.status ?? []);
  const customers = q.customers === undefined ? null : JSON.stringify(q.customers);
  const search = q.search ? `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const where = `WHERE (json_array_length(?) = 0 OR status IN (SELECT value FROM json_each(?)))
    AND (? IS NULL OR customer_id = ?) AND (? IS NULL OR checked_at >= ?)
    AND (? IS NULL OR customer_id IN (SELECT value FROM json_each(?)))
    AND (? IS NULL OR customer_id LIKE ? ESCAPE '\\' OR coalesce(order_id, '') LIKE ? ESCAPE '\\')`;
  const args = [
    statuses,
    statuses,
    q.customerId ?? null,
    q.customerId ?? null,
    q.since ?? null,
    q.since ?? null,
    customers,
    customers,
    search,
    search,
    search,
  ];
  const total = (
    stmt(store, `SELECT count(*) AS n FROM credit_decisions ${where}`).get(...args) as { n: number }
  ).n;
  const limit = Math.min(Math.max(Math.trunc(q.limit ?? 100), 1), 10_000);
  const offset = Math.max(0, Math.trunc(q.offset ?? 0));
  const order = `${SORT_SQL[q.sort ?? 'checked_at']} ${q.descending === false ? 'ASC' : 'DESC'}, id DESC`;
  const rows = stmt(store, `SELECT * FROM credit_decisions ${where} ORDER BY ${order} LIMIT ? OFFSET ?`).all(
    ...args,
    limit,
    offset,
  ) as unknown as Row[];
  return { rows: rows.map(decisionFromRow), total };
}

/** Release a held or escalated order (with a reason), reject it, or re-check it. */
export type HoldAction = 'release' | 'reject';

export function resolveHold(
  store: OpsStore,
  actor: CreditActor,
  id: number,
  action: HoldAction,
  reason: unknown,
): StoredDecision {
  try {
    const text = cleanText(reason, action === 'release' ? 'reason for releasing' : 'reason for rejecting');
    return store.write(() => {
      const before = getDecision(store, id);
      if (!before) throw new CreditError('no_such_decision', `No credit decision ${id}.`, 404);
      if (before.status !== 'held' && before.status !== 'escalated') {
        throw new CreditError('not_held', 'This order is not on hold.', 409);
      }
      if (actor.role === 'sales_lead') {
        throw new CreditError(
          'sales_lead_cannot_release',
          'A sales lead may not release or reject holds.',
          403,
        );
      }
      if (!mayDo(actor.role, 'credit.holds')) {
        throw new CreditError(
          'role_cannot_release',
          'Only a credit manager or a CFO works the holds queue.',
          403,
        );
      }
      if (actor.id === null)
        throw new CreditError('no_account', 'A release must be signed by a named user.', 403);
      if (action === 'release') {
        if (isBlacklisted(store, before.customerId)) {
          throw new CreditError(
            'blacklisted',
            'The customer is blacklisted: its orders stay held until the blacklisting is lifted.',
            403,
          );
        }
        if (before.status === 'escalated' && actor.role !== 'cfo') {
          throw new CreditError('escalated_needs_cfo', 'An escalated order is released by a CFO.', 403);
        }
      }
      stmt(
        store,
        `UPDATE credit_decisions SET status = ?, resolved_by_id = ?, resolved_by = ?, resolved_at = ?,
             resolution_reason = ? WHERE id = ?`,
      ).run(
        action === 'release' ? 'released' : 'rejected',
        actor.id,
        actor.name,
        new Date().toISOString(),
        text,
        id,
      );
      const after = getDecision(store, id)!;
      appendAudit(store, actor, {
        action: `credit.hold.${action}`,
        target: `credit_decision:${id}`,
        before: { status: before.status, customer: before.customerId, order: before.orderId },
        after: { status: after.status, reason: text },
      });
      return after;
    });
  } catch (e) {
    if (e instanceof CreditError) {
      appendAudit(store, actor, {
        action: `credit.hold.${action}.refused`,
        target: `credit_decision:${id}`,
        after: { code: e.code, role: actor.role },
      });
    }
    throw e;
  }
}

/** Check a held order again on today's facts; the old decision becomes `rechecked`. */
export function recheckHold(
  store: OpsStore,
  actor: CreditActor,
  policy: CreditPolicy,
  snapshot: WarehouseSnapshot,
  id: number,
): StoredDecision {
  if (!mayDo(actor.role, 'credit.holds')) {
    throw new CreditError(
      'role_cannot_release',
      'Only a credit manager or a CFO works the holds queue.',
      403,
    );
  }
  return store.write(() => {
    const before = getDecision(store, id);
    if (!before) throw new CreditError('no_such_decision', `No credit decision ${id}.`, 404);
    if (before.status !== 'held' && before.status !== 'escalated') {
      throw new CreditError('not_held', 'This order is not on hold.', 409);
    }
    stmt(
      store,
      `UPDATE credit_decisions SET status = 'rechecked', resolved_by_id = ?, resolved_by = ?, resolved_at = ?,
           resolution_reason = 're-checked' WHERE id = ?`,
    ).run(actor.id, actor.name, new Date().toISOString(), id);
    return checkInTransaction(
      store,
      actor,
      policy,
      snapshot,
      {
        customerId: before.customerId,
        amountCents: parseCents(before.amount),
        currency: before.currency,
        orderId: before.orderId,
      },
      { source: 'recheck', recheckOf: id },
    );
  });
}
