/**
 * The worklist people write to: calls, emails, letters and visits with their outcome, promises to
 * pay, disputes, tasks, key focus, holds and customer contacts. Each write is one function that
 * authorises (role, and a collector's own portfolio — the customer is looked up in the warehouse by
 * the caller), writes and appends its audit entry in one BEGIN IMMEDIATE transaction. State changes
 * (resolve a dispute, complete a task, settle a promise) re-check the state inside the transaction,
 * so of two users at once one succeeds and the other is told what happened; independent writes (two
 * notes on one customer) both land. Reads show the write at once: the worklist and the timeline read
 * the store, not the warehouse.
 */
import { appendAudit, type AuditEntry } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import {
  authorise,
  checkAmount,
  checkDate,
  checkId,
  checkOneOf,
  checkText,
  CollectionsError,
  type CustomerRef,
  type Who,
} from './access.ts';

export const ACTIVITY_KINDS = ['call', 'email', 'letter', 'visit'] as const;
export const OUTCOMES = [
  'contacted',
  'no_answer',
  'left_message',
  'promise_to_pay',
  'dispute_raised',
  'paid',
  'refused',
  'wrong_contact',
] as const;

const now = () => new Date().toISOString();

function ids(value: unknown, what: string, required: boolean): string[] {
  const list = Array.isArray(value)
    ? value
    : typeof value === 'string' && value.trim() !== ''
      ? value.split(',')
      : [];
  const out = [...new Set(list.map((v) => checkId(typeof v === 'string' ? v.trim() : v, what)))];
  if (required && out.length === 0) throw new CollectionsError(`Name at least one ${what.toLowerCase()}.`);
  if (out.length > 200) throw new CollectionsError(`At most 200 invoices at once.`);
  return out;
}

