import { describe, expect, it } from 'vitest';
import { overLimitCustomers } from './credit.model.ts';
import { kpiHeatmapOption, metricFormat, utilisationOption } from './credit.option.ts';
import {
  creditParams,
  customerCreditQuery,
  paymentHistoryQuery,
  utilisationHeatmapQuery,
} from './credit.query.ts';
import { heatmapOption } from './heatmap.option.ts';
import { suggestLimits } from './suggest.ts';

const customer = (id: string, o: Record<string, string | number | boolean | null>) => ({
  'credit_policy.customer_id': id,
  'credit_policy.customer_name': `Customer ${id}`,
  'credit_policy.region': 'EMEA',
  'credit_policy.status': 'active',
  'credit_policy.risk_band': null,
  ...o,
});

describe('suggested credit limits', () => {
  const customers = [
    customer('good', {
      'credit_policy.total_credit_limit': '100000.00',
      'credit_policy.exposure': '90000.00',
      'credit_policy.open_ar': '80000.00',
      'credit_policy.overdue_ar': '1000.00',
    }),
    customer('late', {
      'credit_policy.total_credit_limit': '100000.00',
      'credit_policy.exposure': '70000.00',
      'credit_policy.open_ar': '70000.00',
      'credit_policy.overdue_ar': '10000.00',
    }),
    customer('risky', {
      'credit_policy.total_credit_limit': '50000.00',
      'credit_policy.exposure': '60000.00',
      'credit_policy.open_ar': '60000.00',
      'credit_policy.overdue_ar': '0.00',
      'credit_policy.risk_band': 'very high',
    }),
    customer('over', {
      'credit_policy.total_credit_limit': '10000.00',
      'credit_policy.exposure': '12000.00',
      'credit_policy.open_ar': '12000.00',
      'credit_policy.overdue_ar': '0.00',
      'credit_policy.status': 'blocked',
    }),
    customer('quiet', {
      'credit_policy.total_credit_limit': '10000.00',
      'credit_policy.exposure': '1000.00',
      'credit_policy.open_ar': '1000.00',
      'credit_policy.overdue_ar': '0.00',
    }),
    customer('nolimit', { 'credit_policy.total_credit_limit': null, 'credit_policy.exposure': '1000.00' }),
  ];
  const history = [
    {
      'analyst.customer_id': 'good',
      'analyst.average_days_late': '1.5',
      'analyst.written_off_amount': '0.00',
    },
    {
      'analyst.customer_id': 'late',
      'analyst.average_days_late': '42.0',
      'analyst.written_off_amount': '0.00',
    },
    {
      'analyst.customer_id': 'risky',
      'analyst.average_days_late': '3',
      'analyst.written_off_amount': '0.00',
    },
  ];

  it('reduces for risk or late payment, increases for good payers near their limit, reviews breaches', () => {
    const s = suggestLimits(customers, history);
    expect(s.map((x) => [x.customerId, x.action, x.reasons, x.suggestedLimit])).toEqual([
      ['late', 'reduce', ['pays_late'], 70000],
      ['risky', 'reduce', ['high_risk'], 45000],
      ['over', 'review', ['over_limit'], 12000],
      ['good', 'increase', ['good_payer_near_limit'], 125000],
    ]);
  });

  it('sends a good payer over the limit to review (covering the exposure), not to an increase', () => {
    const [s] = suggestLimits(
      [
        customer('x', {
          'credit_policy.total_credit_limit': '16000.00',
          'credit_policy.exposure': '61311.61',
          'credit_policy.open_ar': '60000.00',
          'credit_policy.overdue_ar': '0.00',
        }),
      ],
      [
        {
          'analyst.customer_id': 'x',
          'analyst.average_days_late': '0.2',
          'analyst.written_off_amount': '0.00',
        },
      ],
    );
    expect(s).toMatchObject({ action: 'review', reasons: ['over_limit'], suggestedLimit: 62000 });
  });

  it('never suggests cutting below half the limit, and always lowers a reduce', () => {
    const [s] = suggestLimits(
      [
        customer('x', {
          'credit_policy.total_credit_limit': '100000.00',
          'credit_policy.exposure': '5000.00',
          'credit_policy.open_ar': '5000.00',
          'credit_policy.overdue_ar': '4000.00',
        }),
      ],
      [],
    );
    expect(s).toMatchObject({ action: 'reduce', reasons: ['overdue_share'], suggestedLimit: 50000 });
  });
});

describe('credit policy queries and heatmap', () => {
  it('queries by region and segment, per customer, and payment history over a window', () => {
    expect(utilisationHeatmapQuery({ region: 'LATAM' }).filters).toEqual([
      { member: 'credit_policy.region', operator: 'equals', values: ['LATAM'] },
    ]);
    expect(customerCreditQuery({}).order).toEqual({ 'credit_policy.exposure': 'desc' });
    expect(
      paymentHistoryQuery({ productLine: 'Services' }, '2025-07-01', '2026-06-30').timeDimensions,
    ).toEqual([{ dimension: 'analyst.issue_date', dateRange: ['2025-07-01', '2026-06-30'] }]);
  });

  it('lays out cells on sorted axes, coloured so that red is worse', () => {
    const option = heatmapOption(
      [
        { r: 'LATAM', p: 'Services', v: 60 },
        { r: 'EMEA', p: 'Hardware', v: 40 },
        { r: 'EMEA', p: 'Services', v: null },
      ],
      { x: 'p', y: 'r', value: 'v', higherIsWorse: true, format: (v) => `${v} d` },
    ) as {
      xAxis: { data: string[] };
      yAxis: { data: string[] };
      series: { data: number[][] }[];
      visualMap: { inRange: { color: string[] } };
    };
    expect(option.xAxis.data).toEqual(['Hardware', 'Services']);
    expect(option.yAxis.data).toEqual(['EMEA', 'LATAM']);
    expect(option.series[0]!.data).toEqual([
      [1, 1, 60],
      [0, 0, 40],
    ]);
    expect(option.visualMap.inRange.color.at(-1)).toBe('#e53935');
    expect(heatmapOption([], { x: 'p', y: 'r', value: 'v', higherIsWorse: true, format: String })).toBeNull();
  });
});

