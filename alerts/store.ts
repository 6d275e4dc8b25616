/**
 * A user's own alerts and subscriptions in the operational store. Every change is the user's own
 * (a subscription, a cancellation, marking read), authorised against the row-level security of the
 * user as the store has them now, and audited. Nobody reads or changes another user's alerts.
 */
import { mayDo } from '../auth/policy.ts';
import { getUser } from '../auth/users.ts';
import { appendAudit, type Actor } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import type { AlertFacts } from './evaluate.ts';
import { AlertError, checkSubscription, type AlertKind, type Delivery } from './rules.ts';

/** A user may keep this many subscriptions at once. */
export const MAX_SUBSCRIPTIONS = 50;

export interface Subscription {
  readonly id: number;
  readonly kind: AlertKind;
  readonly threshold: string | null;
  readonly customerId: string | null;
  readonly region: string | null;
  readonly delivery: Delivery;
  readonly createdAt: string;
}

export interface Alert {
  readonly id: number;
  readonly kind: AlertKind;
  readonly subject: string;
  readonly customerId: string | null;
  readonly region: string | null;
  readonly facts: AlertFacts;
  readonly raisedAt: string;
  readonly trigger: string;
  readonly readAt: string | null;
  /** none (app only), queued/sending/sent/failed (immediate), digest/digested (daily digest). */
  readonly mailStatus: string;
  readonly lastError: string | null;
}

const now = () => new Date().toISOString();

function activeUser(store: OpsStore, userId: number) {
  const user = getUser(store, userId);
  if (!user || user.disabled) throw new AlertError('Your account is not active.', 403);
  return user;
}

