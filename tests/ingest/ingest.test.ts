import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { warehouseFiles } from '../../warehouse/store.ts';
import { CUSTOMERS_HEADER, INVOICES_HEADER, customerRow, published, tempDir, writeText } from '../helpers.ts';

let root: string;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function fresh(name: string): Promise<{ exports: string; wh: string }> {
  const exports = join(root, name, 'exports');
  await fs.mkdir(exports, { recursive: true });
  return { exports, wh: join(root, name, 'warehouse') };
}

describe('quarantine', () => {
  it('loads good rows and quarantines each bad one with file, row, column and reason', async () => {
    const { exports, wh } = await fresh('quarantine');
    await writeText(
      exports,
      'customers.csv',
      [
        CUSTOMERS_HEADER,
        customerRow('C1'),
        customerRow('C2', '"<script>alert(""x"")</script> & Co"'),
        customerRow('C3', '=HYPERLINK("http://x.invalid"; "click")'),
        customerRow('C4', '株式会社山田製作所', 'JPY'),
        'C5,Bad Country,EMEA,Germany,SMB,Retail,Anna,Bob,10.00,30,EUR,active',
        'C6,Bad Status,EMEA,DE,SMB,Retail,Anna,Bob,10.00,30,EUR,sleeping',
        'C7,,EMEA,DE,SMB,Retail,Anna,Bob,10.00,30,EUR,active',
      ].join('\n'),
    );
    await writeText(
      exports,
      'invoices.csv',
      [
        INVOICES_HEADER,
        'I1,C1,2024-03-01,2024-03-31,100.50,EUR,Hardware,,,', // ok (row 2)
        'I2,C404,2024-03-01,2024-03-31,10.00,EUR,Hardware,,,', // unknown customer
        'I3,C1,2024-03-31,2024-03-01,10.00,EUR,Hardware,,,', // due before issue
        'I4,C1,2024-03-01,2024-03-31,-10.00,EUR,Hardware,,,', // negative amount
        'I5,C1,2024-03-01,2024-03-31,10.00,XYZ,Hardware,,,', // unknown currency
        'I6,C1,2024-02-30,2024-03-31,10.00,EUR,Hardware,,,', // bad date
        'I7,C1,2024-03-01,2024-03-31,ten,EUR,Hardware,,,', // bad number
        'I8,C1,2024-03-01,2024-03-31,10.005,EUR,Hardware,,,', // too many decimals
        'I9,C1,2024-03-01,,10.00,EUR,Hardware,,,', // missing due date (a product line may be empty)
        'I1,C1,2024-03-01,2024-03-31,100.50,EUR,Hardware,,,', // duplicate key of row 2
        'I10,C4,2024-03-01,2024-04-30,120000,JPY,Services,SO-1,B-1,Ken', // ok
      ].join('\n'),
    );
    const report = await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    expect(report.published).toBe(true);
    const byEntity = Object.fromEntries(report.loads.map((l) => [l.entity, l]));
    expect(byEntity['customers']).toMatchObject({ rowsRead: 7, rowsLoaded: 4, rowsQuarantined: 3 });
    expect(byEntity['invoices']).toMatchObject({ rowsRead: 11, rowsLoaded: 2, rowsQuarantined: 9 });

    const q = await published(
      wh,
      `SELECT file_name, row_number, column_name, reason_code, reason, value FROM meta.quarantine ORDER BY file_name, row_number, column_name`,
    );
    const inv = q.filter((r) => r['file_name'] === 'invoices.csv');
    const codeAt = (row: number) =>
      inv.filter((r) => Number(r['row_number']) === row).map((r) => r['reason_code']);
    expect(codeAt(3)).toEqual(['unknown_reference']);
    expect(codeAt(4)).toEqual(['rule:due_after_issue']);
    expect(codeAt(5)).toEqual(['below_minimum']);
    expect(codeAt(6)).toEqual(['unknown_currency']);
    expect(codeAt(7)).toEqual(['bad_type']);
    expect(codeAt(8)).toEqual(['bad_type']);
    expect(codeAt(9)).toEqual(['too_many_decimals']);
    expect(codeAt(10)).toEqual(['missing_required']);
    expect(codeAt(11)).toEqual(['duplicate_key']);
    const dup = inv.find((r) => Number(r['row_number']) === 11);
    expect(dup?.['reason']).toContain('row 2');
    expect(inv.find((r) => Number(r['row_number']) === 3)).toMatchObject({
      column_name: 'customer_id',
      value: 'C404',
    });
    expect(inv.find((r) => Number(r['row_number']) === 5)?.['reason']).toBe('negative amount');
    expect(inv.find((r) => Number(r['row_number']) === 7)?.['reason']).toContain('not a valid date');
    // Each record keeps the row as exported, so the user can see and fix it.
    const rowValues = await published(
      wh,
      `SELECT row_number, row_values FROM meta.quarantine WHERE file_name = 'invoices.csv' AND row_number IN (5, 11) ORDER BY 1`,
    );
    expect(JSON.parse(String(rowValues[0]?.['row_values']))).toMatchObject({
      invoice_id: 'I4',
      amount: '-10.00',
    });
    expect(JSON.parse(String(rowValues[1]?.['row_values']))).toMatchObject({
      invoice_id: 'I1',
      customer_id: 'C1',
    });

    const cust = q.filter((r) => r['file_name'] === 'customers.csv');
    expect(cust.map((r) => [Number(r['row_number']), r['column_name'], r['reason_code']])).toEqual([
      [6, 'country', 'bad_country'],
      [7, 'status', 'bad_value'],
      [8, 'customer_name', 'missing_required'],
    ]);

    // Text is stored exactly as given, never interpreted.
    const names = await published(
      wh,
      'SELECT customer_id, customer_name FROM raw.customers ORDER BY customer_id',
    );
    expect(names.map((r) => r['customer_name'])).toEqual([
      'Customer C1',
      '<script>alert("x")</script> & Co',
      '=HYPERLINK("http://x.invalid"; "click")',
      '株式会社山田製作所',
    ]);
    const amounts = await published(
      wh,
      'SELECT invoice_id, amount, currency, issue_date FROM raw.invoices ORDER BY 1',
    );
    expect(amounts).toEqual([
      { invoice_id: 'I1', amount: '100.50', currency: 'EUR', issue_date: '2024-03-01' },
      { invoice_id: 'I10', amount: '120000.00', currency: 'JPY', issue_date: '2024-03-01' },
    ]);

    // Every row read is either loaded or quarantined, and the audit says so.
    const audit = await published(
      wh,
      'SELECT rows_read, rows_loaded, rows_quarantined, file_sha256 FROM meta.loads',
    );
    for (const a of audit) {
      expect(Number(a['rows_read'])).toBe(Number(a['rows_loaded']) + Number(a['rows_quarantined']));
      expect(String(a['file_sha256'])).toMatch(/^[0-9a-f]{64}$/);
    }
    const quarantinedRows = await published(
      wh,
      'SELECT file_name, count(DISTINCT row_number) AS n FROM meta.quarantine GROUP BY 1 ORDER BY 1',
    );
    expect(quarantinedRows).toEqual([
      { file_name: 'customers.csv', n: '3' },
      { file_name: 'invoices.csv', n: '9' },
    ]);
  });
});

