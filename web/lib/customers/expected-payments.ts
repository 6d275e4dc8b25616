/** The customer page's expected payments: the query and its rows. Pure. */
import type { Query } from '@cubejs-client/core';
import { toDate, toMoney, toNumber, toText, type CubeRow } from '../cube/values.ts';

export const EXPECTED_PAYMENT_LIMIT = 50;
const V = 'expected_payments';

export function expectedPaymentsQuery(id: string): Query {
  return {
    dimensions: [
      `${V}.invoice_id`,
      `${V}.currency_code`,
      `${V}.due_date`,
      `${V}.expected_payment_date`,
      `${V}.probability_paid_13w`,
      `${V}.open_amount_document`,
    ],
    measures: [`${V}.expected_amount`],
    filters: [{ member: `${V}.customer_id`, operator: 'equals', values: [id] }],
    order: [
      [`${V}.expected_payment_date`, 'asc'],
      [`${V}.invoice_id`, 'asc'],
    ],
    limit: EXPECTED_PAYMENT_LIMIT,
  };
}

export interface ExpectedPayment {
  readonly invoiceId: string;
  readonly currency: string | null;
  readonly dueDate: string | null;
  /** null: more likely paid after 13 weeks, or never. */
  readonly expectedDate: string | null;
  readonly probability: number | null;
  readonly openAmount: string | null;
  /** Reporting currency. */
  readonly expectedAmount: string | null;
}

export function expectedPayments(rows: readonly CubeRow[]): ExpectedPayment[] {
  return rows.map((r) => ({
    invoiceId: toText(r[`${V}.invoice_id`]) ?? '',
    currency: toText(r[`${V}.currency_code`]),
    dueDate: toDate(r[`${V}.due_date`]),
    expectedDate: toDate(r[`${V}.expected_payment_date`]),
    probability: toNumber(r[`${V}.probability_paid_13w`]),
    openAmount: toMoney(r[`${V}.open_amount_document`]),
    expectedAmount: toMoney(r[`${V}.expected_amount`]),
  }));
}
