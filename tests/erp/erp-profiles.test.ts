/**
 * ERP exports as the ERPs write them, loaded unedited: `arlens ingest --profile <erp>` (the CLI, in a
 * child process) and the marts built as of a date. Each fixture's SOURCES.md says where its layout and
 * column names come from and writes down the expected values, from the ERP's own semantics, before the
 * code ran; this test holds the code to them: open items per invoice, each customer's balance, what is
 * quarantined (cancelled and draft documents, other parties' payments) and why, and the values that
 * loaded as a declared fallback.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../models/runner/index.ts';
import { cliArgs, FIXTURES, published, ROOT, tempDir } from '../helpers.ts';
import { ERP_CASES, type ErpCase } from './expected.ts';

let root: string;
const warehouses = new Map<string, { dir: string; output: string }>();

async function cli(...args: string[]): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, cliArgs(...args), {
    cwd: ROOT,
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}

beforeAll(async () => {
  root = await tempDir('arlens-erp-');
}, 30_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function loaded(c: ErpCase): Promise<{ dir: string; output: string }> {
  const known = warehouses.get(c.profile);
  if (known) return known;
  const dir = join(root, c.profile);
  const output = await cli('--warehouse', dir, 'ingest', join(FIXTURES, c.fixture), '--profile', c.profile);
  await build({ projectDir: join(ROOT, 'models'), warehouseDir: dir, vars: { as_of_date: c.asOf } });
  const result = { dir, output };
  warehouses.set(c.profile, result);
  return result;
}

describe.each(ERP_CASES)('$title', (c) => {
  it('loads unedited through arlens ingest; the invoices and open items equal the values written down', async () => {
    const { dir, output } = await loaded(c);
    expect(output).toContain('Published run');
    const invoices = await published(
      dir,
      `SELECT invoice_id, invoice_amount, paid_amount, credited_amount, open_amount, days_past_due
       FROM marts.fct_invoices ORDER BY invoice_id`,
    );
    expect(
      invoices.map((r) => [
        r['invoice_id'],
        r['invoice_amount'],
        r['paid_amount'],
        r['credited_amount'],
        r['open_amount'],
        r['days_past_due'] === null ? null : Number(r['days_past_due']),
      ]),
    ).toEqual(c.invoices);
    const items = await published(
      dir,
      `SELECT customer_id, item_type, item_id, open_amount FROM marts.fct_open_items ORDER BY customer_id, item_type, item_id`,
    );
    expect(items.map((r) => [r['customer_id'], r['item_type'], r['item_id'], r['open_amount']])).toEqual(
      c.openItems,
    );
    const balances = await published(
      dir,
      `SELECT customer_id, sum(open_amount)::DECIMAL(18, 2)::VARCHAR AS balance
       FROM marts.fct_open_items GROUP BY customer_id ORDER BY customer_id`,
    );
    expect(Object.fromEntries(balances.map((r) => [r['customer_id'], r['balance']]))).toEqual(c.balances);
  }, 240_000);

  it('quarantines what the ERP does not count, each row with file, row, column and reason', async () => {
    const { dir } = await loaded(c);
    const rows = await published(
      dir,
      `SELECT file_name, row_number, column_name, reason_code, reason FROM meta.quarantine
       ORDER BY file_name, row_number, reason_code`,
    );
    expect(rows.map((r) => [r['file_name'], Number(r['row_number']), r['reason_code']])).toEqual(
      c.quarantined.map((q) => [q[0], q[1], q[2]]),
    );
    for (const [i, q] of c.quarantined.entries()) expect(String(rows[i]?.['reason'])).toContain(q[3]);
    for (const r of rows) expect(String(r['column_name'])).not.toBe('');
  }, 240_000);

  it('master data and documents as the ERP means them; unmapped values load as the declared fallback, with a note', async () => {
    const { dir, output } = await loaded(c);
    for (const [sql, expected] of c.checks) expect(await published(dir, sql)).toEqual(expected);
    const notes = await published(
      dir,
      'SELECT file_name, column_name, value, row_count, first_row FROM meta.load_notes ORDER BY file_name, value',
    );
    expect(
      notes.map((n) => [
        n['file_name'],
        n['column_name'],
        n['value'],
        Number(n['row_count']),
        Number(n['first_row']),
      ]),
    ).toEqual(c.notes);
    for (const n of c.notes) expect(output).toContain(`"${n[2]}" in column ${n[1]}`);
  }, 240_000);
});

describe('ERPNext: the netted credit note, then the split the docs tell the user to load', () => {
  it('a one-line payment_applications file puts the 800.00 paid on the invoice; the balance stays 4500.00', async () => {
    const dir = join(root, 'erpnext-split');
    await cli('--warehouse', dir, 'ingest', join(FIXTURES, 'erpnext'), '--profile', 'erpnext');
    const split = join(root, 'payment_applications.csv');
    await fs.writeFile(
      split,
      'receipt_id,invoice_id,applied_date,applied_amount\nACC-PAY-2024-00004,ACC-SINV-2024-00004,2024-04-20,800.00\n',
    );
    const output = await cli('--warehouse', dir, 'ingest', split, '--profile', 'canonical');
    expect(output).not.toContain('quarantined and not loaded');
    await build({ projectDir: join(ROOT, 'models'), warehouseDir: dir, vars: { as_of_date: '2024-06-30' } });
    expect(
      await published(
        dir,
        `SELECT item_id, open_amount FROM marts.fct_open_items WHERE customer_id = 'CUST-00002' ORDER BY item_id`,
      ),
    ).toEqual([{ item_id: 'ACC-SINV-2024-00003', open_amount: '4500.00' }]);
  }, 240_000);
});