export function logActivity(
  store: OpsStore,
  who: Who,
  customer: CustomerRef,
  input: { kind: unknown; outcome: unknown; note?: unknown; date: unknown; invoiceId?: unknown },
): number {
  authorise(who, 'collections.work', customer);
  const kind = checkOneOf(input.kind, ACTIVITY_KINDS, 'Contact type');
  const outcome = checkOneOf(input.outcome, OUTCOMES, 'Outcome');
  const note = checkText(input.note, 'Note');
  const date = checkDate(input.date, 'Date');
  const invoiceId =
    input.invoiceId === undefined || input.invoiceId === null || input.invoiceId === ''
      ? null
      : checkId(input.invoiceId, 'Invoice');
  return store.write(() => {
    const { lastInsertRowid } = store.db
      .prepare(
        `INSERT INTO collection_activities (customer_id, invoice_id, kind, outcome, note, activity_date, user_id, user_name, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(customer.customerId, invoiceId, kind, outcome, note, date, who.actor.id, who.actor.name, now());
    const id = Number(lastInsertRowid);
    appendAudit(store, who.actor, {
      action: 'collections.activity',
      target: `customer:${customer.customerId}`,
      after: { id, kind, outcome, date, invoiceId, note },
    });
    return id;
  });
}

export function addPromise(
  store: OpsStore,
  who: Who,
  customer: CustomerRef & { currencyCode: string | null },
  input: { date: unknown; amount: unknown; invoiceIds?: unknown; note?: unknown; today: string },
): number {
  authorise(who, 'collections.work', customer);
  const date = checkDate(input.date, 'Promised date');
  if (date < input.today) throw new CollectionsError(`The promised date ${date} is in the past.`);
  const amount = checkAmount(input.amount, 'Promised amount');
  const invoiceIds = ids(input.invoiceIds, 'Invoice', false);
  const note = checkText(input.note, 'Note');
  return store.write(() => {
    const at = now();
    const { lastInsertRowid } = store.db
      .prepare(
        `INSERT INTO payment_promises (customer_id, invoice_ids, promised_date, amount, currency_code, status, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
      )
      .run(
        customer.customerId,
        JSON.stringify(invoiceIds),
        date,
        amount,
        customer.currencyCode ?? '',
        who.actor.name,
        at,
      );
    const id = Number(lastInsertRowid);
    store.db
      .prepare(
        `INSERT INTO collection_activities (customer_id, invoice_id, kind, outcome, note, activity_date, ref_id, user_id, user_name, created_at)
         VALUES (?, ?, 'promise', 'promise_to_pay', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        customer.customerId,
        invoiceIds[0] ?? null,
        note,
        input.today,
        id,
        who.actor.id,
        who.actor.name,
        at,
      );
    appendAudit(store, who.actor, {
      action: 'collections.promise',
      target: `customer:${customer.customerId}`,
      after: { id, date, amount, currency: customer.currencyCode, invoiceIds, note },
    });
    return id;
  });
}

export function openDispute(
  store: OpsStore,
  who: Who,
  customer: CustomerRef & { currencyCode: string | null },
  input: { invoiceIds: unknown; reason: unknown; amount: unknown },
): number {
  authorise(who, 'collections.work', customer);
  const invoiceIds = ids(input.invoiceIds, 'Invoice', true);
  const reason = checkText(input.reason, 'Reason', 500, true);
  const amount = checkAmount(input.amount, 'Disputed amount');
  return store.write(() => {
    const at = now();
    const { lastInsertRowid } = store.db
      .prepare(
        `INSERT INTO collection_disputes (customer_id, invoice_ids, reason, amount, currency_code, status, opened_by, opened_at)
         VALUES (?, ?, ?, ?, ?, 'open', ?, ?)`,
      )
      .run(
        customer.customerId,
        JSON.stringify(invoiceIds),
        reason,
        amount,
        customer.currencyCode ?? '',
        who.actor.name,
        at,
      );
    const id = Number(lastInsertRowid);
    appendAudit(store, who.actor, {
      action: 'collections.dispute_open',
      target: `customer:${customer.customerId}`,
      after: { id, invoiceIds, reason, amount },
    });
    return id;
  });
}

export function resolveDispute(
  store: OpsStore,
  who: Who,
  customer: CustomerRef,
  input: { disputeId: number; resolution: unknown },
): void {
  authorise(who, 'collections.work', customer);
  const resolution = checkText(input.resolution, 'Resolution', 500, true);
  store.write(() => {
    const d = store.db
      .prepare('SELECT status, resolved_by FROM collection_disputes WHERE id = ? AND customer_id = ?')
      .get(input.disputeId, customer.customerId) as
      { status: string; resolved_by: string | null } | undefined;
    if (!d) throw new CollectionsError(`There is no dispute ${input.disputeId} for this customer.`, 404);
    if (d.status !== 'open') {
      throw new CollectionsError(
        `Dispute ${input.disputeId} was already resolved by ${d.resolved_by ?? 'someone'}.`,
        409,
      );
    }
    store.db
      .prepare(
        "UPDATE collection_disputes SET status = 'resolved', resolution = ?, resolved_by = ?, resolved_at = ? WHERE id = ?",
      )
      .run(resolution, who.actor.name, now(), input.disputeId);
    appendAudit(store, who.actor, {
      action: 'collections.dispute_resolve',
      target: `customer:${customer.customerId}`,
      before: { id: input.disputeId, status: 'open' },
      after: { id: input.disputeId, status: 'resolved', resolution },
    });
  });
}

export function createTask(
  store: OpsStore,
  who: Who,
  customer: CustomerRef,
  input: { title: unknown; dueDate: unknown; assignee?: unknown },
): number {
  authorise(who, 'collections.work', customer);
  const title = checkText(input.title, 'Task', 200, true);
  const dueDate = checkDate(input.dueDate, 'Due date');
  const assignee =
    input.assignee === undefined || input.assignee === ''
      ? (customer.creditController ?? '(unassigned)')
      : checkText(input.assignee, 'Assignee', 100, true);
  return store.write(() => {
    const { lastInsertRowid } = store.db
      .prepare(
        `INSERT INTO collection_tasks (customer_id, title, assignee, due_date, status, source, created_by, created_at)
         VALUES (?, ?, ?, ?, 'open', 'manual:' || lower(hex(randomblob(8))), ?, ?)`,
      )
      .run(customer.customerId, title, assignee, dueDate, who.actor.name, now());
    const id = Number(lastInsertRowid);
    appendAudit(store, who.actor, {
      action: 'collections.task',
      target: `customer:${customer.customerId}`,
      after: { id, title, assignee, dueDate },
    });
    return id;
  });
}

export function completeTask(store: OpsStore, who: Who, customer: CustomerRef, taskId: number): void {
  authorise(who, 'collections.work', customer);
  store.write(() => {
    const t = store.db
      .prepare('SELECT status, completed_by FROM collection_tasks WHERE id = ? AND customer_id = ?')
      .get(taskId, customer.customerId) as { status: string; completed_by: string | null } | undefined;
    if (!t) throw new CollectionsError(`There is no task ${taskId} for this customer.`, 404);
    if (t.status !== 'open')
      throw new CollectionsError(`Task ${taskId} was already completed by ${t.completed_by}.`, 409);
    store.db
      .prepare("UPDATE collection_tasks SET status = 'done', completed_by = ?, completed_at = ? WHERE id = ?")
      .run(who.actor.name, now(), taskId);
    appendAudit(store, who.actor, {
      action: 'collections.task_done',
      target: `customer:${customer.customerId}`,
      before: { id: taskId, status: 'open' },
      after: { id: taskId, status: 'done' },
    });
  });
}

export function setKeyFocus(
  store: OpsStore,
  who: Who,
  customer: CustomerRef,
  on: boolean,
  reason?: unknown,
): void {
  authorise(who, 'collections.work', customer);
  const why = on ? checkText(reason, 'Reason', 200, true) : '';
  store.write(() => {
    const before = store.db
      .prepare('SELECT reason FROM key_focus WHERE customer_id = ?')
      .get(customer.customerId) as { reason: string } | undefined;
    if (on) {
      store.db
        .prepare(
          `INSERT INTO key_focus (customer_id, reason, set_by, set_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (customer_id) DO UPDATE SET reason = excluded.reason, set_by = excluded.set_by, set_at = excluded.set_at`,
        )
        .run(customer.customerId, why, who.actor.name, now());
    } else {
      store.db.prepare('DELETE FROM key_focus WHERE customer_id = ?').run(customer.customerId);
    }
    appendAudit(store, who.actor, {
      action: on ? 'collections.key_focus_set' : 'collections.key_focus_clear',
      target: `customer:${customer.customerId}`,
      before: before ? { keyFocus: true, reason: before.reason } : { keyFocus: false },
      after: on ? { keyFocus: true, reason: why } : { keyFocus: false },
    });
  });
}

export function releaseHold(store: OpsStore, who: Who, customer: CustomerRef): void {
  authorise(who, 'dunning.propose', customer);
  store.write(() => {
    const res = store.db
      .prepare(
        "UPDATE dunning_holds SET released_by = ?, released_at = ? WHERE customer_id = ? AND item_id = '' AND released_at IS NULL",
      )
      .run(who.actor.name, now(), customer.customerId);
    if (Number(res.changes) === 0)
      throw new CollectionsError(`Customer ${customer.customerId} is not on hold.`, 409);
    appendAudit(store, who.actor, {
      action: 'dunning.release_hold',
      target: `customer:${customer.customerId}`,
    });
  });
}

const EMAIL = /^[^\s@<>(),;:"[\]\\]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$/;

export function setContact(
  store: OpsStore,
  who: Who,
  customer: CustomerRef,
  input: { email: unknown; language?: unknown },
): void {
  authorise(who, 'collections.work', customer);
  const email =
    input.email === null || input.email === '' ? null : checkText(input.email, 'Email', 254, true);
  if (email !== null && !EMAIL.test(email))
    throw new CollectionsError(`"${email.slice(0, 60)}" is not an email address.`);
  const language =
    input.language === undefined || input.language === null || input.language === ''
      ? null
      : checkOneOf(input.language, ['en', 'ja'] as const, 'Language');
  store.write(() => {
    const before = store.db
      .prepare('SELECT email, language FROM customer_contacts WHERE customer_id = ?')
      .get(customer.customerId);
    store.db
      .prepare(
        `INSERT INTO customer_contacts (customer_id, email, language, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (customer_id) DO UPDATE SET email = excluded.email, language = excluded.language,
           updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      )
      .run(customer.customerId, email, language, who.actor.name, now());
    appendAudit(store, who.actor, {
      action: 'collections.contact',
      target: `customer:${customer.customerId}`,
      before: before ?? null,
      after: { email, language },
    });
  });
}

/**
 * Promises whose date has passed: kept when the promised invoices (or, without invoices, the
 * customer's overdue invoices) are no longer open, broken otherwise — a broken promise raises a
 * follow-up task for the controller, due the next day. `stillOpen(customerId, invoiceIds)` answers
 * from the warehouse's open items. Idempotent (a promise is settled once).
 */
export function reviewPromises(
  store: OpsStore,
  who: Who,
  today: string,
  stillOpen: (customerId: string, invoiceIds: readonly string[]) => boolean,
  controllerOf: (customerId: string) => string | null,
): { kept: number; broken: number } {
  return store.write(() => {
    const due = store.db
      .prepare(
        "SELECT id, customer_id, invoice_ids, promised_date, amount FROM payment_promises WHERE status = 'pending' AND promised_date < ?",
      )
      .all(today) as {
      id: number;
      customer_id: string;
      invoice_ids: string;
      promised_date: string;
      amount: string;
    }[];
    let kept = 0;
    let broken = 0;
    for (const p of due) {
      const open = stillOpen(p.customer_id, JSON.parse(p.invoice_ids) as string[]);
      const status = open ? 'broken' : 'kept';
      store.db
        .prepare('UPDATE payment_promises SET status = ?, settled_at = ? WHERE id = ?')
        .run(status, now(), p.id);
      if (open) {
        broken++;
        const next = new Date(`${today}T00:00:00Z`);
        next.setUTCDate(next.getUTCDate() + 1);
        store.db
          .prepare(
            `INSERT INTO collection_tasks (customer_id, title, title_params, assignee, due_date, status, source, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?) ON CONFLICT DO NOTHING`,
          )
          .run(
            p.customer_id,
            `Broken promise of ${p.promised_date} (${p.amount}): follow up`,
            JSON.stringify({ kind: 'promise', promisedDate: p.promised_date, amount: p.amount }),
            controllerOf(p.customer_id) ?? '(unassigned)',
            next.toISOString().slice(0, 10),
            `promise:${p.id}`,
            who.actor.name,
            now(),
          );
      } else kept++;
      appendAudit(store, who.actor, {
        action: open ? 'collections.promise_broken' : 'collections.promise_kept',
        target: `customer:${p.customer_id}`,
        before: { id: p.id, status: 'pending' },
        after: { id: p.id, status, promisedDate: p.promised_date, amount: p.amount },
      });
    }
    return { kept, broken };
  });
}

export interface CustomerWork {
  readonly keyFocus: { reason: string; setBy: string } | null;
  readonly openTasks: number;
  readonly pendingPromise: { date: string; amount: string } | null;
  readonly openDisputes: number;
  readonly highestLevel: number | null;
  readonly lastActivity: string | null;
}

/** Customers with anything recorded in the store (focus, promises, disputes, tasks, letters). */
export function customersWithWork(store: OpsStore): string[] {
  return (
    store.db
      .prepare(
        `SELECT customer_id FROM key_focus
         UNION SELECT customer_id FROM payment_promises WHERE status = 'pending'
         UNION SELECT customer_id FROM collection_disputes WHERE status = 'open'
         UNION SELECT customer_id FROM collection_tasks WHERE status = 'open'
         UNION SELECT customer_id FROM customer_dunning`,
      )
      .all() as { customer_id: string }[]
  ).map((r) => r.customer_id);
}

/** The store's state for the worklist's customers (at once, no rebuild). */
export function worklistOverlay(store: OpsStore, customerIds: readonly string[]): Map<string, CustomerWork> {
  const out = new Map<string, CustomerWork>();
  const q = {
    focus: store.db.prepare('SELECT reason, set_by FROM key_focus WHERE customer_id = ?'),
    tasks: store.db.prepare(
      "SELECT count(*) AS n FROM collection_tasks WHERE customer_id = ? AND status = 'open'",
    ),
    promise: store.db.prepare(
      "SELECT promised_date, amount FROM payment_promises WHERE customer_id = ? AND status = 'pending' ORDER BY promised_date DESC LIMIT 1",
    ),
    disputes: store.db.prepare(
      "SELECT count(*) AS n FROM collection_disputes WHERE customer_id = ? AND status = 'open'",
    ),
    level: store.db.prepare('SELECT highest_level FROM customer_dunning WHERE customer_id = ?'),
    last: store.db.prepare('SELECT max(activity_date) AS d FROM collection_activities WHERE customer_id = ?'),
  };
  for (const c of customerIds) {
    const f = q.focus.get(c) as { reason: string; set_by: string } | undefined;
    const p = q.promise.get(c) as { promised_date: string; amount: string } | undefined;
    out.set(c, {
      keyFocus: f ? { reason: f.reason, setBy: f.set_by } : null,
      openTasks: Number((q.tasks.get(c) as { n: number }).n),
      pendingPromise: p ? { date: p.promised_date, amount: p.amount } : null,
      openDisputes: Number((q.disputes.get(c) as { n: number }).n),
      highestLevel: (q.level.get(c) as { highest_level: number } | undefined)?.highest_level ?? null,
      lastActivity: (q.last.get(c) as { d: string | null }).d,
    });
  }
  return out;
}

export interface Task {
  readonly id: number;
  readonly customerId: string;
  readonly title: string;
  readonly assignee: string;
  readonly dueDate: string;
  readonly status: 'open' | 'done';
  readonly source: string;
  /** What a task ARLens raised is about (taskTitle words it per language); null for a person's own task. */
  readonly titleParams: TaskTitleParams | null;
}

export type TaskTitleParams =
  | {
      readonly kind: 'dunning';
      readonly level: number;
      readonly levelName: string;
      readonly customerName: string;
    }
  | { readonly kind: 'promise'; readonly promisedDate: string; readonly amount: string };

/** A task's title in `lang`: a task ARLens raised is worded from its parameters, a person's as they wrote it. */
export function taskTitle(
  t: { title: string; titleParams: TaskTitleParams | null },
  lang: 'en' | 'ja',
): string {
  const p = t.titleParams;
  if (p === null || lang === 'en') return t.title;
  return p.kind === 'dunning'
    ? `督促レベル${p.level}（${p.levelName}）：${p.customerName}に電話`
    : `${p.promisedDate}の支払約束（${p.amount}）が守られませんでした：フォローアップ`;
}

export function titleParams(json: string | null): TaskTitleParams | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as TaskTitleParams;
  } catch {
    return null;
  }
}

/** Open tasks: a collector's own (their portfolio's), or everyone's. */
export function listTasks(store: OpsStore, assignee: string | null): Task[] {
  return (
    store.db
      .prepare(
        `SELECT id, customer_id, title, title_params, assignee, due_date, status, source FROM collection_tasks
         WHERE status = 'open' AND (? IS NULL OR assignee = ?) ORDER BY due_date, id LIMIT 500`,
      )
      .all(assignee, assignee) as {
      id: number;
      customer_id: string;
      title: string;
      title_params: string | null;
      assignee: string;
      due_date: string;
      status: 'open' | 'done';
      source: string;
    }[]
  ).map((t) => ({
    id: t.id,
    customerId: t.customer_id,
    title: t.title,
    assignee: t.assignee,
    dueDate: t.due_date,
    status: t.status,
    source: t.source,
    titleParams: titleParams(t.title_params),
  }));
}

/** Completion rate of tasks by assignee (CFO view): done / all, and how many open ones are overdue. */
export function taskCompletion(
  store: OpsStore,
  today: string,
): { assignee: string; total: number; done: number; overdue: number }[] {
  return store.db
    .prepare(
      `SELECT assignee, count(*) AS total, sum(status = 'done') AS done,
              sum(status = 'open' AND due_date < ?) AS overdue
       FROM collection_tasks GROUP BY assignee ORDER BY assignee`,
    )
    .all(today) as { assignee: string; total: number; done: number; overdue: number }[];
}

export interface TimelineEntry {
  readonly at: string;
  readonly date: string;
  readonly kind: string;
  readonly what: string;
  readonly who: string;
}

/** Everything done about a customer, newest first: the collection history. */
export function customerTimeline(store: OpsStore, customerId: string): TimelineEntry[] {
  const rows = store.db
    .prepare(
      `SELECT created_at AS at, activity_date AS date, kind, coalesce(outcome, '') || CASE WHEN note <> '' THEN ': ' || note ELSE '' END AS what, user_name AS who
         FROM collection_activities WHERE customer_id = ?
       UNION ALL
       SELECT opened_at, substr(opened_at, 1, 10), 'dispute', 'opened (' || amount || ' ' || currency_code || '): ' || reason || ' [' || invoice_ids || ']', opened_by
         FROM collection_disputes WHERE customer_id = ?
       UNION ALL
       SELECT resolved_at, substr(resolved_at, 1, 10), 'dispute', 'resolved: ' || resolution, resolved_by
         FROM collection_disputes WHERE customer_id = ? AND status = 'resolved'
       UNION ALL
       SELECT created_at, substr(created_at, 1, 10), 'task', title || ' (due ' || due_date || ', ' || assignee || ')', created_by
         FROM collection_tasks WHERE customer_id = ?
       UNION ALL
       SELECT completed_at, substr(completed_at, 1, 10), 'task', 'done: ' || title, completed_by
         FROM collection_tasks WHERE customer_id = ? AND status = 'done'
       UNION ALL
       SELECT settled_at, substr(settled_at, 1, 10), 'promise', status || ': ' || amount || ' ' || currency_code || ' by ' || promised_date, 'system'
         FROM payment_promises WHERE customer_id = ? AND settled_at IS NOT NULL
       ORDER BY 1 DESC LIMIT 500`,
    )
    .all(
      customerId,
      customerId,
      customerId,
      customerId,
      customerId,
      customerId,
    ) as unknown as TimelineEntry[];
  return rows;
}

/** The audit entries about a customer (their chain of evidence), oldest first. */
export function customerAudit(store: OpsStore, customerId: string): AuditEntry[] {
  return store.db
    .prepare(
      `SELECT seq, at, actor_id AS actorId, actor, action, target, before, after, address, prev_hash AS prevHash, hash
         FROM audit_log WHERE target = ? OR (target LIKE 'letter:%' AND json_extract(after, '$.customerId') = ?)
           OR (target LIKE 'letter:%' AND CAST(substr(target, 8) AS INTEGER) IN (SELECT id FROM dunning_letters WHERE customer_id = ?))
         ORDER BY seq`,
    )
    .all(`customer:${customerId}`, customerId, customerId) as unknown as AuditEntry[];
}
