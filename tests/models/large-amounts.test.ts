/**
 * Large amounts through the FX conversion: a warehouse reporting in JPY with a USD customer whose
 * invoice is USD 10,000,000.00 (¥1.5 billion) and whose credit limit is USD 12,345,678,901,234.56.
 * DuckDB multiplies two DECIMAL(18) in 64 bits, so `amount * rate` used to overflow — and fail the
 * whole build — as soon as the converted amount passed 10^8; the rates are DECIMAL(38, 8) since.
 * Every converted amount is checked to the cent against Python's decimal arithmetic (half up).
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
  root = await tempDir('arlens-large-');
  const dir = join(root, 'exports');
  await fs.mkdir(dir);
  await writeText(
    dir,
    'customers.csv',
    [CUSTOMERS_HEADER, 'U1,Acme Holdings,EMEA,US,,,,,12345678901234.56,30,USD,active'].join('\n'),
  );
  await writeText(
    dir,
    'invoices.csv',
    [INVOICES_HEADER, 'IU1,U1,2026-03-02,2026-04-01,10000000.00,USD,Services,,,'].join('\n'),
  );
  await writeText(
    dir,
    'payments.csv',
    [
      'receipt_id,customer_id,payment_date,amount,currency,method,bank_reference',
      'R1,U1,2026-03-10,2500000.00,USD,bank_transfer,',
    ].join('\n'),
  );
  await writeText(
    dir,
    'payment_applications.csv',
    ['receipt_id,invoice_id,applied_date,applied_amount', 'R1,IU1,2026-03-10,2500000.00'].join('\n'),
  );
  await writeText(
    dir,
    'sales_orders.csv',
    [
      'sales_order_id,customer_id,order_date,requested_delivery_date,open_amount,currency,product_line,status',
      'SO1,U1,2026-03-20,2026-04-20,50000000.00,USD,Services,open',
    ].join('\n'),
  );
  await writeText(
    dir,
    'fx_rates.csv',
    ['rate_date,from_currency,to_currency,rate', '2026-01-01,USD,JPY,150.12345678'].join('\n'),
  );
  wh = join(root, 'wh');
  await ingest([{ path: dir, profile: 'canonical' }], { warehouseDir: wh });
  await build({
    projectDir: join(ROOT, 'models'),
    warehouseDir: wh,
    vars: { as_of_date: '2026-03-31', reporting_currency: 'JPY' },
  });
}, 300_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('amounts beyond 10^8 in the reporting currency', () => {
  it('converts the invoice, the payment and the open item to the cent', async () => {
    expect(
      await published(
        wh,
        `SELECT invoice_amount_rc::VARCHAR AS invoice, paid_amount_rc::VARCHAR AS paid,
                open_amount_rc::VARCHAR AS open FROM marts.fct_invoices`,
      ),
    ).toEqual([{ invoice: '1501234567.80', paid: '375308641.95', open: '1125925925.85' }]);
    expect(
      await published(
        wh,
        `SELECT payment_amount_rc::VARCHAR AS payment FROM marts.fct_payments
         UNION ALL SELECT applied_amount_rc::VARCHAR FROM marts.fct_payment_applications`,
      ),
    ).toEqual([{ payment: '375308641.95' }, { payment: '375308641.95' }]);
    expect(
      await published(
        wh,
        `SELECT open_amount_rc::VARCHAR AS open FROM marts.fct_open_items WHERE item_id = 'IU1'`,
      ),
    ).toEqual([{ open: '1125925925.85' }]);
  });

  it('converts a credit limit of 12,345,678,901,234.56 and the open orders into the exposure', async () => {
    expect(
      await published(
        wh,
        `SELECT credit_limit_amount_rc::VARCHAR AS limit_rc, open_orders_rc::VARCHAR AS orders,
                exposure_rc::VARCHAR AS exposure, is_over_limit AS over
         FROM marts.fct_credit_exposure`,
      ),
    ).toEqual([
      {
        limit_rc: '1853375992949244.36',
        orders: '7506172839.00',
        exposure: '8632098764.85',
        over: false,
      },
    ]);
  });

  it('sums the month’s credit sales in the KPIs', async () => {
    const rows = await published(
      wh,
      `SELECT sum(credit_sales_rc)::VARCHAR AS sales FROM marts.mart_ar_kpis_monthly
       WHERE month_start = DATE '2026-03-01'`,
    );
    expect(rows).toEqual([{ sales: '1501234567.80' }]);
  });
});