describe('credit policy page', () => {
  const data = { firstMonth: '2025-01-01', lastMonth: '2026-06-01', asOf: '2026-06-30' };

  it('reads the measure and month from the URL; bad values fall back to DSO and the latest month', () => {
    const p = creditParams(new URLSearchParams('metric=bad_debt_rate&month=2026-03-01'), data);
    expect(p.metric).toBe('bad_debt_rate');
    expect(p.month).toBe('2026-03-01');
    expect(p.months).toHaveLength(18);
    expect(p.window).toEqual(['2025-07-01', '2026-06-30']);
    const bad = creditParams(new URLSearchParams('metric=<b>&month=2031-01-01'), data);
    expect([bad.metric, bad.month]).toEqual(['dso', '2026-06-01']);
    const none = creditParams(new URLSearchParams(), { firstMonth: null, lastMonth: null, asOf: null });
    expect(none).toEqual({ metric: 'dso', months: [], month: '', window: null });
    // Fewer than 12 months: the window starts at the first.
    expect(creditParams(new URLSearchParams(), { ...data, firstMonth: '2026-04-01' }).window).toEqual([
      '2026-04-01',
      '2026-06-30',
    ]);
  });

  it('heatmaps: the chosen KPI by region × product line, utilisation by region × segment', () => {
    expect(metricFormat('dso', 'en-US')(45.67)).toBe('45.7');
    expect(metricFormat('on_time_ratio', 'en-US')(0.8123)).toBe('81.2%');
    expect(metricFormat('bad_debt_rate', 'en-US')(0.01234)).toBe('1.23%');
    const kpi = kpiHeatmapOption(
      [
        {
          'cfo_overview.region': 'EMEA',
          'cfo_overview.product_line': 'Services',
          'cfo_overview.dso': '41.5',
        },
      ],
      'dso',
      'en-US',
    ) as { xAxis: { data: string[] }; yAxis: { data: string[] }; series: { data: unknown[] }[] };
    expect([kpi.xAxis.data, kpi.yAxis.data, kpi.series[0]?.data]).toEqual([
      ['Services'],
      ['EMEA'],
      [[0, 0, 41.5]],
    ]);
    const util = utilisationOption(
      [
        {
          'credit_policy.region': 'APAC',
          'credit_policy.segment': 'SMB',
          'credit_policy.credit_utilisation_ratio': 0.5,
        },
      ],
      'en-US',
    ) as { xAxis: { data: string[] }; yAxis: { data: string[] } };
    expect([util.xAxis.data, util.yAxis.data]).toEqual([['SMB'], ['APAC']]);
    expect(utilisationOption([], 'en-US')).toBeNull();
  });

  it('customers over their limit, typed, in the rows’ order', () => {
    const rows = [
      customer('A', {
        'credit_policy.is_over_limit': true,
        'credit_policy.total_credit_limit': '1000.00',
        'credit_policy.exposure': '1500.00',
        'credit_policy.overdue_ar': '0.00',
        'credit_policy.credit_utilisation': 1.5,
        'credit_policy.risk_band': 'high',
      }),
      customer('B', { 'credit_policy.is_over_limit': false }),
    ];
    expect(overLimitCustomers(rows)).toEqual([
      {
        customerId: 'A',
        customerName: 'Customer A',
        region: 'EMEA',
        limit: '1000.00',
        exposure: '1500.00',
        overdue: '0.00',
        utilisation: 1.5,
        riskBand: 'high',
      },
    ]);
  });

  it('heatmaps show (unassigned) in words on the axes and in the tooltip; cells stay keyed by the member', () => {
    const rows = [
      {
        'cfo_overview.region': '(unassigned)',
        'cfo_overview.product_line': 'Services',
        'cfo_overview.dso': '30',
      },
      {
        'cfo_overview.region': 'EMEA',
        'cfo_overview.product_line': '(unassigned)',
        'cfo_overview.dso': '40',
      },
    ];
    const words = (m: string) => (m === '(unassigned)' ? '(未割当)' : m);
    const option = kpiHeatmapOption(rows, 'dso', 'ja-JP', words) as {
      xAxis: { data: string[] };
      yAxis: { data: string[] };
      series: { data: [number, number, number][] }[];
      tooltip: { formatter: (p: { data: [number, number, number] }) => string };
    };
    expect(option.xAxis.data).toEqual(['(未割当)', 'Services']);
    expect(option.yAxis.data).toEqual(['(未割当)', 'EMEA']);
    expect(option.series[0]?.data).toEqual([
      [1, 0, 30],
      [0, 1, 40],
    ]);
    expect(option.tooltip.formatter({ data: [1, 0, 30] })).toBe('(未割当) · Services: 30.0');
    const plain = kpiHeatmapOption(rows, 'dso', 'en-US') as { yAxis: { data: string[] } };
    expect(plain.yAxis.data).toEqual(['(unassigned)', 'EMEA']);
  });
});
