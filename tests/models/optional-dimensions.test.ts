/**
 * Optional fields are optional everywhere. Exports with no salesperson, region, country, segment,
 * credit controller or product line (and a mix) build marts in which that money sits under an
 * explicit "(unassigned)" member, and every total equals the sum of its parts: the KPI mart
 * reconciles with fct_invoices whatever the grouping.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { CUSTOMERS_HEADER, INVOICES_HEADER, published, ROOT, tempDir, writeText } from '../helpers.ts';

const AS_OF = '2026-03-31';
let root: string;

const scenarios = {
  /** Not one optional field filled (the IBM sample's shape: no salesperson, no controller). */
  none: {
    customers: ['C1,Alpha,,,,,,,,30,USD,active', 'C2,Beta,,,,,,,,30,USD,active'],
    invoices: ['I1,C1,2026-01-10,2026-02-09,1000.00,USD,,,,', 'I2,C2,2026-02-10,2026-03-12,500.00,USD,,,,'],
  },
  /** Some customers assigned, some not; an invoice's own salesperson overrides the account's. */
  mixed: {
    customers: [
      'C1,Alpha,EMEA,DE,SMB,Retail,Lee,Kim,5000.00,30,USD,active',
      'C2,Beta,,,,,,,,30,USD,active',
      'C3,Gamma,APAC,,,,Mo,,,30,USD,active',
    ],
    invoices: [
      'I1,C1,2026-01-10,2026-02-09,1000.00,USD,Hardware,,,',
      'I2,C2,2026-02-10,2026-03-12,500.00,USD,,,,',
      'I3,C3,2026-03-01,2026-03-31,250.00,USD,Services,,,Ana',
      'I4,C2,2025-12-01,2025-12-31,300.00,USD,Hardware,,,',
    ],
  },
};

const warehouses = new Map<string, string>();

beforeAll(async () => {
  root = await tempDir('arlens-optional-');
  for (const [name, s] of Object.entries(scenarios)) {
    const dir = join(root, name, 'exports');
    await fs.mkdir(dir, { recursive: true });
    await writeText(dir, 'customers.csv', [CUSTOMERS_HEADER, ...s.customers].join('\n'));
    await writeText(dir, 'invoices.csv', [INVOICES_HEADER, ...s.invoices].join('\n'));
    await writeText(
      dir,
      'payments.csv',
      [
        'receipt_id,customer_id,payment_date,amount,currency,method,bank_reference',
        'R1,C1,2026-02-01,400.00,USD,,',
      ].join('\n'),
    );
    await writeText(
      dir,
      'payment_applications.csv',
      ['receipt_id,invoice_id,applied_date,applied_amount', 'R1,I1,2026-02-01,400.00'].join('\n'),
    );
    await writeText(
      dir,
      'write_offs.csv',
      [
        'write_off_id,invoice_id,customer_id,write_off_date,amount,currency,reason',
        'W1,I2,C2,2026-03-20,100.00,USD,',
      ].join('\n'),
    );
    const wh = join(root, name, 'wh');
    const report = await ingest([{ path: dir, profile: 'canonical' }], { warehouseDir: wh });
    expect(report.quarantineSample, `${name}: nothing is quarantined for an empty optional field`).toEqual(
      [],
    );
    await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh, vars: { as_of_date: AS_OF } });
    warehouses.set(name, wh);
  }
}, 240_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const num = (v: unknown) => Number(v ?? 0);

describe.each(Object.keys(scenarios))('exports with %s optional fields', (name) => {
  const sql = (q: string) => published(warehouses.get(name)!, q);

  it('the KPI mart holds every invoice: credit sales, AR and write-offs reconcile with fct_invoices', async () => {
    const [facts] = await sql(
      `SELECT sum(invoice_amount_rc) AS sales, sum(open_amount_rc) AS ar, sum(written_off_amount_rc) AS wo
       FROM marts.fct_invoices`,
    );
    const [kpis] = await sql(
      `SELECT sum(credit_sales_rc) AS sales,
              sum(ending_ar_rc) FILTER (WHERE period_end_date = DATE '${AS_OF}') AS ar,
              sum(write_offs_rc) AS wo
       FROM marts.mart_ar_kpis_monthly`,
    );
    expect(num(facts!['sales'])).toBeGreaterThan(0);
    expect(num(kpis!['sales'])).toBe(num(facts!['sales']));
    expect(num(kpis!['ar'])).toBe(num(facts!['ar']));
    expect(num(kpis!['wo'])).toBe(num(facts!['wo']));
    expect(num(kpis!['wo'])).toBe(100);
  });

  it.each(['region', 'product_line', 'salesperson'])(
    'by %s, the parts add up to the total, with (unassigned) as a member of its own',
    async (dim) => {
      const rows = await sql(
        `SELECT ${dim} AS d, sum(credit_sales_rc) AS sales FROM marts.mart_ar_kpis_monthly GROUP BY 1 ORDER BY 1`,
      );
      const [total] = await sql('SELECT sum(invoice_amount_rc) AS s FROM marts.fct_invoices');
      expect(rows.every((r) => r['d'] !== null && r['d'] !== '')).toBe(true);
      expect(rows.map((r) => r['d'])).toContain('(unassigned)');
      expect(rows.reduce((s, r) => s + num(r['sales']), 0)).toBe(num(total!['s']));
    },
  );

  it('customers, payments and exposure carry (unassigned), never an empty member', async () => {
    for (const [table, cols] of [
      ['marts.dim_customers', ['region', 'country_code', 'segment', 'salesperson', 'credit_controller']],
      ['marts.fct_payments', ['region', 'salesperson', 'credit_controller']],
      ['marts.fct_credit_exposure', ['region', 'salesperson', 'credit_controller']],
      ['marts.fct_ar_snapshots', ['region', 'product_line', 'salesperson']],
    ] as const) {
      for (const c of cols) {
        const [r] = await sql(`SELECT count(*) FILTER (WHERE ${c} IS NULL OR ${c} = '') AS n FROM ${table}`);
        expect(num(r!['n']), `${table}.${c}`).toBe(0);
      }
    }
  });
});

describe('an invoice’s own salesperson', () => {
  it('overrides the account owner; an unassigned account with none stays (unassigned)', async () => {
    const rows = await published(
      warehouses.get('mixed')!,
      'SELECT invoice_id, salesperson FROM marts.fct_invoices ORDER BY 1',
    );
    expect(rows.map((r) => [r['invoice_id'], r['salesperson']])).toEqual([
      ['I1', 'Lee'],
      ['I2', '(unassigned)'],
      ['I3', 'Ana'],
      ['I4', '(unassigned)'],
    ]);
  });
});
