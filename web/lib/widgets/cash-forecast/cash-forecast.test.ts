import { describe, expect, it } from 'vitest';
import { accuracy, cashForecastOption } from './cash-forecast.option.ts';
import { cashActualsQuery, cashForecastQuery } from './cash-forecast.query.ts';

const labels = {
  expected: 'Expected',
  interval: '80 % interval',
  actual: 'Received',
  week: (d: string) => d,
  money: (v: number) => String(v),
};

describe('cash forecast widget', () => {
  it('reads the total, or one region when the region filter is set', () => {
    expect(cashForecastQuery({}).filters).toEqual([
      { member: 'cash_forecast.grain', operator: 'equals', values: ['week'] },
      { member: 'cash_forecast.grouping', operator: 'equals', values: ['total'] },
    ]);
    expect(cashForecastQuery({ region: 'EMEA', productLine: 'Services' }).filters).toEqual([
      { member: 'cash_forecast.grain', operator: 'equals', values: ['week'] },
      { member: 'cash_forecast.grouping', operator: 'equals', values: ['region'] },
      { member: 'cash_forecast.group_value', operator: 'equals', values: ['EMEA'] },
    ]);
    expect(cashActualsQuery({}, '2026-06-30').timeDimensions).toEqual([
      {
        dimension: 'payments_received.payment_date',
        granularity: 'week',
        dateRange: ['2026-04-01', '2026-06-30'],
      },
    ]);
  });

  it('draws the received weeks as bars, then the expected line on a low + width band', () => {
    const o = cashForecastOption(
      [
        {
          'cash_forecast.period_start.day': '2026-07-01T00:00:00.000',
          'cash_forecast.expected_receipts': '100.50',
          'cash_forecast.expected_receipts_low': '80.00',
          'cash_forecast.expected_receipts_high': '130.00',
        },
      ],
      [
        {
          'payments_received.payment_date.week': '2026-06-22T00:00:00.000',
          'payments_received.amount': '90.00',
        },
      ],
      labels,
    ) as { xAxis: { data: string[] }; series: { name: string; data: (number | null)[] }[] };
    expect(o.xAxis.data).toEqual(['2026-06-22', '2026-07-01']);
    expect(o.series.map((s) => [s.name, s.data])).toEqual([
      ['Received', [90, null]],
      ['low', [null, 80]],
      ['80 % interval', [null, 50]],
      ['Expected', [null, 100.5]],
    ]);
    expect(cashForecastOption([], [], labels)).toBeNull();
  });

  it('reads the backtest into rows, the model first', () => {
    const a = accuracy([
      {
        'forecast_accuracy.method': 'due_date',
        'forecast_accuracy.metric': 'wape_4w',
        'forecast_accuracy.value': 0.53,
        'forecast_accuracy.origins': 12,
      },
      {
        'forecast_accuracy.method': 'hazard_logistic',
        'forecast_accuracy.metric': 'wape_4w',
        'forecast_accuracy.value': 0.13,
      },
      {
        'forecast_accuracy.method': 'hazard_logistic',
        'forecast_accuracy.metric': 'interval_coverage_80',
        'forecast_accuracy.value': 0.77,
      },
    ]);
    expect(a?.rows[0]).toEqual({ method: 'hazard_logistic', wape: 0.13, bias: null });
    expect(a?.rows[3]).toEqual({ method: 'due_date', wape: 0.53, bias: null });
    expect(a?.coverage).toBe(0.77);
    expect(a?.origins).toBe(12);
    expect(accuracy([])).toBeNull();
  });
});
