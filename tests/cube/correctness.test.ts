/**
 * Every view, queried through @cubejs-client/core, against SQL written independently on the marts.
 * Ratios are recomputed here from monthly sums (countback DSO by walking the months in TypeScript),
 * never read back from Cube's own macros.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Query } from '@cubejs-client/core';
import type { Row } from '../../warehouse/convert.ts';
import { signToken } from '../../cube/security.ts';
import { TEST_SECRET } from '../helpers.ts';
import { agingTrendQuery } from '../../web/lib/widgets/aging-trend/aging-trend.query.ts';
import { dsoTrendQuery } from '../../web/lib/widgets/dso-trend/dso-trend.query.ts';
import { kpiHeatmapQuery } from '../../web/lib/widgets/kpi-heatmap/kpi-heatmap.query.ts';
import { kpiTilesQuery } from '../../web/lib/widgets/kpi-tiles/kpi-tiles.query.ts';
import { byKey, num, startCubeHarness, type CubeHarness } from './harness.ts';

const CFO = { role: 'cfo' } as const;
let h: CubeHarness;

beforeAll(async () => {
  h = await startCubeHarness();
}, 240_000);
afterAll(async () => {
  await h?.close();
});

const day = (t: unknown) => String(t).slice(0, 10);

function expectClose(actual: unknown, expected: number | null, digits = 2): void {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(num(actual)).not.toBeNull();
  expect(num(actual)!).toBeCloseTo(expected, digits);
}

interface Month {
  month: string;
  periodEnd: string;
  days: number;
  sales: number;
  ar: number;
  current: number;
  beginning: number;
  writeOffs: number;
  onTime: number;
  settled: number;
}

/** Company-wide monthly sums from the mart: the raw material of the independent KPI arithmetic. */
async function months(): Promise<Month[]> {
  const rows = await h.sql(
    `SELECT month_start, max(period_end_date) AS period_end, max(days_in_period) AS days,
            sum(credit_sales_rc) AS sales, sum(ending_ar_rc) AS ar, sum(ending_current_ar_rc) AS cur,
            sum(beginning_ar_rc) AS beginning, sum(write_offs_rc) AS wo,
            sum(on_time_invoice_count) AS on_time, sum(settled_invoice_count) AS settled
     FROM marts.mart_ar_kpis_monthly GROUP BY month_start ORDER BY month_start`,
  );
  return rows.map((r) => ({
    month: String(r['month_start']),
    periodEnd: String(r['period_end']),
    days: num(r['days'])!,
    sales: num(r['sales'])!,
    ar: num(r['ar'])!,
    current: num(r['cur'])!,
    beginning: num(r['beginning'])!,
    writeOffs: num(r['wo'])!,
    onTime: num(r['on_time'])!,
    settled: num(r['settled'])!,
  }));
}

/** Countback DSO walking back from month index `end` (exhaustion method, 24 months at most). */
function countback(all: Month[], end: number): number | null {
  let left = all[end]!.ar;
  if (left <= 0) return 0;
  let days = 0;
  for (let i = end; i >= 0 && i > end - 24; i--) {
    const m = all[i]!;
    if (m.sales >= left && m.sales > 0) return days + (left / m.sales) * m.days;
    left -= m.sales;
    days += m.days;
  }
  return null;
}

