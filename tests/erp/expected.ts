/**
 * The values written down in each fixture's SOURCES.md ("Expected …"), from the ERP's own semantics,
 * before the code ran. Amounts in the document currency, as DuckDB DECIMAL text.
 */
import type { Row } from '../../warehouse/convert.ts';

export interface ErpCase {
  readonly title: string;
  readonly profile: string;
  /** Folder under tests/fixtures. */
  readonly fixture: string;
  readonly asOf: string;
  /** invoice_id, amount, paid, credited, open, days past due (null when settled). */
  readonly invoices: readonly (readonly [string, string, string, string, string, number | null])[];
  /** customer_id, item_type, item_id, open_amount (signed), ordered by customer, type, id. */
  readonly openItems: readonly (readonly [string, string, string, string])[];
  /** Net AR per customer with open items. */
  readonly balances: Readonly<Record<string, string>>;
  /** file, row (as a spreadsheet numbers it), reason code, part of the reason. */
  readonly quarantined: readonly (readonly [string, number, string, string])[];
  /** SQL on the published warehouse and the rows it must return. */
  readonly checks: readonly (readonly [string, Row[]])[];
  /** file, column, value, rows, first row of the values that loaded as a fallback. */
  readonly notes: readonly (readonly [string, string, string, number, number])[];
}

const erpnext: ErpCase = {
  title: 'ERPNext v15 Report View exports (tests/fixtures/erpnext)',
  profile: 'erpnext',
  fixture: 'erpnext',
  asOf: '2024-06-30',
  invoices: [
    ['ACC-SINV-2024-00001', '450000.00', '450000.00', '0.00', '0.00', null],
    ['ACC-SINV-2024-00002', '1235.00', '1235.00', '0.00', '0.00', null],
    ['ACC-SINV-2024-00003', '10000.00', '5000.00', '500.00', '4500.00', 121],
    ['ACC-SINV-2024-00004', '1000.00', '0.00', '200.00', '800.00', 77],
    ['ACC-SINV-2024-00005', '250.00', '0.00', '0.00', '250.00', 89],
    ['ACC-SINV-2024-00008', '3000.00', '0.00', '0.00', '3000.00', 6],
  ],
  openItems: [
    ['CUST-00002', 'invoice', 'ACC-SINV-2024-00003', '4500.00'],
    ['CUST-00002', 'invoice', 'ACC-SINV-2024-00004', '800.00'],
    ['CUST-00002', 'unapplied_payment', 'ACC-PAY-2024-00004', '-800.00'],
    ['CUST-00003', 'invoice', 'ACC-SINV-2024-00005', '250.00'],
    ['CUST-00003', 'unapplied_payment', 'ACC-PAY-2024-00008', '-100.00'],
    ['CUST-00005', 'invoice', 'ACC-SINV-2024-00008', '3000.00'],
  ],
  balances: { 'CUST-00002': '4500.00', 'CUST-00003': '150.00', 'CUST-00005': '3000.00' },
  quarantined: [
    ['Payment Entry.csv', 5, 'rule:exceeds_payment', 'more than the payment (800.00 USD)'],
    ['Payment Entry.csv', 6, 'excluded_by_profile', 'a credit note netted inside this payment'],
    ['Payment Entry.csv', 7, 'excluded_by_profile', 'not money received'],
    ['Payment Entry.csv', 8, 'excluded_by_profile', 'a draft in ERPNext'],
    ['Payment Entry.csv', 9, 'excluded_by_profile', 'cancelled in ERPNext'],
    ['Sales Invoice.csv', 9, 'excluded_by_profile', 'a draft in ERPNext'],
    ['Sales Invoice.csv', 10, 'excluded_by_profile', 'cancelled in ERPNext'],
  ],
  checks: [
    [
      'SELECT customer_id, credit_limit, payment_terms_days, currency, status FROM raw.customers ORDER BY 1',
      [
        {
          customer_id: 'CUST-00001',
          credit_limit: '1500000.00',
          payment_terms_days: 60,
          currency: 'JPY',
          status: 'active',
        },
        {
          customer_id: 'CUST-00002',
          credit_limit: '25000.00',
          payment_terms_days: 30,
          currency: 'USD',
          status: 'active',
        },
        {
          customer_id: 'CUST-00003',
          credit_limit: null,
          payment_terms_days: 0,
          currency: 'USD',
          status: 'active',
        },
        {
          customer_id: 'CUST-00004',
          credit_limit: null,
          payment_terms_days: 30,
          currency: 'USD',
          status: 'inactive',
        },
        {
          customer_id: 'CUST-00005',
          credit_limit: '10000.00',
          payment_terms_days: 45,
          currency: 'USD',
          status: 'blocked',
        },
      ],
    ],
    [
      'SELECT credit_memo_id, invoice_id, amount FROM raw.credit_memos ORDER BY 1',
      [
        { credit_memo_id: 'ACC-SINV-RET-2024-00001', invoice_id: 'ACC-SINV-2024-00004', amount: '200.00' },
        { credit_memo_id: 'ACC-SINV-RET-2024-00002', invoice_id: 'ACC-SINV-2024-00003', amount: '500.00' },
      ],
    ],
    [
      "SELECT receipt_id, method FROM raw.payments WHERE receipt_id IN ('ACC-PAY-2024-00002', 'ACC-PAY-2024-00003') ORDER BY 1",
      [
        { receipt_id: 'ACC-PAY-2024-00002', method: 'check' },
        { receipt_id: 'ACC-PAY-2024-00003', method: 'other' },
      ],
    ],
    ["SELECT count(*)::INT AS n FROM raw.payments WHERE customer_id = 'SUP-0001'", [{ n: 0 }]],
  ],
  notes: [['Payment Entry.csv', 'Mode of Payment', 'UPI', 1, 4]],
};

