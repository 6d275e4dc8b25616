/**
 * One customer's page from its Cube rows: the account, aging, balance history, invoices, payments,
 * disputes, collection timeline, promises to pay and risk score. Pure.
 */
import { toBoolean, toDate, toMoney, toNumber, toText, type CubeRow } from '../cube/values.ts';
import { monthsBetween } from '../filters/filters.ts';
import { byNewest, parseActivity, type Activity, type PromiseStatus } from '../activities/activity.ts';
import { dunningLevel, type DunningLevel } from '../dunning/dunning.ts';
import { parseDrivers, type RiskDriver } from '../risk/drivers.ts';
import { bucketAmounts, type AgingBucketDef, type BucketAmount } from '../aging/buckets.ts';

// ---------- the account

export type Risk =
  | { readonly scored: false }
  | {
      readonly scored: true;
      readonly band: string;
      readonly probabilityOfDefault: number | null;
      readonly expectedLoss: string | null;
      readonly modelVersion: string | null;
      readonly scoredAsOf: string | null;
      readonly drivers: readonly RiskDriver[];
      /** top_features was not the JSON the model writes (the drivers cannot be shown). */
      readonly driversUnreadable: boolean;
    };

export interface Customer {
  readonly id: string;
  readonly name: string;
  readonly region: string | null;
  readonly country: string | null;
  readonly segment: string | null;
  readonly industry: string | null;
  readonly salesperson: string | null;
  readonly creditController: string | null;
  readonly status: string | null;
  /** Reporting currency, exact. */
  readonly openAr: string | null;
  readonly overdueAr: string | null;
  /** null: no credit limit set. */
  readonly creditLimit: string | null;
  readonly utilisation: number | null;
  readonly overLimit: boolean;
  readonly risk: Risk;
}

/** The customer from the customer_risk row, or null when there is none (not found, or not the role's). */
export function customerFromRows(rows: readonly CubeRow[]): Customer | null {
  const r = rows[0];
  if (!r) return null;
  const V = 'customer_risk';
  const band = toText(r[`${V}.risk_band`]);
  const limit = toMoney(r[`${V}.total_credit_limit`]);
  const { drivers, unreadable } = parseDrivers(r[`${V}.top_features`]);
  return {
    id: String(r[`${V}.customer_id`]),
    name: toText(r[`${V}.customer_name`]) ?? String(r[`${V}.customer_id`]),
    region: toText(r[`${V}.region`]),
    country: toText(r[`${V}.country`]),
    segment: toText(r[`${V}.segment`]),
    industry: toText(r[`${V}.industry`]),
    salesperson: toText(r[`${V}.salesperson`]),
    creditController: toText(r[`${V}.credit_controller`]),
    status: toText(r[`${V}.status`]),
    openAr: toMoney(r[`${V}.open_ar`]),
    overdueAr: toMoney(r[`${V}.overdue_ar`]),
    creditLimit: limit !== null && toNumber(limit) !== 0 ? limit : null,
    utilisation: toNumber(r[`${V}.credit_utilisation`]),
    overLimit: toBoolean(r[`${V}.is_over_limit`]),
    risk:
      band === null
        ? { scored: false }
        : {
            scored: true,
            band,
            probabilityOfDefault: toNumber(r[`${V}.probability_of_default`]),
            expectedLoss: toMoney(r[`${V}.expected_loss`]),
            modelVersion: toText(r[`${V}.model_version`]),
            scoredAsOf: toDate(r[`${V}.scored_as_of`]),
            drivers,
            driversUnreadable: unreadable,
          },
  };
}

// ---------- aging and balance history

/** The configured buckets at the as-of snapshot, current first; zero where nothing is open. */
export function agingBuckets(config: readonly AgingBucketDef[], rows: readonly CubeRow[]): BucketAmount[] {
  return bucketAmounts(config, rows, 'ar_balances');
}

/** True when every bucket is zero (nothing open). */
export function agingIsEmpty(buckets: readonly BucketAmount[]): boolean {
  return buckets.every((b) => toNumber(b.amount) === 0);
}

export interface BalancePoint {
  /** 'YYYY-MM-01'. */
  readonly month: string;
  /** Reporting currency, exact. */
  readonly total: string;
  readonly overdue: string;
}

/**
 * One point per month from the customer's first balance to the as-of month. Snapshots only hold
 * customers with something open, so a month without a row had nothing open: it is 0, not a gap.
 */
export function balanceHistory(rows: readonly CubeRow[], asOf: string | null): BalancePoint[] {
  const by = new Map<string, CubeRow>();
  for (const r of rows) {
    const m = toDate(r['ar_balances.snapshot_date.month']);
    if (m !== null) by.set(m, r);
  }
  const months = [...by.keys()].sort();
  const first = months[0];
  if (first === undefined) return [];
  const lastWithData = months.at(-1) ?? first;
  const asOfMonth = asOf ? `${asOf.slice(0, 7)}-01` : lastWithData;
  const last = asOfMonth > lastWithData ? asOfMonth : lastWithData;
  return monthsBetween(first, last).map((month) => {
    const r = by.get(month);
    return {
      month,
      total: toMoney(r?.['ar_balances.total_ar']) ?? '0.00',
      overdue: toMoney(r?.['ar_balances.overdue_ar']) ?? '0.00',
    };
  });
}

// ---------- invoices, payments, disputes

