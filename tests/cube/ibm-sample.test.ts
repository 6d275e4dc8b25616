/**
 * IBM's public "Accounts Receivable" sample (tests/fixtures/ibm-ar, 2,466 invoices), which ARLens
 * did not generate and which maps no salesperson: loaded with the ibm-ar profile, built, and read
 * through Cube as a CFO. The KPIs are non-zero and reconcile with the invoices they come from (before
 * the ledger work, every KPI of this sample was 0: the salesperson join dropped every row).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { FIXTURES, ROOT } from '../helpers.ts';
import { num, startCubeHarness, type CubeHarness } from './harness.ts';

let h: CubeHarness;
const CFO = { role: 'cfo' } as const;

beforeAll(async () => {
  h = await startCubeHarness(async (root) => {
    const wh = join(root, 'wh');
    await ingest([{ path: join(FIXTURES, 'ibm-ar'), profile: 'ibm-ar' }], { warehouseDir: wh });
    await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
    return wh;
  });
}, 240_000);
afterAll(async () => {
  await h?.close();
});

describe("IBM's AR sample, end to end", () => {
  it('loads every invoice, with salesperson (unassigned)', async () => {
    const [row] = await h.sql(
      `SELECT count(*) AS n, count(*) FILTER (WHERE salesperson = '(unassigned)') AS unassigned FROM marts.fct_invoices`,
    );
    expect(num(row!['n'])).toBe(2466);
    expect(num(row!['unassigned'])).toBe(2466);
  });

  it('gives non-zero credit sales, write-offs-free bad debt and DSO through Cube, reconciled with the invoices', async () => {
    const [kpi] = await h.load(CFO, {
      measures: ['cfo_overview.credit_sales', 'cfo_overview.invoice_count', 'cfo_overview.bad_debt_rate'],
    });
    const [facts] = await h.sql('SELECT sum(invoice_amount_rc) AS s, count(*) AS n FROM marts.fct_invoices');
    expect(num(kpi!['cfo_overview.credit_sales'])).toBeGreaterThan(0);
    expect(num(kpi!['cfo_overview.credit_sales'])).toBe(num(facts!['s']));
    expect(num(kpi!['cfo_overview.invoice_count'])).toBe(2466);
    expect(num(kpi!['cfo_overview.bad_debt_rate'])).toBe(0);
  });

  it('by region (the sample’s five countries) the parts add up to the total, each month', async () => {
    const rows = await h.load(CFO, {
      measures: ['cfo_overview.credit_sales', 'cfo_overview.dso'],
      dimensions: ['cfo_overview.region'],
      timeDimensions: [{ dimension: 'cfo_overview.month', granularity: 'year' }],
    });
    const byYear = new Map<string, number>();
    for (const r of rows) {
      const y = String(r['cfo_overview.month.year']).slice(0, 4);
      byYear.set(y, (byYear.get(y) ?? 0) + num(r['cfo_overview.credit_sales'])!);
    }
    const expected = await h.sql(
      `SELECT year(issue_date)::VARCHAR AS y, sum(invoice_amount_rc) AS s FROM marts.fct_invoices GROUP BY 1 ORDER BY 1`,
    );
    expect(new Set(rows.map((r) => r['cfo_overview.region'])).size).toBe(5);
    for (const e of expected)
      expect(byYear.get(String(e['y']))?.toFixed(2), String(e['y'])).toBe(num(e['s'])!.toFixed(2));
    // Every settled sample invoice: DSO is a finite number of days, never 0 for a month with sales.
    expect(rows.some((r) => num(r['cfo_overview.dso'])! > 0)).toBe(true);
  });

  it('the ledger: every sample invoice is settled, so nothing is open and no customer is in credit', async () => {
    const [ledger] = await h.load(CFO, {
      measures: ['ledger.gross_ar', 'ledger.net_ar', 'ledger.customers_in_credit'],
    });
    const [open] = await h.sql('SELECT coalesce(sum(open_amount_rc), 0) AS s FROM marts.fct_invoices');
    expect(num(ledger?.['ledger.gross_ar'] ?? 0)).toBe(num(open!['s']));
    expect(num(ledger?.['ledger.customers_in_credit'] ?? 0)).toBe(0);
  });
});