const PAY = 'Payments (account.payment).csv';
const MOVES = 'Journal Entry (account.move).csv';

const odoo: ErpCase = {
  title: 'Odoo 17/18 list-view exports (tests/fixtures/odoo)',
  profile: 'odoo',
  fixture: 'odoo',
  asOf: '2024-06-30',
  invoices: [
    ['INV/2024/00001', '1500.00', '1500.00', '0.00', '0.00', null],
    ['INV/2024/00002', '2400.00', '1000.00', '0.00', '1400.00', 120],
    ['INV/2024/00003', '980.50', '0.00', '980.50', '0.00', null],
    ['INV/2024/00004', '3000.00', '0.00', '0.00', '3000.00', 72],
    ['INV/2024/00005', '1000.00', '0.00', '0.00', '1000.00', 67],
    ['INV/2024/00006', '500.00', '0.00', '0.00', '500.00', 90],
  ],
  openItems: [
    ['Azure Interior', 'invoice', 'INV/2024/00002', '1400.00'],
    ['Azure Interior', 'unallocated_credit', 'RINV/2024/00002', '-200.00'],
    ['Deco Addict', 'invoice', 'INV/2024/00004', '3000.00'],
    ['Deco Addict', 'invoice', 'INV/2024/00005', '1000.00'],
    ['Deco Addict', 'unapplied_payment', 'PBNK1/2024/00003', '-4000.00'],
    ['Ready Mat', 'invoice', 'INV/2024/00006', '500.00'],
    ['Ready Mat', 'unapplied_payment', 'PBNK1/2024/00007', '-120.00'],
  ],
  balances: { 'Azure Interior': '1200.00', 'Deco Addict': '0.00', 'Ready Mat': '380.00' },
  quarantined: [
    [MOVES, 9, 'excluded_by_profile', 'a draft in Odoo'],
    [MOVES, 10, 'excluded_by_profile', 'cancelled (or rejected) in Odoo'],
    [MOVES, 11, 'excluded_by_profile', 'not a customer invoice or credit note'],
    [PAY, 4, 'rule:exceeds_invoice', 'more than the invoice (3000.00 EUR)'],
    [PAY, 4, 'rule:exceeds_payment', 'more than the payment (4000.00 EUR)'],
    [PAY, 5, 'rule:exceeds_invoice', 'more than the invoice (1000.00 EUR)'],
    [PAY, 5, 'rule:exceeds_payment', 'more than the payment (4000.00 EUR)'],
    [PAY, 6, 'excluded_by_profile', 'not money received'],
    [PAY, 7, 'excluded_by_profile', 'a draft in Odoo'],
    [PAY, 8, 'excluded_by_profile', 'cancelled (or rejected) in Odoo'],
  ],
  checks: [
    [
      'SELECT customer_id, country, credit_limit, payment_terms_days, status FROM raw.customers ORDER BY 1',
      [
        {
          customer_id: 'Azure Interior',
          country: 'BE',
          credit_limit: '15000.00',
          payment_terms_days: 30,
          status: 'active',
        },
        {
          customer_id: 'Deco Addict',
          country: 'BE',
          credit_limit: null,
          payment_terms_days: 45,
          status: 'active',
        },
        {
          customer_id: 'Ready Mat',
          country: null,
          credit_limit: null,
          payment_terms_days: 0,
          status: 'active',
        },
        {
          customer_id: 'Wood Corner',
          country: 'US',
          credit_limit: '5000.00',
          payment_terms_days: 0,
          status: 'inactive',
        },
      ],
    ],
    [
      'SELECT credit_memo_id, invoice_id, amount FROM raw.credit_memos ORDER BY 1',
      [
        { credit_memo_id: 'RINV/2024/00001', invoice_id: 'INV/2024/00003', amount: '980.50' },
        { credit_memo_id: 'RINV/2024/00002', invoice_id: null, amount: '200.00' },
      ],
    ],
    [
      'SELECT receipt_id, amount, method FROM raw.payments ORDER BY 1',
      [
        { receipt_id: 'PBNK1/2024/00001', amount: '1500.00', method: 'other' },
        { receipt_id: 'PBNK1/2024/00002', amount: '1000.00', method: 'other' },
        { receipt_id: 'PBNK1/2024/00003', amount: '4000.00', method: 'other' },
        { receipt_id: 'PBNK1/2024/00007', amount: '120.00', method: 'other' },
      ],
    ],
  ],
  notes: [[PAY, 'Payment Method', 'Stripe', 1, 3]],
};