export interface Invoice {
  readonly id: string;
  readonly issueDate: string | null;
  readonly dueDate: string | null;
  readonly currency: string | null;
  /** Document currency, exact. */
  readonly amount: string | null;
  readonly openAmountDocument: string | null;
  /** Reporting currency (open invoices only). */
  readonly openAmount: string | null;
  readonly daysPastDue: number | null;
  readonly dunningLevel: DunningLevel | null;
  readonly hasOpenDispute: boolean;
  /** Settled invoices seen through the analyst view. */
  readonly settledDate: string | null;
  readonly daysToPay: number | null;
}

/** Invoices from the collections or analyst view rows (`view` is the prefix of the members). */
export function invoices(rows: readonly CubeRow[], view: 'collections' | 'analyst'): Invoice[] {
  return rows.map((r) => ({
    id: String(r[`${view}.invoice_id`]),
    issueDate: toDate(r[`${view}.issue_date`]),
    dueDate: toDate(r[`${view}.due_date`]),
    currency: toText(r[`${view}.currency`]),
    amount: toMoney(r[`${view}.invoice_amount`]),
    openAmountDocument: toMoney(r[`${view}.open_amount_document`]),
    openAmount: toMoney(r[`${view}.open_amount`]),
    daysPastDue: toNumber(r[`${view}.days_past_due`]),
    dunningLevel: dunningLevel(toNumber(r[`${view}.dunning_level`])),
    hasOpenDispute: toBoolean(r[`${view}.has_open_dispute`]),
    settledDate: toDate(r[`${view}.settled_date`]),
    daysToPay: toNumber(r[`${view}.days_to_pay`]),
  }));
}

export interface Payment {
  readonly id: string;
  readonly date: string | null;
  readonly method: string | null;
  readonly currency: string | null;
  readonly bankReference: string | null;
  /** Reporting currency, exact. */
  readonly amount: string | null;
  /** Payment currency, exact. */
  readonly unapplied: string | null;
}

export function payments(rows: readonly CubeRow[]): Payment[] {
  const V = 'payments_received';
  return rows.map((r) => ({
    id: String(r[`${V}.receipt_id`]),
    date: toDate(r[`${V}.payment_date`]),
    method: toText(r[`${V}.payment_method`]),
    currency: toText(r[`${V}.currency`]),
    bankReference: toText(r[`${V}.bank_reference`]),
    amount: toMoney(r[`${V}.amount`]),
    unapplied: toMoney(r[`${V}.unapplied_amount`]),
  }));
}

export interface Dispute {
  readonly invoiceId: string;
  readonly issueDate: string | null;
  readonly currency: string | null;
  /** Still open on the invoice, document currency. */
  readonly openAmountDocument: string | null;
  /** Reporting currency, exact. */
  readonly disputedAmount: string | null;
  readonly open: boolean;
}

export function disputes(rows: readonly CubeRow[]): Dispute[] {
  const V = 'collections';
  return rows.map((r) => ({
    invoiceId: String(r[`${V}.invoice_id`]),
    issueDate: toDate(r[`${V}.issue_date`]),
    currency: toText(r[`${V}.currency`]),
    openAmountDocument: toMoney(r[`${V}.open_amount_document`]),
    disputedAmount: toMoney(r[`${V}.disputed_amount`]),
    open: toBoolean(r[`${V}.has_open_dispute`]),
  }));
}

// ---------- collection timeline and promises

export interface TimelineMonth {
  /** 'YYYY-MM-01'. */
  readonly month: string;
  /** Newest first. */
  readonly activities: readonly Activity[];
}

/** Activities newest first, grouped by month. */
export function timeline(rows: readonly CubeRow[]): TimelineMonth[] {
  const out: { month: string; activities: Activity[] }[] = [];
  for (const a of rows.map(parseActivity).sort(byNewest)) {
    const month = `${a.date.slice(0, 7)}-01`;
    const group = out.at(-1);
    if (group && group.month === month) group.activities.push(a);
    else out.push({ month, activities: [a] });
  }
  return out;
}

export interface PromiseRow {
  readonly activityId: string;
  /** When the promise was made. */
  readonly madeOn: string;
  readonly invoiceId: string | null;
  readonly collector: string | null;
  readonly promisedDate: string | null;
  readonly amount: string | null;
  readonly currency: string | null;
  readonly status: PromiseStatus;
}

/** Promises to pay, newest first. */
export function promises(rows: readonly CubeRow[]): PromiseRow[] {
  return rows
    .map(parseActivity)
    .sort(byNewest)
    .flatMap((a) =>
      a.promise
        ? [
            {
              activityId: a.id,
              madeOn: a.date,
              invoiceId: a.invoiceId,
              collector: a.collector,
              promisedDate: a.promise.date,
              amount: a.promise.amount,
              currency: a.promise.currency,
              status: a.promise.status,
            },
          ]
        : [],
    );
}

export interface ActivitySummary {
  readonly activities: number;
  readonly promises: number;
  readonly kept: number;
  readonly broken: number;
  /** Promises whose date has not come (or not been settled) yet. */
  readonly pending: number;
  /** Kept / (kept + broken); null when none has come due. */
  readonly keptRatio: number | null;
}

export function activitySummary(rows: readonly CubeRow[]): ActivitySummary {
  const r = rows[0];
  const V = 'collection_log';
  const n = (m: string) => toNumber(r?.[`${V}.${m}`]) ?? 0;
  const kept = n('promises_kept');
  const broken = n('promises_broken');
  return {
    activities: n('count'),
    promises: n('promises'),
    kept,
    broken,
    pending: Math.max(0, n('promises') - kept - broken),
    keptRatio: kept + broken > 0 ? toNumber(r?.[`${V}.promise_kept_ratio`]) : null,
  };
}