describe('cfo_overview', () => {
  it('gives AR, DSO, countback DSO, best-possible DSO, CEI and bad-debt rate per quarter as the months add up', async () => {
    const all = await months();
    const rows = await h.load(CFO, {
      measures: [
        'cfo_overview.total_ar',
        'cfo_overview.dso',
        'cfo_overview.countback_dso',
        'cfo_overview.best_possible_dso',
        'cfo_overview.cei',
        'cfo_overview.bad_debt_rate',
        'cfo_overview.on_time_ratio',
        'cfo_overview.credit_sales',
      ],
      timeDimensions: [{ dimension: 'cfo_overview.month', granularity: 'quarter' }],
      order: { 'cfo_overview.month': 'asc' },
    });
    const quarters = new Map<string, number[]>();
    all.forEach((m, i) => {
      const d = new Date(`${m.month}T00:00:00Z`);
      const q = `${d.getUTCFullYear()}-${String(Math.floor(d.getUTCMonth() / 3) * 3 + 1).padStart(2, '0')}-01`;
      quarters.set(q, [...(quarters.get(q) ?? []), i]);
    });
    expect(rows.map((r) => day(r['cfo_overview.month.quarter']))).toEqual([...quarters.keys()]);
    for (const r of rows) {
      const idx = quarters.get(day(r['cfo_overview.month.quarter']))!;
      const first = all[idx[0]!]!;
      const last = all[idx[idx.length - 1]!]!;
      const sales = idx.reduce((a, i) => a + all[i]!.sales, 0);
      const writeOffs = idx.reduce((a, i) => a + all[i]!.writeOffs, 0);
      const onTime = idx.reduce((a, i) => a + all[i]!.onTime, 0);
      const settled = idx.reduce((a, i) => a + all[i]!.settled, 0);
      const days = (Date.parse(last.periodEnd) - Date.parse(first.month)) / 86_400_000 + 1;
      expect(r['cfo_overview.total_ar']).toBe(last.ar.toFixed(2));
      expect(num(r['cfo_overview.credit_sales'])).toBeCloseTo(sales, 2);
      expectClose(r['cfo_overview.dso'], sales > 0 ? (last.ar / sales) * days : null);
      expectClose(r['cfo_overview.best_possible_dso'], sales > 0 ? (last.current / sales) * days : null);
      const cb = countback(all, idx[idx.length - 1]!);
      expectClose(r['cfo_overview.countback_dso'], cb === null ? null : Math.round(cb * 100) / 100);
      const denom = first.beginning + sales - last.current;
      expectClose(
        r['cfo_overview.cei'],
        denom !== 0 ? (100 * (first.beginning + sales - last.ar)) / denom : null,
      );
      expectClose(r['cfo_overview.bad_debt_rate'], sales > 0 ? writeOffs / sales : null, 5);
      expectClose(r['cfo_overview.on_time_ratio'], settled > 0 ? onTime / settled : null, 5);
    }
  });

  it("equals the mart's own KPIs for every region, product line, salesperson and month", async () => {
    const rows = await h.load(CFO, {
      measures: [
        'cfo_overview.dso',
        'cfo_overview.countback_dso',
        'cfo_overview.best_possible_dso',
        'cfo_overview.average_days_delinquent',
        'cfo_overview.cei',
        'cfo_overview.bad_debt_rate',
        'cfo_overview.on_time_ratio',
        'cfo_overview.average_days_to_pay',
        'cfo_overview.average_days_beyond_terms',
      ],
      dimensions: ['cfo_overview.region', 'cfo_overview.product_line', 'cfo_overview.salesperson'],
      timeDimensions: [{ dimension: 'cfo_overview.month', granularity: 'month' }],
      limit: 50_000,
    });
    const mart = byKey(await h.sql('SELECT * FROM marts.mart_ar_kpis_monthly'), (r) =>
      [r['region'], r['product_line'], r['salesperson'], r['month_start']].join('|'),
    );
    expect(rows.length).toBe(mart.size);
    const key = (r: Row) =>
      [
        r['cfo_overview.region'],
        r['cfo_overview.product_line'],
        r['cfo_overview.salesperson'],
        day(r['cfo_overview.month.month']),
      ].join('|');
    const pairs: [string, string][] = [
      ['dso', 'dso_days'],
      ['countback_dso', 'countback_dso_days'],
      ['best_possible_dso', 'best_possible_dso_days'],
      ['average_days_delinquent', 'average_days_delinquent'],
      ['cei', 'cei_percent'],
      ['bad_debt_rate', 'bad_debt_rate'],
      ['on_time_ratio', 'on_time_ratio'],
      ['average_days_to_pay', 'average_days_to_pay'],
      ['average_days_beyond_terms', 'average_days_beyond_terms'],
    ];
    for (const r of rows) {
      const m = mart.get(key(r));
      expect(m, key(r)).toBeDefined();
      for (const [measure, column] of pairs) {
        const expected = num(m![column]);
        expectClose(
          r[`cfo_overview.${measure}`],
          expected,
          measure.endsWith('rate') || measure.endsWith('ratio') ? 5 : 2,
        );
      }
    }
  });

  it('takes AR and aging at the period end for a year, not the sum of its months', async () => {
    const rows = await h.load(CFO, {
      measures: ['cfo_overview.total_ar', 'cfo_overview.overdue_ar'],
      dimensions: ['cfo_overview.region'],
      timeDimensions: [{ dimension: 'cfo_overview.month', granularity: 'year' }],
    });
    const expected = byKey(
      await h.sql(
        `WITH y AS (SELECT region, date_trunc('year', month_start) AS y, max(period_end_date) AS pe
                    FROM marts.mart_ar_kpis_monthly GROUP BY ALL)
         SELECT y.region, y.y, sum(k.ending_ar_rc) AS ar, sum(k.ending_overdue_ar_rc) AS overdue
         FROM y JOIN marts.mart_ar_kpis_monthly AS k ON k.region = y.region AND k.period_end_date = y.pe
         GROUP BY ALL`,
      ),
      (r) => `${r['region']}|${day(r['y'])}`,
    );
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const e = expected.get(`${r['cfo_overview.region']}|${day(r['cfo_overview.month.year'])}`)!;
      expect([r['cfo_overview.total_ar'], r['cfo_overview.overdue_ar']]).toEqual([e['ar'], e['overdue']]);
    }
    // Aging, in the configured buckets, the same way: the year's last period end, bucket by bucket.
    const aging = await h.load(CFO, {
      measures: ['aging.total_ar'],
      dimensions: ['aging.region', 'aging.aging_bucket'],
      timeDimensions: [{ dimension: 'aging.month', granularity: 'year' }],
    });
    const expectedAging = byKey(
      await h.sql(
        `WITH y AS (SELECT region, date_trunc('year', month_start) AS y, max(period_end_date) AS pe
                    FROM marts.mart_ar_kpis_monthly GROUP BY ALL)
         SELECT y.region, y.y, a.aging_bucket, sum(a.ending_ar_rc) AS ar
         FROM y JOIN marts.mart_ar_aging_monthly AS a ON a.region = y.region AND a.period_end_date = y.pe
         GROUP BY ALL`,
      ),
      (r) => `${r['region']}|${day(r['y'])}|${r['aging_bucket']}`,
    );
    expect(aging.length).toBe(expectedAging.size);
    for (const r of aging) {
      const key = `${r['aging.region']}|${day(r['aging.month.year'])}|${r['aging.aging_bucket']}`;
      expect(r['aging.total_ar'], key).toBe(expectedAging.get(key)?.['ar']);
    }
    // The buckets add up to the AR of the KPI mart.
    const sumByYear = new Map<string, number>();
    for (const r of aging) {
      const k = `${r['aging.region']}|${day(r['aging.month.year'])}`;
      sumByYear.set(k, (sumByYear.get(k) ?? 0) + Number(r['aging.total_ar']));
    }
    for (const r of rows) {
      const k = `${r['cfo_overview.region']}|${day(r['cfo_overview.month.year'])}`;
      expect((sumByYear.get(k) ?? 0).toFixed(2), k).toBe(Number(r['cfo_overview.total_ar']).toFixed(2));
    }
  });
});

