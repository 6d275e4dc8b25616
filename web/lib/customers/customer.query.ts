/**
 * Cube queries of one customer's page. Every query filters on the customer number; Cube adds the
 * role's region or portfolio filter, so a customer outside them answers with no rows. Pure.
 */
import type { Query } from '@cubejs-client/core';
import { ACTIVITY_DIMENSIONS } from '../activities/activity.ts';

const is = (member: string, id: string) => ({ member, operator: 'equals' as const, values: [id] });

/** The customer: master data, balance against the limit, and the risk score. */
export function customerQuery(id: string): Query {
  const V = 'customer_risk';
  return {
    dimensions: [
      `${V}.customer_id`,
      `${V}.customer_name`,
      `${V}.region`,
      `${V}.country`,
      `${V}.segment`,
      `${V}.industry`,
      `${V}.salesperson`,
      `${V}.credit_controller`,
      `${V}.status`,
      `${V}.credit_utilisation`,
      `${V}.is_over_limit`,
      `${V}.risk_band`,
      `${V}.probability_of_default`,
      `${V}.top_features`,
      `${V}.model_version`,
      `${V}.scored_as_of`,
    ],
    measures: [`${V}.open_ar`, `${V}.overdue_ar`, `${V}.total_credit_limit`, `${V}.expected_loss`],
    filters: [is(`${V}.customer_id`, id)],
    limit: 1,
  };
}

/** AR per configured aging bucket at the as-of snapshot (the warehouse's latest balance). */
export function agingQuery(id: string, asOf: string): Query {
  return {
    measures: ['ar_balances.total_ar'],
    dimensions: ['ar_balances.aging_bucket', 'ar_balances.aging_bucket_order'],
    timeDimensions: [{ dimension: 'ar_balances.snapshot_date', dateRange: [asOf, asOf] }],
    filters: [is('ar_balances.customer_id', id)],
  };
}

/**
 * Balance at every month end, and at the as-of date for its month. Daily snapshots inside a month are
 * left out: a month's balance is its month end's, never an earlier day's.
 */
export function balanceHistoryQuery(id: string, asOf: string): Query {
  return {
    measures: ['ar_balances.total_ar', 'ar_balances.overdue_ar'],
    timeDimensions: [{ dimension: 'ar_balances.snapshot_date', granularity: 'month' }],
    filters: [
      is('ar_balances.customer_id', id),
      {
        or: [
          { member: 'ar_balances.is_month_end', operator: 'equals', values: ['true'] },
          { member: 'ar_balances.snapshot_date', operator: 'inDateRange', values: [asOf, asOf] },
        ],
      },
    ],
    order: { 'ar_balances.snapshot_date': 'asc' },
  };
}

/** Most open invoices shown; most settled ones shown. */
export const OPEN_INVOICE_LIMIT = 200;
export const SETTLED_INVOICE_LIMIT = 20;

const INVOICE_DIMENSIONS = [
  'invoice_id',
  'issue_date',
  'due_date',
  'currency',
  'invoice_amount',
  'open_amount_document',
  'days_past_due',
  'dunning_level',
  'has_open_dispute',
] as const;

/** Open invoices, oldest due date first (collections view: every role may query it). */
export function openInvoicesQuery(id: string): Query {
  const V = 'collections';
  return {
    dimensions: INVOICE_DIMENSIONS.map((d) => `${V}.${d}`),
    measures: [`${V}.open_amount`],
    filters: [
      is(`${V}.customer_id`, id),
      { member: `${V}.open_amount_document`, operator: 'gt', values: ['0'] },
    ],
    order: [
      [`${V}.due_date`, 'asc'],
      [`${V}.invoice_id`, 'asc'],
    ],
    limit: OPEN_INVOICE_LIMIT,
  };
}

/**
 * The latest settled invoices. Roles that may query the analyst view get the settlement date and days
 * to pay; a collector (collections view only) gets the invoices without them.
 */
