/**
 * A guided first load: `arlens profiles check` says which profile fits a folder of exports, what maps,
 * what is missing and what happens to the rows, and writes nothing; `arlens profiles new` writes a
 * starter profile from a file's header that a user can load with. Both through the CLI.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../../ingest/profile.ts';
import { canonicalHeader, cliArgs, FIXTURES, published, tempDir, writeText } from '../helpers.ts';

let root: string;
beforeAll(async () => {
  root = await tempDir('arlens-profiles-cli-');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, cliArgs(...args), {
      cwd: root,
      timeout: 120_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? -1, output: (err.stdout ?? '') + (err.stderr ?? '') };
  }
}

describe('arlens profiles check', () => {
  it('finds the profile that fits a folder of Odoo exports and says what a load would do, writing nothing', async () => {
    const { code, output } = await cli(
      '--warehouse',
      join(root, 'wh'),
      'profiles',
      'check',
      join(FIXTURES, 'odoo'),
    );
    expect(code).toBe(0);
    expect(output).toMatch(/odoo +3 of 3 files taken, 5 of 5 mappings with every column {2}<- best fit/);
    expect(output).toMatch(/erpnext +takes none of these files/);
    expect(output).toContain('invoices: invoice_id <- "Number", customer_id <- "Commercial Entity"');
    expect(output).toContain('11 rows: invoices 6, credit_memos 2');
    expect(output).toContain('excluded: 1 row (first row 9, column Status): a draft in Odoo');
    expect(output).toContain(
      'excluded: 1 row (first row 11, column Type): not a customer invoice or credit note',
    );
    expect(output).toContain(
      '"Stripe" in Payment Method is not in the profile\'s map: 1 row (first row 3) would load payments as "other"',
    );
    expect(output).toContain('Nothing was written.');
    await expect(fs.stat(join(root, 'wh'))).rejects.toThrow();
  }, 60_000);

  it('names a missing column, what needs it and what to do, and fails', async () => {
    const dir = join(root, 'broken');
    await fs.mkdir(dir);
    for (const f of ['Customer.csv', 'Payment Entry.csv'])
      await fs.copyFile(join(FIXTURES, 'erpnext', f), join(dir, f));
    const invoices = await fs.readFile(join(FIXTURES, 'erpnext', 'Sales Invoice.csv'), 'utf8');
    await fs.writeFile(join(dir, 'Sales Invoice.csv'), invoices.replace('"Payment Due Date"', '"Due"'));
    const { code, output } = await cli('profiles', 'check', dir, '--profile', 'erpnext');
    expect(code).toBe(1);
    expect(output).toContain(
      'MISSING column "Payment Due Date" (for due_date): add it to the export, or change the profile',
    );
    expect(output).toContain('rows not checked: the invoices mapping misses "Payment Due Date"');
    expect(output).toContain('Payment Entry.csv');
  }, 60_000);

  it('says when no built-in profile reads the files, and how to write one', async () => {
    const dir = join(root, 'unknown');
    await fs.mkdir(dir);
    await writeText(dir, 'stuff.csv', 'a,b\n1,2\n');
    const { code, output } = await cli('profiles', 'check', dir);
    expect(code).toBe(1);
    expect(output).toContain('No built-in profile reads these files. Write one: arlens profiles new <file>');
  }, 60_000);
});

describe('arlens profiles new', () => {
  it("writes a starter profile from a file's header that loads the file", async () => {
    const dir = join(root, 'new');
    await fs.mkdir(dir);
    const file = await writeText(
      dir,
      'invoices_export.csv',
      [
        'Invoice Number;Customer;Invoice Date;Due Date;Amount;Currency;Region',
        'R-1;C1;31.01.2024;01.03.2024;1.234,56;EUR;Nord',
        'R-2;C1;15.02.2024;16.03.2024;99,90;EUR;Nord',
      ].join('\r\n'),
    );
    const out = join(dir, 'my-erp.yaml');
    const made = await cli('profiles', 'new', file, '--out', out, '--name', 'my-erp');
    expect(made.code).toBe(0);
    expect(made.output).toContain(`Wrote ${out} (invoices)`);
    const profile = await loadProfile(out);
    expect(profile.format).toEqual({
      encoding: 'utf-8',
      delimiter: ';',
      date_format: '%d.%m.%Y',
      decimal_separator: ',',
    });
    expect(profile.mappings[0]?.columns).toEqual({
      invoice_id: 'Invoice Number',
      customer_id: 'Customer',
      issue_date: 'Invoice Date',
      due_date: 'Due Date',
      amount: 'Amount',
      currency: 'Currency',
    });
    expect(await fs.readFile(out, 'utf8')).toContain('# Columns not mapped: "Region"');
    // It refuses to overwrite a file.
    expect((await cli('profiles', 'new', file, '--out', out)).code).toBe(1);

    const wh = join(root, 'new-wh');
    const customers = await writeText(
      dir,
      'customers.csv',
      [canonicalHeader('customers'), 'C1,Kunde Eins,,,,,,,,30,EUR,active'].join('\n'),
    );
    expect((await cli('--warehouse', wh, 'ingest', customers)).code).toBe(0);
    const loaded = await cli('--warehouse', wh, 'ingest', file, '--profile', out);
    expect(loaded.code).toBe(0);
    expect(await published(wh, 'SELECT invoice_id, issue_date, amount FROM raw.invoices ORDER BY 1')).toEqual(
      [
        { invoice_id: 'R-1', issue_date: '2024-01-31', amount: '1234.56' },
        { invoice_id: 'R-2', issue_date: '2024-02-15', amount: '99.90' },
      ],
    );
  }, 120_000);

  it('asks for --entity when the file name does not say what the file holds', async () => {
    const file = await writeText(root, 'misc.csv', 'a,b\n1,2\n');
    const { code, output } = await cli('profiles', 'new', file);
    expect(code).toBe(1);
    expect(output).toContain(
      'cannot tell from the file name which kind of export this is; name it with --entity',
    );
  }, 60_000);
});