describe('credit_policy and customer_risk', () => {
  it('adds up exposure, limits and customers over limit per region and segment', async () => {
    const rows = await h.load(CFO, {
      measures: [
        'credit_policy.count',
        'credit_policy.exposure',
        'credit_policy.total_credit_limit',
        'credit_policy.customers_over_limit',
        'credit_policy.credit_utilisation_ratio',
        'credit_policy.overdue_ar',
      ],
      dimensions: ['credit_policy.region', 'credit_policy.segment'],
    });
    const expected = byKey(
      await h.sql(
        `SELECT c.region, c.segment, count(*) AS n, sum(e.exposure_rc) AS exposure, sum(e.credit_limit_amount_rc) AS lim,
                count(*) FILTER (WHERE e.is_over_limit) AS over_limit, sum(e.overdue_ar_rc) AS overdue,
                sum(e.exposure_rc) FILTER (WHERE e.credit_limit_amount_rc > 0) AS limited
         FROM marts.dim_customers AS c LEFT JOIN marts.fct_credit_exposure AS e USING (customer_id) GROUP BY ALL`,
      ),
      (r) => `${r['region']}|${r['segment']}`,
    );
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const e = expected.get(`${r['credit_policy.region']}|${r['credit_policy.segment']}`)!;
      expect(r['credit_policy.count']).toBe(e['n']);
      expect(r['credit_policy.exposure']).toBe(e['exposure']);
      expect(r['credit_policy.total_credit_limit']).toBe(e['lim']);
      expect(r['credit_policy.customers_over_limit']).toBe(e['over_limit']);
      expect(r['credit_policy.overdue_ar']).toBe(e['overdue']);
      const lim = num(e['lim']);
      expectClose(
        r['credit_policy.credit_utilisation_ratio'],
        lim ? Math.round((num(e['limited'])! / lim) * 1e4) / 1e4 : null,
        4,
      );
    }
    expect(rows.some((r) => num(r['credit_policy.customers_over_limit'])! > 0)).toBe(true);
  });

  it('lists every customer in customer_risk, with no score until the model has run', async () => {
    const rows = await h.load(CFO, {
      measures: ['customer_risk.count', 'customer_risk.scored_customers', 'customer_risk.open_ar'],
      dimensions: ['customer_risk.region'],
    });
    const expected = byKey(
      await h.sql(
        `SELECT c.region, count(*) AS n, sum(e.open_ar_rc) AS open_ar
         FROM marts.dim_customers AS c LEFT JOIN marts.fct_credit_exposure AS e USING (customer_id) GROUP BY ALL`,
      ),
      (r) => String(r['region']),
    );
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const e = expected.get(String(r['customer_risk.region']))!;
      expect([
        r['customer_risk.count'],
        r['customer_risk.open_ar'],
        r['customer_risk.scored_customers'],
      ]).toEqual([e['n'], e['open_ar'], '0']);
    }
  });
});