export function subscribe(
  store: OpsStore,
  actor: Actor,
  userId: number,
  input: Parameters<typeof checkSubscription>[1],
): Subscription {
  const user = activeUser(store, userId);
  if (!mayDo(user.role, 'alerts.subscribe'))
    throw new AlertError('Your role sees no receivables, so it has no alerts.', 403);
  const s = checkSubscription(user, input);
  return store.write(() => {
    const { n } = store.db
      .prepare('SELECT count(*) AS n FROM alert_subscriptions WHERE user_id = ? AND cancelled_at IS NULL')
      .get(userId) as { n: number };
    if (Number(n) >= MAX_SUBSCRIPTIONS) {
      throw new AlertError(`You have ${MAX_SUBSCRIPTIONS} subscriptions already: cancel one first.`, 409);
    }
    const same = store.db
      .prepare(
        `SELECT id FROM alert_subscriptions WHERE user_id = ? AND cancelled_at IS NULL AND kind = ?
           AND threshold IS ? AND customer_id IS ? AND region IS ? AND delivery = ?`,
      )
      .get(userId, s.kind, s.threshold, s.customerId, s.region, s.delivery) as { id: number } | undefined;
    if (same) throw new AlertError('You have this subscription already.', 409);
    const createdAt = now();
    const id = Number(
      store.db
        .prepare(
          `INSERT INTO alert_subscriptions (user_id, kind, threshold, customer_id, region, delivery, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(userId, s.kind, s.threshold, s.customerId, s.region, s.delivery, createdAt).lastInsertRowid,
    );
    appendAudit(store, actor, {
      action: 'alerts.subscribe',
      target: `user:${user.username}`,
      after: { id, ...s },
    });
    return { id, ...s, createdAt };
  });
}

export function cancelSubscription(store: OpsStore, actor: Actor, userId: number, id: number): void {
  const user = activeUser(store, userId);
  store.write(() => {
    const row = store.db
      .prepare('SELECT id, kind, cancelled_at FROM alert_subscriptions WHERE id = ? AND user_id = ?')
      .get(id, userId) as { id: number; kind: string; cancelled_at: string | null } | undefined;
    if (!row) throw new AlertError('There is no such subscription of yours.', 404);
    if (row.cancelled_at !== null) throw new AlertError('This subscription was cancelled already.', 409);
    store.db.prepare('UPDATE alert_subscriptions SET cancelled_at = ? WHERE id = ?').run(now(), id);
    appendAudit(store, actor, {
      action: 'alerts.unsubscribe',
      target: `user:${user.username}`,
      before: { id, kind: row.kind },
    });
  });
}

export function listSubscriptions(store: OpsStore, userId: number): Subscription[] {
  return (
    store.db
      .prepare(
        `SELECT id, kind, threshold, customer_id, region, delivery, created_at FROM alert_subscriptions
         WHERE user_id = ? AND cancelled_at IS NULL ORDER BY id`,
      )
      .all(userId) as {
      id: number;
      kind: AlertKind;
      threshold: string | null;
      customer_id: string | null;
      region: string | null;
      delivery: Delivery;
      created_at: string;
    }[]
  ).map((r) => ({
    id: r.id,
    kind: r.kind,
    threshold: r.threshold,
    customerId: r.customer_id,
    region: r.region,
    delivery: r.delivery,
    createdAt: r.created_at,
  }));
}

export function unreadCount(store: OpsStore, userId: number): number {
  const r = store.db
    .prepare('SELECT count(*) AS n FROM alerts WHERE user_id = ? AND read_at IS NULL')
    .get(userId) as {
    n: number;
  };
  return Number(r.n);
}

interface AlertRow {
  id: number;
  kind: AlertKind;
  subject: string;
  customer_id: string | null;
  region: string | null;
  facts: string;
  raised_at: string;
  trigger: string;
  read_at: string | null;
  mail_status: string;
  last_error: string | null;
}

export function alertFromRow(r: AlertRow): Alert {
  return {
    id: r.id,
    kind: r.kind,
    subject: r.subject,
    customerId: r.customer_id,
    region: r.region,
    facts: JSON.parse(r.facts) as AlertFacts,
    raisedAt: r.raised_at,
    trigger: r.trigger,
    readAt: r.read_at,
    mailStatus: r.mail_status,
    lastError: r.last_error,
  };
}

export const ALERT_COLUMNS =
  'id, kind, subject, customer_id, region, facts, raised_at, trigger, read_at, mail_status, last_error';

/** The user's alerts, newest first (a page of `limit`), and how many there are. */
export function listAlerts(
  store: OpsStore,
  userId: number,
  o: { limit?: number; offset?: number; unreadOnly?: boolean } = {},
): { total: number; alerts: Alert[] } {
  const unread = o.unreadOnly ? 1 : 0;
  const { n } = store.db
    .prepare('SELECT count(*) AS n FROM alerts WHERE user_id = ? AND (? = 0 OR read_at IS NULL)')
    .get(userId, unread) as { n: number };
  const rows = store.db
    .prepare(
      `SELECT ${ALERT_COLUMNS} FROM alerts WHERE user_id = ? AND (? = 0 OR read_at IS NULL)
       ORDER BY id DESC LIMIT ? OFFSET ?`,
    )
    .all(userId, unread, Math.min(o.limit ?? 50, 500), Math.max(o.offset ?? 0, 0)) as unknown as AlertRow[];
  return { total: Number(n), alerts: rows.map(alertFromRow) };
}

/** Mark the user's alerts read: the ones named, or all. Returns how many changed (someone else's ids change nothing). */
export function markRead(
  store: OpsStore,
  actor: Actor,
  userId: number,
  ids: readonly number[] | 'all',
): number {
  const user = activeUser(store, userId);
  if (ids !== 'all' && (ids.length > 500 || ids.some((i) => !Number.isSafeInteger(i) || i <= 0))) {
    throw new AlertError('Name at most 500 alerts by their numbers.');
  }
  return store.write(() => {
    const at = now();
    let changed = 0;
    if (ids === 'all') {
      changed = Number(
        store.db
          .prepare('UPDATE alerts SET read_at = ? WHERE user_id = ? AND read_at IS NULL')
          .run(at, userId).changes,
      );
    } else {
      const one = store.db.prepare(
        'UPDATE alerts SET read_at = ? WHERE id = ? AND user_id = ? AND read_at IS NULL',
      );
      for (const id of ids) changed += Number(one.run(at, id, userId).changes);
    }
    if (changed > 0) {
      appendAudit(store, actor, {
        action: 'alerts.read',
        target: `user:${user.username}`,
        after: { alerts: ids === 'all' ? 'all' : ids, changed },
      });
    }
    return changed;
  });
}