export function settledInvoicesQuery(id: string, view: 'analyst' | 'collections'): Query {
  const extra = view === 'analyst' ? [`${view}.settled_date`, `${view}.days_to_pay`] : [];
  return {
    dimensions: [
      ...INVOICE_DIMENSIONS.filter((d) => d !== 'days_past_due' && d !== 'dunning_level').map(
        (d) => `${view}.${d}`,
      ),
      ...extra,
    ],
    filters: [
      is(`${view}.customer_id`, id),
      { member: `${view}.open_amount_document`, operator: 'equals', values: ['0'] },
    ],
    order: [
      [view === 'analyst' ? `${view}.settled_date` : `${view}.issue_date`, 'desc'],
      [`${view}.invoice_id`, 'desc'],
    ],
    limit: SETTLED_INVOICE_LIMIT,
  };
}

export const PAYMENT_LIMIT = 20;

/** The latest payments received. */
export function paymentsQuery(id: string): Query {
  const V = 'payments_received';
  return {
    dimensions: [
      `${V}.receipt_id`,
      `${V}.payment_date`,
      `${V}.payment_method`,
      `${V}.currency`,
      `${V}.bank_reference`,
    ],
    measures: [`${V}.amount`, `${V}.unapplied_amount`],
    filters: [is(`${V}.customer_id`, id)],
    order: [
      [`${V}.payment_date`, 'desc'],
      [`${V}.receipt_id`, 'desc'],
    ],
    limit: PAYMENT_LIMIT,
  };
}

export const DISPUTE_LIMIT = 50;

/** Invoices with a disputed amount: open disputes first, then the latest. */
export function disputesQuery(id: string): Query {
  const V = 'collections';
  return {
    dimensions: [
      `${V}.invoice_id`,
      `${V}.issue_date`,
      `${V}.currency`,
      `${V}.open_amount_document`,
      `${V}.has_open_dispute`,
    ],
    measures: [`${V}.disputed_amount`],
    filters: [is(`${V}.customer_id`, id), { member: `${V}.disputed_amount`, operator: 'gt', values: ['0'] }],
    order: [
      [`${V}.has_open_dispute`, 'desc'],
      [`${V}.issue_date`, 'desc'],
      [`${V}.invoice_id`, 'desc'],
    ],
    limit: DISPUTE_LIMIT,
  };
}

export const ACTIVITY_LIMIT = 100;

/** The latest collection activities, newest first. */
export function activitiesQuery(id: string): Query {
  return {
    dimensions: [...ACTIVITY_DIMENSIONS],
    // What ARLens recorded is shown live from the operational store (CollectionWork); the warehouse
    // has it too after a build (recorded_in = arlens), and is not shown twice.
    filters: [is('collection_log.customer_id', id), is('collection_log.recorded_in', 'erp')],
    order: [
      ['collection_log.activity_date', 'desc'],
      ['collection_log.activity_id', 'desc'],
    ],
    limit: ACTIVITY_LIMIT,
  };
}

export const PROMISE_LIMIT = 50;

/** Promises to pay (activities with a promise status), latest first. */
export function promisesQuery(id: string): Query {
  return {
    ...activitiesQuery(id),
    filters: [
      is('collection_log.customer_id', id),
      is('collection_log.recorded_in', 'erp'),
      { member: 'collection_log.promise_status', operator: 'set' },
    ],
    limit: PROMISE_LIMIT,
  };
}

/** All-time counts: activities, promises kept and broken, and the kept ratio. */
export function activitySummaryQuery(id: string): Query {
  const V = 'collection_log';
  return {
    measures: [
      `${V}.count`,
      `${V}.promises`,
      `${V}.promises_kept`,
      `${V}.promises_broken`,
      `${V}.promise_kept_ratio`,
    ],
    filters: [is(`${V}.customer_id`, id)],
  };
}
