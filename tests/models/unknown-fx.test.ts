/**
 * Money without an FX rate is unknown, never 0: an invoice in a currency the fx_rates export does not
 * cover has no reporting-currency amount, a KPI group made only of such invoices shows null (not
 * 0.00), and a mixed group sums what it can and counts what it could not.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { CUSTOMERS_HEADER, INVOICES_HEADER, published, ROOT, tempDir, writeText } from '../helpers.ts';

let root: string;
let wh: string;

beforeAll(async () => {
  root = await tempDir('arlens-fx-');
  const dir = join(root, 'exports');
  await fs.mkdir(dir);
  await writeText(
    dir,
    'customers.csv',
    [
      CUSTOMERS_HEADER,
      'J1,Yamada,APAC,JP,,,,,,30,JPY,active',
      'U1,Acme,EMEA,DE,,,,,,30,USD,active',
      'J2,Tanaka,EMEA,JP,,,,,,30,JPY,active',
    ].join('\n'),
  );
  await writeText(
    dir,
    'invoices.csv',
    [
      INVOICES_HEADER,
      'IJ1,J1,2026-03-01,2026-03-31,100000,JPY,Services,,,',
      'IU1,U1,2026-03-02,2026-04-01,500.00,USD,Services,,,',
      'IJ2,J2,2026-03-03,2026-04-02,20000,JPY,Services,,,',
    ].join('\n'),
  );
  wh = join(root, 'wh');
  await ingest([{ path: dir, profile: 'canonical' }], { warehouseDir: wh });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh, vars: { as_of_date: '2026-03-31' } });
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('a currency without an FX rate', () => {
  it('leaves the invoice and its open item without a reporting-currency amount', async () => {
    const rows = await published(
      wh,
      'SELECT invoice_id, invoice_amount_rc, open_amount_rc FROM marts.fct_invoices ORDER BY 1',
    );
    expect(rows).toEqual([
      { invoice_id: 'IJ1', invoice_amount_rc: null, open_amount_rc: null },
      { invoice_id: 'IJ2', invoice_amount_rc: null, open_amount_rc: null },
      { invoice_id: 'IU1', invoice_amount_rc: '500.00', open_amount_rc: '500.00' },
    ]);
    const items = await published(wh, 'SELECT item_id, is_unconverted FROM marts.fct_open_items ORDER BY 1');
    expect(items.map((r) => [r['item_id'], r['is_unconverted']])).toEqual([
      ['IJ1', true],
      ['IJ2', true],
      ['IU1', false],
    ]);
  });

  it('makes a KPI group of only such invoices unknown (null), not 0.00, and counts them', async () => {
    const [apac] = await published(
      wh,
      `SELECT credit_sales_rc, ending_ar_rc, dso_days, unconverted_invoice_count, unconverted_open_count
       FROM marts.mart_ar_kpis_monthly WHERE region = 'APAC' AND month_start = DATE '2026-03-01'`,
    );
    expect(apac).toEqual({
      credit_sales_rc: null,
      ending_ar_rc: null,
      dso_days: null,
      unconverted_invoice_count: '1',
      unconverted_open_count: '1',
    });
  });

  it('sums what it can in a mixed group and says how many are missing', async () => {
    const [emea] = await published(
      wh,
      `SELECT credit_sales_rc, ending_ar_rc, unconverted_invoice_count FROM marts.mart_ar_kpis_monthly
       WHERE region = 'EMEA' AND month_start = DATE '2026-03-01'`,
    );
    expect(emea).toEqual({
      credit_sales_rc: '500.00',
      ending_ar_rc: '500.00',
      unconverted_invoice_count: '1',
    });
  });
});
