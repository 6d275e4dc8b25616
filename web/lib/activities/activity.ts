/**
 * Collection activities (collection_log view) as the pages use them: the customer's timeline and
 * promises, and the worklist's "last activity" per invoice. Pure.
 */
import { toDate, toMoney, toText, type CubeRow } from '../cube/values.ts';

export type PromiseStatus = 'kept' | 'broken' | 'pending';
const PROMISE_STATUSES: readonly string[] = ['kept', 'broken', 'pending'];

export interface PromiseToPay {
  /** Date the customer promised to pay by ('YYYY-MM-DD'). */
  readonly date: string | null;
  /** Exact decimal string in `currency`. */
  readonly amount: string | null;
  readonly currency: string | null;
  readonly status: PromiseStatus;
}

export interface Activity {
  readonly id: string;
  /** null: about the whole account. */
  readonly invoiceId: string | null;
  readonly customerId: string | null;
  readonly date: string;
  /** call, email, letter, visit (as exported). */
  readonly type: string;
  /** contacted, no_answer, promise_to_pay, paid, … (as exported). */
  readonly outcome: string | null;
  /** The collector's note, shown as text. */
  readonly note: string | null;
  readonly collector: string | null;
  readonly promise: PromiseToPay | null;
}

const V = 'collection_log';

/** The collection_log dimensions `parseActivity` reads. */
export const ACTIVITY_DIMENSIONS = [
  `${V}.activity_id`,
  `${V}.invoice_id`,
  `${V}.customer_id`,
  `${V}.activity_date`,
  `${V}.activity_type`,
  `${V}.outcome`,
  `${V}.note`,
  `${V}.collector`,
  `${V}.promised_date`,
  `${V}.promised_amount`,
  `${V}.promise_currency`,
  `${V}.promise_status`,
] as const;

export function parseActivity(r: CubeRow): Activity {
  const status = toText(r[`${V}.promise_status`]);
  const date = toDate(r[`${V}.activity_date`]);
  if (date === null) throw new Error(`collection activity without a date: ${String(r[`${V}.activity_id`])}`);
  return {
    id: String(r[`${V}.activity_id`]),
    invoiceId: toText(r[`${V}.invoice_id`]),
    customerId: toText(r[`${V}.customer_id`]),
    date,
    type: toText(r[`${V}.activity_type`]) ?? '',
    outcome: toText(r[`${V}.outcome`]),
    note: toText(r[`${V}.note`]),
    collector: toText(r[`${V}.collector`]),
    promise:
      status !== null && PROMISE_STATUSES.includes(status)
        ? {
            date: toDate(r[`${V}.promised_date`]),
            amount: toMoney(r[`${V}.promised_amount`]),
            currency: toText(r[`${V}.promise_currency`]),
            status: status as PromiseStatus,
          }
        : null,
  };
}

/** Newest first; same day: higher activity number first (entered later). */
export function byNewest(a: Activity, b: Activity): number {
  return a.date < b.date ? 1 : a.date > b.date ? -1 : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** What the worklist needs to know about one invoice's (or account's) history. */
export interface ActivityState {
  readonly last: Activity | null;
  /** The most recent activity with a promise to pay. */
  readonly latestPromise: Activity | null;
}

const EMPTY: ActivityState = { last: null, latestPromise: null };

function fold(list: readonly Activity[]): ActivityState {
  const sorted = [...list].sort(byNewest);
  return { last: sorted[0] ?? null, latestPromise: sorted.find((a) => a.promise !== null) ?? null };
}

/**
 * The history behind each worklist invoice: its own activities plus its customer's account-level
 * ones (no invoice number), newest first.
 */
export function activityStates(
  activities: readonly Activity[],
  invoices: readonly { readonly invoiceId: string; readonly customerId: string }[],
): Map<string, ActivityState> {
  const byInvoice = new Map<string, Activity[]>();
  const byAccount = new Map<string, Activity[]>();
  for (const a of activities) {
    if (a.invoiceId !== null) byInvoice.set(a.invoiceId, [...(byInvoice.get(a.invoiceId) ?? []), a]);
    else if (a.customerId !== null) byAccount.set(a.customerId, [...(byAccount.get(a.customerId) ?? []), a]);
  }
  const out = new Map<string, ActivityState>();
  for (const inv of invoices) {
    const list = [...(byInvoice.get(inv.invoiceId) ?? []), ...(byAccount.get(inv.customerId) ?? [])];
    out.set(inv.invoiceId, list.length ? fold(list) : EMPTY);
  }
  return out;
}
