/**
 * The forecast's data SQL on hand-written exports, checked by hand: an item's state as of D, the
 * customer's habit, the latest promise, an open dispute, the outcome after D up to a cutoff, the cash
 * received per week; and a forecast over amounts too large for DECIMAL(18) products.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../core/calendar.ts';
import { readActuals, readOpenItems } from '../../forecast/items.server.ts';
import { refreshForecast } from '../../forecast/store.server.ts';
import { withPublished } from '../../warehouse/store.ts';
import { canonicalHeader, published, tempDir } from '../helpers.ts';
import { HEADERS, loadAndBuild, writeExports } from '../ml/helpers.ts';

let root: string;
let wh: string;

beforeAll(async () => {
  root = await tempDir('arlens-forecast-sql-');
  wh = join(root, 'wh');
  const invoices: string[] = [HEADERS.invoices];
  const payments: string[] = [HEADERS.payments];
  const applications: string[] = [HEADERS.payment_applications];
  // C1 pays every monthly invoice 10 days after its due date (2024-07 … 2025-04).
  for (let m = 7; m <= 16; m++) {
    const y = m > 12 ? 2025 : 2024;
    const mm = String(m > 12 ? m - 12 : m).padStart(2, '0');
    const id = `H${m}`;
    invoices.push(`${id},C1,${y}-${mm}-01,${y}-${mm}-28,1000.00,USD,Hardware,,,`);
    const paid = new Date(Date.UTC(y, Number(mm) - 1, 28 + 10)).toISOString().slice(0, 10);
    payments.push(`P${m},C1,${paid},1000.00,USD,bank_transfer,`);
    applications.push(`P${m},${id},${paid},1000.00`);
  }
  invoices.push(
    'I1,C1,2025-05-01,2025-05-31,2000.00,USD,Hardware,,,',
    'I2,C1,2025-06-01,2025-06-30,500.00,USD,Services,,,',
    // 9 billion yen: amount × probability (scale 9) needs more than DECIMAL(18).
    'J1,C2,2025-07-01,2025-07-31,9000000000.00,JPY,Services,,,',
  );
  payments.push('R1,C1,2025-06-10,500.00,USD,bank_transfer,', 'R2,C1,2025-07-09,1500.00,USD,bank_transfer,');
  applications.push('R1,I1,2025-06-10,500.00', 'R2,I1,2025-07-09,1500.00');
  await writeExports(join(root, 'exports'), {
    customers: [
      HEADERS.customers,
      'C1,Alpha GmbH,EMEA,DE,SMB,Retail,Ann,Bob,10000.00,30,USD,active',
      'C2,"=HYPERLINK(""http://x"",""y"")",APAC,JP,SMB,Technology,Ann,Bob,,30,JPY,active',
    ],
    invoices,
    payments,
    payment_applications: applications,
    credit_memos: [HEADERS.credit_memos],
    write_offs: [HEADERS.write_offs],
    disputes: [HEADERS.disputes, 'DS1,I2,C1,2025-06-05,,500.00,USD,quality,open'],
    collection_activities: [
      HEADERS.collection_activities,
      'A1,C1,I1,2025-06-12,call,Eve,promise_to_pay,2025-06-25,1500.00,USD,',
      'A2,C1,I1,2025-06-26,call,Eve,promise_to_pay,2025-07-08,1500.00,USD,',
      'A3,C1,I1,2025-07-01,email,Eve,contacted,,,,',
    ],
    fx_rates: [canonicalHeader('fx_rates'), '2025-01-01,JPY,USD,0.0068'],
  });
  await loadAndBuild(join(root, 'exports'), wh);
}, 120_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('items as of a date', () => {
  it('describes I1 at 2025-06-30 by hand, and its outcome only up to the cutoff', async () => {
    const at = (cutoff: string) =>
      withPublished(wh, (conn) => readOpenItems(conn, '2025-06-30', cutoff)).then((r) =>
        r.find((i) => i.invoiceId === 'I1'),
      );
    const i1 = await at('2025-06-30');
    expect(i1).toMatchObject({
      customerId: 'C1',
      openAmount: '1500.00',
      partlyPaid: true,
      settled12m: 10,
      meanLate12m: 10,
      meanDaysLate12m: 10,
      sdLate12m: 0,
      disputeOpen: false,
      contacts: 2, // A3 is dated after D
      promisedDay: parseDay('2025-07-08'), // the latest promise on or before D
      closedDay: null,
      closedByPayment: false,
    });
    expect(await at('2025-07-31')).toMatchObject({
      closedDay: parseDay('2025-07-09'),
      closedByPayment: true,
    });
    const i2 = (await withPublished(wh, (conn) => readOpenItems(conn, '2025-06-30'))).find(
      (i) => i.invoiceId === 'I2',
    );
    expect(i2).toMatchObject({ disputeOpen: true, promisedDay: null, openAmount: '500.00' });
  });

  it('cash received per week after D, on the items open at D only', async () => {
    const weeks = await withPublished(wh, (conn) => readActuals(conn, '2025-06-30', '2025-12-31'));
    // 2025-07-09 is day 9 after D: week 2.
    expect(weeks.slice(0, 3)).toEqual([0, 1500, 0]);
    const cut = await withPublished(wh, (conn) => readActuals(conn, '2025-06-30', '2025-07-07'));
    expect(cut.slice(0, 3)).toEqual([0, 0, 0]);
  });
});

describe('a forecast over very large amounts', () => {
  it('keeps money exact in DECIMAL(38) and writes the hostile name as data', async () => {
    await refreshForecast(wh, { settings: { l2: 1e-3, sims: 50, seed: 1 } });
    const rows = await published(
      wh,
      `SELECT invoice_id, customer_name, open_amount, expected_amount_13w FROM ml.cash_forecast_items ORDER BY invoice_id`,
    );
    const j1 = rows.find((r) => r['invoice_id'] === 'J1');
    expect(j1?.['open_amount']).toBe('9000000000.00');
    expect(j1?.['customer_name']).toBe('=HYPERLINK("http://x","y")');
    expect(Number(j1?.['expected_amount_13w'])).toBeLessThanOrEqual(9000000000);
    const [sum] = await published(
      wh,
      `SELECT CAST(sum(expected_amount) AS VARCHAR) AS s FROM ml.cash_forecast_lines WHERE invoice_id = 'J1'`,
    );
    expect(sum!['s']).toMatch(/^\d+\.\d\d$/);
  }, 60_000);
});