describe('analyst, collections, collection_log, ar_balances, payments_received', () => {
  it('analyst: invoices by region and aging bucket, amounts in the reporting currency', async () => {
    const rows = await h.load(CFO, {
      measures: [
        'analyst.count',
        'analyst.open_amount',
        'analyst.overdue_amount',
        'analyst.disputed_amount',
        'analyst.invoiced',
      ],
      dimensions: ['analyst.region', 'analyst.aging_bucket'],
    });
    const expected = byKey(
      await h.sql(
        `SELECT region, aging_bucket, count(*) AS n, sum(open_amount_rc) AS open,
                coalesce(sum(open_amount_rc) FILTER (WHERE days_past_due > 0), 0) AS overdue,
                sum(disputed_amount_rc) AS disputed, sum(invoice_amount_rc) AS invoiced
         FROM marts.fct_invoices GROUP BY ALL`,
      ),
      (r) => `${r['region']}|${r['aging_bucket']}`,
    );
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const e = expected.get(`${r['analyst.region']}|${r['analyst.aging_bucket']}`)!;
      expect(r['analyst.count']).toBe(e['n']);
      expect(r['analyst.open_amount']).toBe(e['open']);
      expect(num(r['analyst.overdue_amount']) ?? 0).toBe(num(e['overdue']));
      expect(r['analyst.disputed_amount']).toBe(e['disputed']);
      expect(r['analyst.invoiced']).toBe(e['invoiced']);
    }
  });

  it('analyst: invoice, due and payment dates keep their calendar day (TZ is Asia/Tokyo here)', async () => {
    const rows = await h.load(CFO, {
      measures: ['analyst.count'],
      timeDimensions: [
        { dimension: 'analyst.issue_date', granularity: 'day', dateRange: ['2026-06-01', '2026-06-30'] },
      ],
    });
    const expected = await h.sql(
      `SELECT issue_date, count(*) AS n FROM marts.fct_invoices WHERE issue_date BETWEEN '2026-06-01' AND '2026-06-30' GROUP BY ALL ORDER BY 1`,
    );
    expect(rows.map((r) => [day(r['analyst.issue_date.day']), r['analyst.count']])).toEqual(
      expected.map((e) => [e['issue_date'], e['n']]),
    );
  });

  it('collections: the worklist by dunning level', async () => {
    const rows = await h.load(CFO, {
      measures: ['collections.open_count', 'collections.open_amount', 'collections.overdue_count'],
      dimensions: ['collections.dunning_level'],
    });
    const expected = byKey(
      await h.sql(
        `SELECT dunning_level, count(*) FILTER (WHERE open_amount > 0) AS open_n, sum(open_amount_rc) AS open,
                count(*) FILTER (WHERE open_amount > 0 AND days_past_due > 0) AS overdue_n
         FROM marts.fct_invoices GROUP BY ALL`,
      ),
      (r) => String(r['dunning_level']),
    );
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const e = expected.get(String(r['collections.dunning_level']))!;
      expect([
        r['collections.open_count'],
        r['collections.open_amount'],
        r['collections.overdue_count'],
      ]).toEqual([e['open_n'], e['open'], e['overdue_n']]);
    }
  });

  it('collection_log: promise-to-pay kept ratio per region', async () => {
    const rows = await h.load(CFO, {
      measures: ['collection_log.promises', 'collection_log.promise_kept_ratio'],
      dimensions: ['collection_log.region'],
    });
    const expected = byKey(
      await h.sql(
        `SELECT c.region, count(*) FILTER (WHERE a.is_promise) AS promises,
                count(*) FILTER (WHERE a.promise_status = 'kept') AS kept,
                count(*) FILTER (WHERE a.promise_status IN ('kept', 'broken')) AS due
         FROM marts.fct_collection_activities AS a JOIN marts.dim_customers AS c USING (customer_id) GROUP BY ALL`,
      ),
      (r) => String(r['region']),
    );
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const e = expected.get(String(r['collection_log.region']))!;
      expect(r['collection_log.promises']).toBe(e['promises']);
      const due = num(e['due'])!;
      expectClose(
        r['collection_log.promise_kept_ratio'],
        due > 0 ? Math.round((num(e['kept'])! / due) * 1e4) / 1e4 : null,
        4,
      );
    }
  });

  it('ar_balances: month-end AR per month, equal to the snapshot at the last day of each month', async () => {
    const rows = await h.load(CFO, {
      measures: ['ar_balances.total_ar', 'ar_balances.overdue_ar'],
      timeDimensions: [{ dimension: 'ar_balances.snapshot_date', granularity: 'month' }],
      order: { 'ar_balances.snapshot_date': 'asc' },
    });
    const expected = await h.sql(
      `WITH last AS (SELECT date_trunc('month', snapshot_date) AS m, max(snapshot_date) AS d FROM marts.fct_ar_snapshots GROUP BY 1)
       SELECT last.m, sum(s.open_amount_rc) AS ar, sum(s.overdue_amount_rc) AS overdue
       FROM last JOIN marts.fct_ar_snapshots AS s ON s.snapshot_date = last.d GROUP BY 1 ORDER BY 1`,
    );
    expect(
      rows.map((r) => [
        day(r['ar_balances.snapshot_date.month']),
        r['ar_balances.total_ar'],
        r['ar_balances.overdue_ar'],
      ]),
    ).toEqual(expected.map((e) => [day(e['m']), e['ar'], e['overdue']]));
  });

  it('payments_received: amounts per month', async () => {
    const rows = await h.load(CFO, {
      measures: ['payments_received.amount', 'payments_received.count'],
      timeDimensions: [{ dimension: 'payments_received.payment_date', granularity: 'month' }],
      order: { 'payments_received.payment_date': 'asc' },
    });
    const expected = await h.sql(
      `SELECT date_trunc('month', payment_date) AS m, sum(payment_amount_rc) AS amount, count(*) AS n
       FROM marts.fct_payments GROUP BY 1 ORDER BY 1`,
    );
    expect(
      rows.map((r) => [
        day(r['payments_received.payment_date.month']),
        r['payments_received.amount'],
        r['payments_received.count'],
      ]),
    ).toEqual(expected.map((e) => [day(e['m']), e['amount'], e['n']]));
  });
});

