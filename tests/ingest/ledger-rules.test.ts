/**
 * Payment applications must agree with the rest of the ledger: never before their invoice, never
 * more than their payment or their invoice (counting what is already loaded). A row that breaks one
 * is quarantined with the totals and what to do; the other rows load.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { CUSTOMERS_HEADER, INVOICES_HEADER, customerRow, published, tempDir, writeText } from '../helpers.ts';

let root: string;
let wh: string;
const APPS = 'receipt_id,invoice_id,applied_date,applied_amount';

beforeAll(async () => {
  root = await tempDir('arlens-ledger-rules-');
  wh = join(root, 'wh');
  const base = join(root, 'base');
  await fs.mkdir(base);
  await writeText(base, 'customers.csv', [CUSTOMERS_HEADER, customerRow('C1')].join('\n'));
  await writeText(
    base,
    'invoices.csv',
    [
      INVOICES_HEADER,
      'I1,C1,2026-02-01,2026-03-03,100.00,EUR,Services,,,',
      'I2,C1,2026-02-01,2026-03-03,50.00,EUR,Services,,,',
    ].join('\n'),
  );
  await writeText(
    base,
    'payments.csv',
    [
      'receipt_id,customer_id,payment_date,amount,currency,method,bank_reference',
      'R1,C1,2026-02-20,80.00,EUR,,',
      'R2,C1,2026-02-20,200.00,EUR,,',
      'R3,C1,2026-02-25,100.00,EUR,,',
    ].join('\n'),
  );
  await ingest([{ path: base, profile: 'canonical' }], { warehouseDir: wh });
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function load(name: string, lines: string[]) {
  const dir = join(root, name);
  await fs.mkdir(dir);
  await writeText(dir, 'payment_applications.csv', [APPS, ...lines].join('\n'));
  await ingest([{ path: dir, profile: 'canonical' }], { warehouseDir: wh });
  return published(
    wh,
    `SELECT row_number, column_name, reason_code, reason FROM meta.quarantine
     WHERE file_name = 'payment_applications.csv' AND load_id = (SELECT max(load_id) FROM meta.loads)
     ORDER BY row_number, reason_code`,
  );
}

describe('payment applications and the ledger', () => {
  it('quarantines an application before its invoice, and any that exceed their payment or invoice', async () => {
    const q = await load('first', [
      'R1,I1,2026-02-20,50.00', // row 2: R1 then holds 50 + 40 = 90 > 80
      'R1,I2,2026-02-20,40.00', // row 3: also I2 then holds 40 + 60 = 100 > 50
      'R2,I1,2026-01-15,10.00', // row 4: applied before I1 was issued (2026-02-01)
      'R2,I2,2026-02-20,60.00', // row 5: 60 > I2's 50
      'R3,I1,2026-02-25,30.00', // row 6: fine
    ]);
    expect(q.map((r) => [Number(r['row_number']), r['column_name'], r['reason_code']])).toEqual([
      [2, 'applied_amount', 'rule:exceeds_payment'],
      [3, 'applied_amount', 'rule:exceeds_invoice'],
      [3, 'applied_amount', 'rule:exceeds_payment'],
      [4, 'applied_date', 'rule:applied_before_invoice'],
      [5, 'applied_amount', 'rule:exceeds_invoice'],
    ]);
    expect(String(q[0]!['reason'])).toBe(
      'the applications of receipt R1 add up to 90.00, more than the payment (80.00 EUR). Check the export; ' +
        'if your ERP nets a credit note inside the payment (or the export does not say how much went to each ' +
        'invoice), load the credit note as a credit memo and the amount actually paid per invoice as the ' +
        'applications (docs/profiles.md)',
    );
    expect(String(q[3]!['reason'])).toContain('before invoice I1 was issued (2026-02-01)');
    expect(String(q[4]!['reason'])).toContain('add up to 100.00, more than the invoice (50.00 EUR)');
    const loaded = await published(
      wh,
      'SELECT receipt_id, invoice_id FROM raw.payment_applications ORDER BY 1, 2',
    );
    expect(loaded.map((r) => `${String(r['receipt_id'])}>${String(r['invoice_id'])}`)).toEqual(['R3>I1']);
  });

  it('counts what is already loaded, and a corrected row replaces the one it corrects', async () => {
    // I1 holds 30 (R3). A new 80 from R2 would make 110 > 100; R3's own correction to 20 replaces its 30.
    const q = await load('second', [
      'R2,I1,2026-02-21,80.00',
      'R3,I1,2026-02-25,20.00',
      'R1,I2,2026-02-21,50.00',
    ]);
    expect(q.map((r) => [Number(r['row_number']), r['reason_code']])).toEqual([]);
    const over = await load('third', ['R2,I2,2026-02-22,1.00']);
    expect(over.map((r) => r['reason_code'])).toEqual(['rule:exceeds_invoice']);
    expect(String(over[0]!['reason'])).toContain('add up to 51.00, more than the invoice (50.00 EUR)');
  });
});