describe('idempotent and atomic', () => {
  const snapshot = (wh: string) =>
    published(
      wh,
      `SELECT (SELECT count(*) FROM raw.invoices) AS inv, (SELECT sum(amount) FROM raw.invoices) AS total,
              (SELECT count(*) FROM meta.loads) AS loads, (SELECT count(*) FROM meta.quarantine) AS q`,
    );

  it('loading the same files twice changes nothing; a corrected re-export updates by natural key', async () => {
    const { exports, wh } = await fresh('twice');
    await writeText(
      exports,
      'customers.csv',
      [CUSTOMERS_HEADER, customerRow('C1'), customerRow('C2')].join('\n'),
    );
    const invoices = [
      INVOICES_HEADER,
      'I1,C1,2024-03-01,2024-03-31,100.00,EUR,Hardware,,,',
      'I2,C2,2024-03-01,2024-03-31,200.00,EUR,Hardware,,,',
      'I3,C9,2024-03-01,2024-03-31,300.00,EUR,Hardware,,,',
    ];
    await writeText(exports, 'invoices.csv', invoices.join('\n'));
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    const before = await snapshot(wh);
    const stat = await fs.stat(warehouseFiles(wh).current);

    const again = await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    expect(again.published).toBe(false);
    expect(again.skipped).toHaveLength(2);
    expect(await snapshot(wh)).toEqual(before);
    expect((await fs.stat(warehouseFiles(wh).current)).mtimeMs).toBe(stat.mtimeMs);

    // --force processes the files again: still no duplicates, nothing changed.
    const forced = await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh, force: true });
    expect(forced.loads.find((l) => l.entity === 'invoices')).toMatchObject({
      inserted: 0,
      updated: 0,
      unchanged: 2,
    });
    expect((await snapshot(wh))[0]).toMatchObject({ inv: '2', total: '300.00' });

    // Corrected re-export: I2's amount fixed, I3's customer fixed, a new invoice I4.
    await writeText(
      exports,
      'invoices.csv',
      [
        INVOICES_HEADER,
        'I1,C1,2024-03-01,2024-03-31,100.00,EUR,Hardware,,,',
        'I2,C2,2024-03-01,2024-03-31,250.00,EUR,Hardware,,,',
        'I3,C1,2024-03-01,2024-03-31,300.00,EUR,Hardware,,,',
        'I4,C2,2024-03-02,2024-04-01,1.00,EUR,Services,,,',
      ].join('\n'),
    );
    const corrected = await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    expect(corrected.skipped.map((s) => s.entity)).toEqual(['customers']);
    expect(corrected.loads).toHaveLength(1);
    expect(corrected.loads[0]).toMatchObject({ inserted: 2, updated: 1, unchanged: 1, rowsQuarantined: 0 });
    const rows = await published(wh, 'SELECT invoice_id, customer_id, amount FROM raw.invoices ORDER BY 1');
    expect(rows).toEqual([
      { invoice_id: 'I1', customer_id: 'C1', amount: '100.00' },
      { invoice_id: 'I2', customer_id: 'C2', amount: '250.00' },
      { invoice_id: 'I3', customer_id: 'C1', amount: '300.00' },
      { invoice_id: 'I4', customer_id: 'C2', amount: '1.00' },
    ]);
  });

  it('a warehouse from before load_options: its loads still count as loaded, new loads record their options', async () => {
    const { exports, wh } = await fresh('legacy');
    await writeText(exports, 'customers.csv', [CUSTOMERS_HEADER, customerRow('C1')].join('\n'));
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    // What an older ARLens left: meta.loads without the load_options column.
    const db = await DuckDBInstance.create(warehouseFiles(wh).current);
    const conn = await db.connect();
    await conn.run('ALTER TABLE meta.loads DROP COLUMN load_options');
    await conn.run('CHECKPOINT');
    conn.closeSync();
    db.closeSync();
    const again = await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    expect(again.published).toBe(false);
    await writeText(
      exports,
      'invoices.csv',
      [INVOICES_HEADER, 'I1,C1,2024-03-01,2024-03-31,1.00,EUR,X,,,'].join('\n'),
    );
    const next = await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    expect(next.loads.map((l) => l.entity)).toEqual(['invoices']);
    expect(
      await published(wh, 'SELECT entity, load_options IS NULL AS legacy FROM meta.loads ORDER BY load_id'),
    ).toEqual([
      { entity: 'customers', legacy: true },
      { entity: 'invoices', legacy: false },
    ]);
    expect(await published(wh, 'SELECT count(*) AS n FROM raw.customers')).toEqual([{ n: '1' }]);
  });

  it('a failure in the middle of a load leaves the published warehouse exactly as it was', async () => {
    const { exports, wh } = await fresh('fail');
    await writeText(exports, 'customers.csv', [CUSTOMERS_HEADER, customerRow('C1')].join('\n'));
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    const before = await fs.readFile(warehouseFiles(wh).current);

    await writeText(
      exports,
      'customers.csv',
      [CUSTOMERS_HEADER, customerRow('C1', 'Renamed'), customerRow('C2')].join('\n'),
    );
    await writeText(
      exports,
      'invoices.csv',
      [INVOICES_HEADER, 'I1,C1,2024-03-01,2024-03-31,1.00,EUR,X,,,'].join('\n'),
    );
    await expect(
      ingest([{ path: exports, profile: 'canonical' }], {
        warehouseDir: wh,
        afterUnit: async (i) => {
          if (i === 1) throw new Error('disk full (injected)');
        },
      }),
    ).rejects.toThrow('disk full (injected)');

    expect(Buffer.compare(await fs.readFile(warehouseFiles(wh).current), before)).toBe(0);
    expect((await fs.readdir(wh)).sort()).toEqual(['current.duckdb']); // no next file, no lock left
    const names = await published(wh, 'SELECT customer_name FROM raw.customers');
    expect(names).toEqual([{ customer_name: 'Customer C1' }]);

    // The same files load fine afterwards.
    const ok = await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    expect(ok.loads.map((l) => [l.entity, l.inserted, l.updated])).toEqual([
      ['customers', 1, 1],
      ['invoices', 1, 0],
    ]);
  });

  it('a profile that does not fit stops before anything is written, naming expected and found columns', async () => {
    const { exports, wh } = await fresh('header');
    await writeText(exports, 'customers.csv', [CUSTOMERS_HEADER, customerRow('C1')].join('\n'));
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    const before = await fs.readFile(warehouseFiles(wh).current);
    await writeText(exports, 'invoices.csv', 'Invoice No,Customer,Date\nI1,C1,2024-03-01\n');
    await writeText(
      exports,
      'customers.csv',
      [CUSTOMERS_HEADER, customerRow('C1'), customerRow('C2')].join('\n'),
    );
    const err = await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh }).catch(
      (e: Error) => e,
    );
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain('Nothing was loaded');
    expect(message).toContain('invoices.csv: profile "canonical" (invoices) expects column "invoice_id"');
    expect(message).toContain(`the file's header has: "Invoice No", "Customer", "Date"`);
    expect(Buffer.compare(await fs.readFile(warehouseFiles(wh).current), before)).toBe(0);
  });

  it('refuses a file whose name no mapping takes, and an unknown profile, with what to do', async () => {
    const { exports, wh } = await fresh('names');
    await writeText(exports, 'stuff.csv', 'a,b\n1,2\n');
    await expect(ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh })).rejects.toThrow(
      /stuff\.csv: no mapping of profile "canonical" takes this file name .*--entity/,
    );
    await expect(ingest([{ path: exports, profile: 'no-such-erp' }], { warehouseDir: wh })).rejects.toThrow(
      /No profile "no-such-erp".*Built-in profiles: canonical, erpnext, ibm-ar, odoo, sap-fbl5n/,
    );
    await expect(fs.access(join(wh, 'current.duckdb'))).rejects.toThrow();
  });
});
