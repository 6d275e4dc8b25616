/**
 * The feature and label SQL on three hand-written customers, against values computed by hand.
 * Snapshot D = 2025-06-30; horizon 180 days (to 2025-12-27); default = more than 90 days past due.
 *
 * C1 (EMEA): I1 1,000 due 01-31 paid 600 on 02-20 and 400 on 03-17 (45 days late, two partial
 *   payments); I2 500 due 03-31 paid 03-25; I3 2,000 due 05-31 open at D (paid 08-15, after D);
 *   I4 300 due 07-15 open, not due; I5 issued after D, never paid (crosses 90 days on 10-30: default).
 *   Disputes opened 02-05 (resolved 02-15) and 06-10 (open); a promise to pay 2,000 by 06-20, broken;
 *   a reminder on 06-25.
 * C2 (LATAM, no credit limit): J1 800 due 2024-10-31 never paid (in default at D), written off 08-01.
 * C3 (APAC): K0 50 due 2024-07-01 written off 2024-12-01 (outside the 180-day cure period);
 *   K1 100 credited in full 02-20; K2 200 due 07-01 paid 09-29: exactly 90 days late, no default.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readDefaulters,
  readFeatures,
  warehouseFacts,
  type CustomerFeatures,
} from '../../ml/features.server.ts';
import { ensureRiskScores } from '../../ml/risk.server.ts';
import { queryRows } from '../../warehouse/convert.ts';
import { withPublished } from '../../warehouse/store.ts';
import { tempDir } from '../helpers.ts';
import { HEADERS, loadAndBuild, writeExports } from './helpers.ts';

const D = '2025-06-30';
let root: string;
let wh: string;

beforeAll(async () => {
  root = await tempDir('arlens-ml-sql-');
  wh = join(root, 'wh');
  const exports = join(root, 'exports');
  await writeExports(exports, {
    customers: [
      HEADERS.customers,
      'C1,Alpha GmbH,EMEA,DE,SMB,Retail,Ann,Bob,10000.00,30,USD,active',
      'C2,Beta SA,LATAM,BR,Enterprise,Energy,Ann,Bob,,30,USD,blocked',
      'C3,Gamma KK,APAC,JP,SMB,Technology,Ann,Bob,5000.00,30,USD,active',
    ],
    invoices: [
      HEADERS.invoices,
      'I1,C1,2025-01-01,2025-01-31,1000.00,USD,Hardware,,,',
      'I2,C1,2025-03-01,2025-03-31,500.00,USD,Hardware,,,',
      'I3,C1,2025-05-01,2025-05-31,2000.00,USD,Hardware,,,',
      'I4,C1,2025-06-15,2025-07-15,300.00,USD,Hardware,,,',
      'I5,C1,2025-07-01,2025-07-31,700.00,USD,Hardware,,,',
      'J1,C2,2024-10-01,2024-10-31,800.00,USD,Spare Parts,,,',
      'J2,C2,2025-06-01,2025-07-01,100.00,USD,Spare Parts,,,',
      'K0,C3,2024-06-01,2024-07-01,50.00,USD,Services,,,',
      'K1,C3,2025-02-01,2025-03-03,100.00,USD,Services,,,',
      'K2,C3,2025-06-01,2025-07-01,200.00,USD,Services,,,',
    ],
    payments: [
      HEADERS.payments,
      'R1,C1,2025-02-20,600.00,USD,bank_transfer,',
      'R2,C1,2025-03-17,400.00,USD,bank_transfer,',
      'R3,C1,2025-03-25,500.00,USD,bank_transfer,',
      'R4,C1,2025-08-15,2000.00,USD,bank_transfer,',
      'R5,C2,2025-07-01,100.00,USD,bank_transfer,',
      'R6,C3,2025-09-29,200.00,USD,bank_transfer,',
    ],
    payment_applications: [
      HEADERS.payment_applications,
      'R1,I1,2025-02-20,600.00',
      'R2,I1,2025-03-17,400.00',
      'R3,I2,2025-03-25,500.00',
      'R4,I3,2025-08-15,2000.00',
      'R5,J2,2025-07-01,100.00',
      'R6,K2,2025-09-29,200.00',
    ],
    credit_memos: [HEADERS.credit_memos, 'CM1,C3,K1,2025-02-20,100.00,USD,returned goods'],
    write_offs: [
      HEADERS.write_offs,
      'W0,K0,C3,2024-12-01,50.00,USD,uncollectible',
      'W1,J1,C2,2025-08-01,800.00,USD,insolvency',
    ],
    disputes: [
      HEADERS.disputes,
      'DS1,I1,C1,2025-02-05,2025-02-15,100.00,USD,pricing,resolved',
      'DS2,I3,C1,2025-06-10,,2000.00,USD,quality,open',
    ],
    collection_activities: [
      HEADERS.collection_activities,
      'A1,C1,I3,2025-06-05,call,Eve,promise_to_pay,2025-06-20,2000.00,USD,',
      'A2,C1,I3,2025-06-25,email,Eve,contacted,,,,',
      'A3,C2,J1,2025-01-15,letter,Eve,no_answer,,,,',
    ],
  });
  await loadAndBuild(exports, wh);
}, 120_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function featuresAt(date: string): Promise<Map<string, CustomerFeatures>> {
  const rows = await withPublished(wh, (conn) =>
    readFeatures(conn, date, { defaultDaysPastDue: 90, cureDays: 180 }),
  );
  return new Map(rows.map((r) => [r.customerId, r]));
}

describe('feature SQL as of a snapshot date', () => {
  it('computes the payment-behaviour, exposure and collection features of C1 by hand', async () => {
    const c1 = (await featuresAt(D)).get('C1');
    expect(c1).toMatchObject({
      hasHistory: true,
      inDefault: false,
      maxOpenDaysPastDue: 30,
      daysSinceWriteOff: null,
    });
    expect(c1?.raw).toMatchObject({
      tenure_days: 180,
      payment_terms_days: 30,
      invoices_12m: 4,
      billed_12m_rc: 3800,
      settled_12m: 2,
      settled_late_12m: 1,
      mean_days_late_12m: 22.5,
      mean_days_late_3m: null,
      mean_days_late_prior_9m: 22.5,
      max_dpd_3m: 30,
      max_dpd_6m: 45,
      max_dpd_12m: 45,
      open_ar_rc: 2300,
      overdue_ar_rc: 2000,
      open_ar_rc_3m_ago: 0,
      due_3m: 1,
      unpaid_due_3m: 1,
      applications_12m: 3,
      partial_applications_12m: 2,
      days_since_last_payment: 97,
      disputes_12m: 2,
      open_disputes: 1,
      promises_due_12m: 1,
      broken_promises_12m: 1,
      contacts_3m: 2,
      credit_limit_rc: 10000,
      region: 'EMEA',
      segment: 'SMB',
      industry: 'Retail',
    });
    // Amounts 1,000, 500, 2,000, 300: mean 950, population sd √432,500.
    expect(c1?.raw.invoice_amount_cv_12m).toBeCloseTo(Math.sqrt(432_500) / 950, 10);
  });

  it('marks a customer with an invoice more than 90 days past due as in default', async () => {
    const c2 = (await featuresAt(D)).get('C2');
    expect(c2).toMatchObject({ inDefault: true, maxOpenDaysPastDue: 242, daysSinceWriteOff: null });
    expect(c2?.raw).toMatchObject({
      credit_limit_rc: null,
      max_dpd_12m: 242,
      open_ar_rc: 900,
      invoices_12m: 2,
    });
  });

  it('counts settlements by credit memo and write-off, and keeps a write-off in default only for the cure period', async () => {
    const c3 = (await featuresAt(D)).get('C3');
    // K0 written off 211 days before D (cure period 180): not in default; its 153 days count in 12 months.
    expect(c3).toMatchObject({ inDefault: false, daysSinceWriteOff: null });
    expect(c3?.raw).toMatchObject({
      settled_12m: 2,
      settled_late_12m: 1,
      mean_days_late_12m: 76.5,
      max_dpd_12m: 153,
      max_dpd_6m: 0,
      open_ar_rc: 200,
      overdue_ar_rc: 0,
      days_since_last_payment: null,
    });
    // Two months after the write-off it was still within the cure period.
    const early = (await featuresAt('2025-01-31')).get('C3');
    expect(early).toMatchObject({ inDefault: true, daysSinceWriteOff: 61 });
  });

  it('gives customers without an invoice yet no history', async () => {
    const before = await featuresAt('2024-05-31');
    expect([...before.values()].map((c) => [c.customerId, c.hasHistory])).toEqual([
      ['C1', false],
      ['C2', false],
      ['C3', false],
    ]);
    expect(before.get('C1')?.raw.tenure_days).toBeNull();
  });
});

describe('label SQL', () => {
  it('finds defaults in the 180 days after the snapshot: a crossing of 90 days past due, or a write-off', async () => {
    const labels = await withPublished(wh, (conn) =>
      readDefaulters(conn, D, { horizonDays: 180, defaultDaysPastDue: 90 }),
    );
    // C1: I5 (due 07-31, never paid) is more than 90 days past due from 10-30. C2: written off 08-01.
    // C3: K2 paid exactly 90 days after its due date: not a default.
    expect([...labels]).toEqual(['C1', 'C2']);
  });

  it('respects the horizon and the threshold', async () => {
    const short = await withPublished(wh, (conn) =>
      readDefaulters(conn, D, { horizonDays: 90, defaultDaysPastDue: 90 }),
    );
    // Within 90 days (to 09-28) only the write-off on 08-01.
    expect([...short]).toEqual(['C2']);
    const strict = await withPublished(wh, (conn) =>
      readDefaulters(conn, D, { horizonDays: 180, defaultDaysPastDue: 60 }),
    );
    // At 60 days K2 (paid 90 days late) and I3 (paid 76 days late) count too.
    expect([...strict]).toEqual(['C1', 'C2', 'C3']);
  });

  it('knows the data window', async () => {
    const facts = await withPublished(wh, warehouseFacts);
    expect(facts).toMatchObject({ asOfDate: '2025-09-29', firstInvoiceDate: '2024-06-01' });
    expect(facts.loadWatermark).toMatch(/^\d{8}T/);
  });
});

describe('ensureRiskScores on too little history', () => {
  it('reports how much history is missing, in numbers, and records it for the Risk page', async () => {
    const result = await ensureRiskScores({ warehouseDir: wh, modelDir: join(root, 'models') });
    expect(result).toMatchObject({ modelVersion: null, trained: false, scored: false });
    const facts = await withPublished(wh, warehouseFacts);
    const plan = { have: 0, needed: 0 };
    expect(result.shortfall).toMatchObject({ kind: 'history', asOfDate: facts.asOfDate, horizonDays: 180 });
    if (result.shortfall?.kind === 'history') Object.assign(plan, result.shortfall);
    // 6 test + 5 gap (180-day horizon) + 5 validation + 3 training month-ends.
    expect(plan.needed).toBe(19);
    expect(plan.have).toBeLessThan(plan.needed);
    expect(result.message).toBe(
      `no risk scores: not enough history: ${plan.have} of the 19 month-ends the risk model needs have a complete ` +
        `180-day outcome window (invoices from ${facts.firstInvoiceDate} to ${facts.asOfDate}); ` +
        `${19 - plan.have} more month(s) of invoice history are needed`,
    );
    expect(result.message).not.toMatch(/arlens/);
    const status = await withPublished(wh, (conn) =>
      queryRows(conn, `SELECT state, shortfall, history_months, history_months_needed FROM ml.risk_status`),
    );
    expect(status).toEqual([
      {
        state: 'not_enough_data',
        shortfall: 'history',
        history_months: plan.have,
        history_months_needed: 19,
      },
    ]);
    // Asking again changes nothing (no new warehouse generation for the same shortfall).
    const again = await ensureRiskScores({ warehouseDir: wh, modelDir: join(root, 'models') });
    expect(again.message).toBe(result.message);
  });
});