const FBL5N = 'FBL5N_line_items.txt';

const sap: ErpCase = {
  title: 'SAP FBL5N line items and KNA1 master, German locale (tests/fixtures/sap-fbl5n)',
  profile: 'sap-fbl5n',
  fixture: 'sap-fbl5n',
  asOf: '2024-06-30',
  invoices: [
    ['0090000001', '12345.67', '12345.67', '0.00', '0.00', null],
    ['0090000002', '1000.00', '0.00', '0.00', '1000.00', 120],
    ['0090000003', '5000.00', '5000.00', '0.00', '0.00', null],
    ['0090000004', '2500.00', '0.00', '250.00', '2250.00', 57],
    ['0090000007', '800.00', '0.00', '0.00', '800.00', 81],
  ],
  openItems: [
    ['0000100001', 'invoice', '0090000002', '1000.00'],
    ['0000100003', 'invoice', '0090000004', '2250.00'],
    ['0000100005', 'invoice', '0090000007', '800.00'],
    ['0000100005', 'unapplied_payment', '1400000003', '-300.00'],
  ],
  balances: { '0000100001': '1000.00', '0000100003': '2250.00', '0000100005': '500.00' },
  quarantined: [
    [FBL5N, 9, 'excluded_by_profile', 'a clearing document (type AB)'],
    [FBL5N, 10, 'excluded_by_profile', 'reversed in SAP'],
    [FBL5N, 11, 'excluded_by_profile', 'reversed in SAP'],
  ],
  checks: [
    [
      "SELECT customer_id, region, country, credit_limit, payment_terms_days, status FROM raw.customers WHERE customer_id = '0000100005'",
      [
        {
          customer_id: '0000100005',
          region: null,
          country: null,
          credit_limit: null,
          payment_terms_days: 0,
          status: 'active',
        },
      ],
    ],
    [
      'SELECT receipt_id, amount, method FROM raw.payments ORDER BY 1',
      [
        { receipt_id: '1400000001', amount: '12345.67', method: 'bank_transfer' },
        { receipt_id: '1400000002', amount: '5000.00', method: 'check' },
        { receipt_id: '1400000003', amount: '300.00', method: 'other' },
      ],
    ],
  ],
  notes: [[FBL5N, 'Payment Method', 'Z', 1, 13]],
};

export const ERP_CASES: readonly ErpCase[] = [erpnext, odoo, sap];
