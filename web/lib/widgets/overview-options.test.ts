import { describe, expect, it } from 'vitest';
import { agingTrendOption } from './aging-trend/aging-trend.option.ts';
import { dsoTrendOption } from './dso-trend/dso-trend.option.ts';
import { kpiTiles } from './kpi-tiles/kpi-tiles.model.ts';
import { topOverdueQuery } from './top-overdue/top-overdue.query.ts';

const rows = [
  {
    'cfo_overview.month.month': '2026-05-01T00:00:00.000',
    'cfo_overview.total_ar': '1000.00',
    'cfo_overview.overdue_ratio': 0.2,
    'cfo_overview.dso': 40,
    'cfo_overview.countback_dso': 38,
    'cfo_overview.best_possible_dso': 30,
    'cfo_overview.cei': 80,
    'cfo_overview.bad_debt_rate': 0.01,
    'cfo_overview.current_ar': '800.00',
    'cfo_overview.ar_1_30': '100.00',
    'cfo_overview.ar_31_60': '50.00',
    'cfo_overview.ar_61_90': '25.00',
    'cfo_overview.ar_91_180': '25.00',
    'cfo_overview.ar_over_180': '0.00',
  },
  {
    'cfo_overview.month.month': '2026-06-01T00:00:00.000',
    'cfo_overview.total_ar': '1200.50',
    'cfo_overview.overdue_ratio': 0.25,
    'cfo_overview.dso': 45.5,
    'cfo_overview.countback_dso': 41,
    'cfo_overview.best_possible_dso': 30,
    'cfo_overview.cei': 85,
    'cfo_overview.bad_debt_rate': null,
    'cfo_overview.current_ar': '900.00',
    'cfo_overview.ar_1_30': '150.50',
    'cfo_overview.ar_31_60': '50.00',
    'cfo_overview.ar_61_90': '50.00',
    'cfo_overview.ar_91_180': '50.00',
    'cfo_overview.ar_over_180': '0.00',
  },
];

describe('Overview widgets', () => {
  it('tiles: last month, change from the month before, good or bad by KPI', () => {
    const tiles = kpiTiles(rows);
    const by = Object.fromEntries(tiles.map((t) => [t.key, t]));
    expect(by['total_ar']).toMatchObject({
      value: 1200.5,
      money: '1200.50',
      change: 200.5,
      trend: 'bad',
      month: '2026-06-01',
      previousMonth: '2026-05-01',
    });
    expect(by['dso']).toMatchObject({ value: 45.5, change: 5.5, trend: 'bad' });
    expect(by['cei']).toMatchObject({ change: 5, trend: 'good' });
    expect(by['best_possible_dso']).toMatchObject({ trend: 'flat' });
    expect(by['bad_debt_rate']).toMatchObject({ value: null, change: null, trend: null });
    expect(kpiTiles([])[0]).toMatchObject({ value: null, month: null });
  });

  const labels = {
    dso: 'DSO',
    bestPossible: 'Best possible',
    target: 'Target',
    month: (d: string) => d.slice(0, 7),
    days: (v: number) => `${v} days`,
  };

  it('DSO trend: the chosen method, best-possible line and the target line', () => {
    const standard = dsoTrendOption(rows, 'standard', 45, labels) as {
      series: { data: unknown[]; markLine?: { data: unknown[] } }[];
      xAxis: { data: string[] };
    };
    expect(standard.xAxis.data).toEqual(['2026-05', '2026-06']);
    expect(standard.series[0]!.data).toEqual([40, 45.5]);
    expect(standard.series[0]!.markLine!.data).toEqual([{ yAxis: 45 }]);
    expect(standard.series[1]!.data).toEqual([30, 30]);
    const countback = dsoTrendOption(rows, 'countback', null, labels) as {
      series: { data: unknown[]; markLine?: unknown }[];
    };
    expect(countback.series[0]!.data).toEqual([38, 41]);
    expect(countback.series[0]!.markLine).toBeUndefined();
    expect(dsoTrendOption([], 'standard', 45, labels)).toBeNull();
  });

  it('aging: one stacked series per configured bucket, in order from current to the oldest', () => {
    const config = ['current', '1-30', '31-90', '90+'].map((bucket, order) => ({ bucket, order }));
    const row = (month: string, bucket: string, order: number, ar: string) => ({
      'aging.month.month': `${month}T00:00:00.000`,
      'aging.aging_bucket': bucket,
      'aging.aging_bucket_order': order,
      'aging.total_ar': ar,
    });
    const option = agingTrendOption(
      [
        row('2026-06-01', '1-30', 1, '150.50'),
        row('2026-05-01', 'current', 0, '800.00'),
        row('2026-05-01', '1-30', 1, '100.00'),
        row('2026-06-01', '90+', 3, '7.00'),
      ],
      config,
      { bucket: (b) => `[${b}]`, month: (d) => d, money: (v) => String(v) },
    ) as { xAxis: { data: string[] }; series: { name: string; stack: string; data: unknown[] }[] };
    expect(option.xAxis.data).toEqual(['2026-05-01', '2026-06-01']);
    expect(option.series.map((s) => s.name)).toEqual(['[current]', '[1-30]', '[31-90]', '[90+]']);
    expect(option.series.every((s) => s.stack === 'aging')).toBe(true);
    expect(option.series[1]!.data).toEqual([100, 150.5]);
    // A bucket with nothing in a month is 0 there, not missing.
    expect(option.series[0]!.data).toEqual([800, 0]);
    expect(option.series[2]!.data).toEqual([0, 0]);
    expect(option.series[3]!.data).toEqual([0, 7]);
    expect(agingTrendOption([], config, { bucket: String, month: String, money: String })).toBeNull();
  });

  it('top overdue: biggest overdue first, only customers with something overdue', () => {
    const q = topOverdueQuery({ region: 'APAC' }, 5);
    expect(q.order).toEqual({ 'credit_policy.overdue_ar': 'desc' });
    expect(q.limit).toBe(5);
    expect(q.filters).toContainEqual({
      member: 'credit_policy.region',
      operator: 'equals',
      values: ['APAC'],
    });
  });
});
