/**
 * Expected cash in for the next 13 weeks as a line with its 80 % band, beside the cash received in
 * the 13 weeks before; and the latest backtest as table rows. Pure.
 */
import type { ChartOption } from '../../ui/echarts.ts';
import { toDate, toNumber, type CubeValue } from '../../cube/values.ts';

export interface CashForecastLabels {
  readonly expected: string;
  readonly interval: string;
  readonly actual: string;
  readonly week: (date: string) => string;
  readonly money: (value: number) => string;
}

type Rows = readonly Record<string, CubeValue>[];

export function cashForecastOption(
  forecast: Rows,
  actuals: Rows,
  labels: CashForecastLabels,
): ChartOption | null {
  if (forecast.length === 0) return null;
  const f = forecast.map((r) => ({
    date: toDate(r['cash_forecast.period_start.day'] ?? r['cash_forecast.period_start']) ?? '',
    expected: toNumber(r['cash_forecast.expected_receipts']),
    low: toNumber(r['cash_forecast.expected_receipts_low']),
    high: toNumber(r['cash_forecast.expected_receipts_high']),
  }));
  const a = actuals.map((r) => ({
    date: toDate(r['payments_received.payment_date.week'] ?? r['payments_received.payment_date']) ?? '',
    amount: toNumber(r['payments_received.amount']),
  }));
  const dates = [...a.map((x) => x.date), ...f.map((x) => x.date)];
  const pad = (n: number) => new Array<null>(n).fill(null);
  return {
    animation: false,
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? labels.money(v) : '–'),
    },
    legend: { top: 0, data: [labels.actual, labels.expected, labels.interval] },
    grid: { left: 72, right: 24, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: dates.map(labels.week) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => labels.money(v) } },
    series: [
      {
        name: labels.actual,
        type: 'bar',
        data: [...a.map((x) => x.amount), ...pad(f.length)],
        itemStyle: { color: '#7a8793' },
      },
      {
        name: 'low',
        type: 'line',
        data: [...pad(a.length), ...f.map((x) => x.low)],
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        tooltip: { show: false },
      },
      {
        name: labels.interval,
        type: 'line',
        data: [
          ...pad(a.length),
          ...f.map((x) => (x.high !== null && x.low !== null ? x.high - x.low : null)),
        ],
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(18, 53, 91, 0.18)' },
        itemStyle: { color: 'rgba(18, 53, 91, 0.35)' },
      },
      {
        name: labels.expected,
        type: 'line',
        data: [...pad(a.length), ...f.map((x) => x.expected)],
        symbolSize: 5,
        lineStyle: { width: 3, color: '#12355b' },
        itemStyle: { color: '#12355b' },
      },
    ],
  };
}

export interface AccuracyRow {
  readonly method: string;
  readonly wape: number | null;
  readonly bias: number | null;
}

export interface Accuracy {
  readonly rows: AccuracyRow[];
  readonly coverage: number | null;
  readonly origins: number | null;
  readonly from: string | null;
  readonly to: string | null;
}

const ORDER = ['hazard_logistic', 'customer_delay', 'bucket_rate', 'due_date'];

export function accuracy(rows: Rows): Accuracy | null {
  if (rows.length === 0) return null;
  const get = (method: string, metric: string) =>
    toNumber(
      rows.find(
        (r) => r['forecast_accuracy.method'] === method && r['forecast_accuracy.metric'] === metric,
      )?.['forecast_accuracy.value'],
    );
  const first = rows[0] ?? {};
  return {
    rows: ORDER.map((m) => ({ method: m, wape: get(m, 'wape_4w'), bias: get(m, 'bias_4w') })),
    coverage: get('hazard_logistic', 'interval_coverage_80'),
    origins: toNumber(first['forecast_accuracy.origins']),
    from: toDate(first['forecast_accuracy.first_origin']),
    to: toDate(first['forecast_accuracy.last_origin']),
  };
}
