import { describe, expect, it } from 'vitest';
import { customerCreditQuery, paymentHistoryQuery, utilisationHeatmapQuery } from './credit.query.ts';
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
