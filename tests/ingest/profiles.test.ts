import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { listBuiltinProfiles, loadProfile, parseProfile } from '../../ingest/profile.ts';
import { FIXTURES, published, tempDir } from '../helpers.ts';

let root: string;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('built-in profiles', () => {
  it('all parse and are checked against the contract', async () => {
    const names = await listBuiltinProfiles();
    expect(names).toEqual(['canonical', 'erpnext', 'ibm-ar', 'odoo', 'sap-fbl5n']);
    for (const name of names) expect((await loadProfile(name)).name).toBe(name);
    expect(() =>
      parseProfile(
        {
          name: 'x',
          title: 'x',
          description: 'x',
          mappings: [{ entity: 'invoices', files: '*', columns: { amout: 'A' } }],
        },
        'x.yaml',
      ),
    ).toThrow('"amout" is not a field of invoices');
  });

  it('SAP FBL5N + KNA1: Windows-1252, semicolons, 1.234,56, trailing minus, document types', async () => {
    const wh = join(root, 'sap');
    const report = await ingest([{ path: join(FIXTURES, 'sap-fbl5n'), profile: 'sap-fbl5n' }], {
      warehouseDir: wh,
    });
    expect(report.loads.map((l) => [l.entity, l.rowsRead, l.rowsLoaded, l.rowsQuarantined])).toEqual([
      ['customers', 5, 5, 0],
      ['invoices', 5, 5, 0],
      ['payments', 3, 3, 0],
      ['payment_applications', 2, 2, 0],
      ['credit_memos', 1, 1, 0],
      ['excluded', 3, 0, 3],
      ['unmapped', 0, 0, 0],
    ]);
    expect(report.quarantineSample[0]).toEqual({
      file: 'FBL5N_line_items.txt',
      row: 9,
      column: 'Document Type',
      value: 'Document Type = AB',
      reason:
        "a clearing document (type AB) moves no money; the clearing it records is loaded from the cleared items' Clearing Document",
    });
    expect(
      await published(
        wh,
        'SELECT customer_id, customer_name, credit_limit, payment_terms_days, status FROM raw.customers ORDER BY 1 LIMIT 4',
      ),
    ).toEqual([
      {
        customer_id: '0000100001',
        customer_name: 'Müller Maschinenbau GmbH',
        credit_limit: '250000.00',
        payment_terms_days: 30,
        status: 'active',
      },
      {
        customer_id: '0000100002',
        customer_name: "Société Générale d'Équipement SA",
        credit_limit: '80000.00',
        payment_terms_days: 45,
        status: 'blocked',
      },
      {
        customer_id: '0000100003',
        customer_name: 'Smith & Sons Ltd',
        credit_limit: null,
        payment_terms_days: 60,
        status: 'active',
      },
      {
        customer_id: '0000100004',
        customer_name: 'Nordlicht Handel AG',
        credit_limit: '12500.50',
        payment_terms_days: 14,
        status: 'blacklisted',
      },
    ]);
    expect(
      await published(
        wh,
        'SELECT invoice_id, issue_date, due_date, amount, product_line FROM raw.invoices ORDER BY 1 LIMIT 4',
      ),
    ).toEqual([
      {
        invoice_id: '0090000001',
        issue_date: '2024-01-15',
        due_date: '2024-02-14',
        amount: '12345.67',
        product_line: 'Ersatzteile',
      },
      {
        invoice_id: '0090000002',
        issue_date: '2024-02-01',
        due_date: '2024-03-02',
        amount: '1000.00',
        product_line: 'Maschinen',
      },
      {
        invoice_id: '0090000003',
        issue_date: '2024-02-10',
        due_date: '2024-03-26',
        amount: '5000.00',
        product_line: 'Service',
      },
      {
        invoice_id: '0090000004',
        issue_date: '2024-03-05',
        due_date: '2024-05-04',
        amount: '2500.00',
        product_line: 'Service',
      },
    ]);
    expect(
      await published(
        wh,
        'SELECT receipt_id, amount, method, bank_reference FROM raw.payments ORDER BY 1 LIMIT 2',
      ),
    ).toEqual([
      { receipt_id: '1400000001', amount: '12345.67', method: 'bank_transfer', bank_reference: 'SEPA 4711' },
      { receipt_id: '1400000002', amount: '5000.00', method: 'check', bank_reference: 'Scheck 0815' },
    ]);
    expect(
      await published(
        wh,
        'SELECT receipt_id, invoice_id, applied_date, applied_amount FROM raw.payment_applications ORDER BY 1',
      ),
    ).toEqual([
      {
        receipt_id: '1400000001',
        invoice_id: '0090000001',
        applied_date: '2024-02-20',
        applied_amount: '12345.67',
      },
      {
        receipt_id: '1400000002',
        invoice_id: '0090000003',
        applied_date: '2024-03-28',
        applied_amount: '5000.00',
      },
    ]);
    expect(await published(wh, 'SELECT invoice_id, amount, currency, reason FROM raw.credit_memos')).toEqual([
      { invoice_id: '0090000004', amount: '250.00', currency: 'GBP', reason: 'Gutschrift Preisdifferenz' },
    ]);
  });

  it('ERPNext: Report View exports with child-table rows; drafts, cancellations and supplier payments excluded', async () => {
    const wh = join(root, 'erpnext');
    const report = await ingest([{ path: join(FIXTURES, 'erpnext'), profile: 'erpnext' }], {
      warehouseDir: wh,
    });
    expect(report.loads.map((l) => [l.file, l.entity, l.rowsLoaded, l.rowsQuarantined])).toEqual([
      ['Customer.csv', 'customers', 6, 0],
      ['Sales Invoice.csv', 'invoices', 7, 0],
      ['Payment Entry.csv', 'payments', 5, 0],
      ['Payment Entry.csv', 'payment_applications', 3, 1],
      ['Sales Invoice.csv', 'credit_memos', 2, 0],
      ['Payment Entry.csv', 'excluded', 0, 4],
      ['Sales Invoice.csv', 'excluded', 0, 2],
      ['Payment Entry.csv', 'unmapped', 0, 0],
      ['Sales Invoice.csv', 'unmapped', 0, 0],
    ]);
    expect(report.notes.map((n) => [n.file, n.column, n.value, n.rows])).toEqual([
      ['Payment Entry.csv', 'Mode of Payment', 'UPI', 1],
    ]);
    expect(
      await published(
        wh,
        'SELECT invoice_id, due_date, amount, currency FROM raw.invoices ORDER BY 1 LIMIT 2',
      ),
    ).toEqual([
      { invoice_id: 'ACC-SINV-2024-00001', due_date: '2024-03-05', amount: '450000.00', currency: 'JPY' },
      { invoice_id: 'ACC-SINV-2024-00002', due_date: '2024-02-09', amount: '1235.00', currency: 'USD' },
    ]);
  });

  it('IBM Accounts Receivable sample: every row loads and DaysToSettle / DaysLate are reproduced', async () => {
    const wh = join(root, 'ibm');
    const file = join(FIXTURES, 'ibm-ar', 'WA_Fn-UseC_-Accounts-Receivable.csv');
    const report = await ingest([{ path: file, profile: 'ibm-ar' }], { warehouseDir: wh });
    expect(report.loads.map((l) => [l.entity, l.rowsRead, l.rowsQuarantined, l.inserted])).toEqual([
      ['customers', 2466, 0, 100],
      ['invoices', 2466, 0, 2466],
      ['payments', 2466, 0, 2466],
      ['payment_applications', 2466, 0, 2466],
      ['disputes', 561, 0, 561],
    ]);
    // Compare with the sample's own DaysToSettle and DaysLate columns, read independently of the profile.
    const mismatches = await published(
      wh,
      `WITH src AS (
         SELECT invoiceNumber AS invoice_id, DaysToSettle::INT AS days_to_settle, DaysLate::INT AS days_late
         FROM read_csv($1, all_varchar = true, header = true)),
       loaded AS (
         SELECT i.invoice_id, a.applied_date - i.issue_date AS days_to_settle,
                greatest(0, a.applied_date - i.due_date) AS days_late
         FROM raw.invoices i JOIN raw.payment_applications a USING (invoice_id))
       SELECT count(*) AS n, count(*) FILTER (WHERE s.days_to_settle <> l.days_to_settle OR s.days_late <> l.days_late) AS bad
       FROM src s JOIN loaded l USING (invoice_id)`,
      [file],
    );
    expect(mismatches).toEqual([{ n: '2466', bad: '0' }]);
    expect(
      await published(wh, "SELECT invoice_id FROM raw.invoices WHERE invoice_id = '0000611365'"),
    ).toHaveLength(1);
  });
});