describe('the model', () => {
  it('says in /v1/meta which as-of date the marts describe', async () => {
    const res = await fetch(`${h.server.url}cubejs-api/v1/meta`, {
      headers: { authorization: await signToken(TEST_SECRET, CFO) },
    });
    const body = (await res.json()) as { asOf?: { date: string; source: string } };
    const [row] = await h.sql(
      'SELECT as_of_date::VARCHAR AS d, as_of_source AS s FROM intermediate.int_as_of',
    );
    expect(body.asOf).toEqual({ date: row!['d'], source: row!['s'] });
    expect(body.asOf?.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('gives every view member a title and a description, and every view a region', async () => {
    const meta = await (await h.client(CFO)).meta();
    const views = meta.cubes;
    expect(views.map((v) => v.name).sort()).toEqual([
      'aging',
      'analyst',
      'ar_balances',
      'cash_forecast',
      'cfo_overview',
      'collection_log',
      'collection_tasks_log',
      'collections',
      'credit_management',
      'credit_policy',
      'customer_risk',
      'dunning_letters_sent',
      'dunning_run_log',
      'expected_payments',
      'forecast_accuracy',
      'ledger',
      'payments_received',
    ]);
    for (const v of views) {
      expect(v.title, v.name).toBeTruthy();
      expect(v.description, v.name).toBeTruthy();
      const members = [...v.measures, ...v.dimensions];
      for (const m of members) {
        expect(m.title, m.name).toBeTruthy();
        expect((m as { description?: string }).description, m.name).toBeTruthy();
      }
      expect(members.map((m) => m.name)).toContain(`${v.name}.region`);
    }
  });
});

describe('pre-aggregations', () => {
  const dashboardQueries: [string, Query, string][] = [
    ['KPI tiles', kpiTilesQuery({ from: '2025-07-01', to: '2026-06-30' }), 'ar_kpis.kpis_by_month'],
    ['KPI tiles, one region', kpiTilesQuery({ region: 'LATAM' }), 'ar_kpis.kpis_by_month_region'],
    [
      'DSO trend, one product line',
      dsoTrendQuery({ productLine: 'Spare Parts' }),
      'ar_kpis.kpis_by_month_product_line',
    ],
    [
      'aging trend, region and product line',
      agingTrendQuery({ region: 'EMEA', productLine: 'Services' }),
      'ar_aging.aging_by_month_region_product_line',
    ],
    ['credit-policy heatmap', kpiHeatmapQuery({}, '2026-05-01'), 'ar_kpis.kpis_by_month_region_product_line'],
    [
      'explorer default: invoices by region and month',
      {
        measures: ['analyst.invoiced', 'analyst.open_amount', 'analyst.count'],
        dimensions: ['analyst.region'],
        timeDimensions: [{ dimension: 'analyst.issue_date', granularity: 'quarter' }],
        order: { 'analyst.issue_date': 'asc', 'analyst.region': 'asc' },
      },
      'invoices.invoices_by_month',
    ],
  ];

  it.each(dashboardQueries)(
    '%s: answered from its rollup in DuckDB, with the same numbers as without',
    async (_name, query, rollup) => {
      const api = await h.client(CFO);
      const sql = (await api.sql(query)).rawQuery() as unknown as {
        sql: [string, unknown[]];
        preAggregations: { preAggregationId: string }[];
      };
      expect(sql.preAggregations.map((p) => p.preAggregationId)).toEqual([rollup]);
      expect(sql.sql[0]).toContain('prod_pre_aggregations.');
      const fromRollup = (await api.load(query)).rawData();
      // The same query with an extra no-op filter that no rollup covers runs on the marts.
      const view = (query.measures?.[0] ?? '').split('.')[0]!;
      const raw = (
        await api.load({
          ...query,
          filters: [...(query.filters ?? []), { member: `${view}.salesperson`, operator: 'set' }],
        })
      ).rawData();
      expect(fromRollup.length).toBeGreaterThan(0);
      expect(fromRollup).toEqual(raw);
    },
  );
});
