/**
 * The hand-computed KPI vectors of the models issue (models/models/marts/mart_ar_kpis_monthly.yml,
 * unit_tests), read from that file and passed through the whole path: components table → the
 * mart built by the runner → Cube → @cubejs-client/core. Each vector gets its own region.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { build } from '../../models/runner/index.ts';
import { Params } from '../../warehouse/duckdb.ts';
import { withNextGeneration } from '../../warehouse/store.ts';
import { ROOT } from '../helpers.ts';
import { num, startCubeHarness, type CubeHarness } from './harness.ts';

interface UnitTest {
  name: string;
  given: { input: string; rows: Record<string, unknown>[] }[];
  expect: { rows: Record<string, unknown>[] };
}

const COMPONENT_COLUMNS: [string, string][] = [
  ['month_start', 'DATE'],
  ['period_end_date', 'DATE'],
  ['region', 'VARCHAR'],
  ['product_line', 'VARCHAR'],
  ['salesperson', 'VARCHAR'],
  ['days_in_period', 'INTEGER'],
  ['credit_sales_rc', 'DECIMAL(18, 2)'],
  ['invoice_count', 'BIGINT'],
  ['unconverted_invoice_count', 'BIGINT'],
  ['beginning_ar_rc', 'DECIMAL(18, 2)'],
  ['ending_ar_rc', 'DECIMAL(18, 2)'],
  ['ending_current_ar_rc', 'DECIMAL(18, 2)'],
  ['ending_overdue_ar_rc', 'DECIMAL(18, 2)'],
  ['unconverted_open_count', 'BIGINT'],
  ['collections_rc', 'DECIMAL(18, 2)'],
  ['write_offs_rc', 'DECIMAL(18, 2)'],
  ['settled_invoice_count', 'BIGINT'],
  ['on_time_invoice_count', 'BIGINT'],
  ['paid_invoice_count', 'BIGINT'],
  ['sum_days_to_pay', 'BIGINT'],
  ['sum_days_beyond_terms', 'BIGINT'],
];

/** mart column → cfo_overview measure */
const MEASURES: Record<string, string> = {
  dso_days: 'dso',
  countback_dso_days: 'countback_dso',
  best_possible_dso_days: 'best_possible_dso',
  average_days_delinquent: 'average_days_delinquent',
  cei_percent: 'cei',
  bad_debt_rate: 'bad_debt_rate',
  on_time_ratio: 'on_time_ratio',
  average_days_to_pay: 'average_days_to_pay',
  average_days_beyond_terms: 'average_days_beyond_terms',
};

let vectors: UnitTest[];
let h: CubeHarness;

beforeAll(async () => {
  const yml = parseYaml(
    await fs.readFile(join(ROOT, 'models/models/marts/mart_ar_kpis_monthly.yml'), 'utf8'),
  ) as {
    unit_tests: UnitTest[];
  };
  vectors = yml.unit_tests;
  h = await startCubeHarness(async (root) => {
    const wh = join(root, 'wh');
    await withNextGeneration(wh, 'test', async (conn) => {
      await conn.run('CREATE SCHEMA intermediate');
      await conn.run(
        `CREATE TABLE intermediate.int_ar_monthly_components (${COMPONENT_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')})`,
      );
      for (const [i, v] of vectors.entries()) {
        for (const row of v.given[0]!.rows) {
          const month = String(row['month_start']);
          const full: Record<string, unknown> = { ...row, region: `V${i + 1}` };
          full['ending_overdue_ar_rc'] =
            Number(row['ending_ar_rc'] ?? 0) - Number(row['ending_current_ar_rc'] ?? 0);
          const p = new Params();
          const values = COMPONENT_COLUMNS.map(([c, t]) => {
            if (c === 'period_end_date') return `last_day(${p.add(month)}::DATE)`;
            const v = full[c] ?? (t === 'VARCHAR' ? 'x' : 0);
            return `${p.add(String(v))}::${t}`;
          });
          await conn.run(
            `INSERT INTO intermediate.int_ar_monthly_components VALUES (${values.join(', ')})`,
            p.values,
          );
        }
      }
    });
    await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh, select: ['mart_ar_kpis_monthly'] });
    return wh;
  });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('KPI test vectors through Cube', () => {
  it('gives the hand-computed DSO, countback DSO, best-possible DSO, ADD, CEI, bad-debt rate, on-time ratio and days to pay', async () => {
    expect(vectors.length).toBeGreaterThanOrEqual(2);
    let compared = 0;
    for (const [i, v] of vectors.entries()) {
      const rows = await h.load(
        { role: 'cfo' },
        {
          measures: Object.values(MEASURES).map((m) => `cfo_overview.${m}`),
          timeDimensions: [{ dimension: 'cfo_overview.month', granularity: 'month' }],
          filters: [{ member: 'cfo_overview.region', operator: 'equals', values: [`V${i + 1}`] }],
          order: { 'cfo_overview.month': 'asc' },
        },
      );
      expect(rows.map((r) => String(r['cfo_overview.month.month']).slice(0, 10))).toEqual(
        v.expect.rows.map((e) => String(e['month_start'])),
      );
      for (const [j, e] of v.expect.rows.entries()) {
        for (const [column, value] of Object.entries(e)) {
          const measure = MEASURES[column];
          if (!measure) continue;
          const got = rows[j]![`cfo_overview.${measure}`];
          if (value === null) expect(got, `${v.name} ${String(e['month_start'])} ${column}`).toBeNull();
          else
            expect(num(got), `${v.name} ${String(e['month_start'])} ${column}`).toBeCloseTo(Number(value), 5);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThanOrEqual(30);
  });
});
