/** ECharts options of the customer page (aging bars, balance history). Pure: rows → option. */
import type { ChartOption } from '../ui/echarts.ts';
import { toNumber } from '../cube/values.ts';
import type { BalancePoint } from './customer.model.ts';
import { bucketColours, type BucketAmount } from '../aging/buckets.ts';

export interface AgingLabels {
  readonly bucket: (name: string) => string;
  /** The x axis' name ("Days past due"). */
  readonly axis: string;
  readonly money: (value: number) => string;
}

/** One bar per bucket, current first. Null when nothing is open. */
export function agingOption(buckets: readonly BucketAmount[], labels: AgingLabels): ChartOption | null {
  if (buckets.every((b) => (toNumber(b.amount) ?? 0) === 0)) return null;
  const colours = bucketColours(buckets.map((b) => b.bucket));
  return {
    grid: { left: 8, right: 16, top: 16, bottom: 28, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: unknown) => labels.money(Number(v)),
    },
    xAxis: {
      type: 'category',
      data: buckets.map((b) => labels.bucket(b.bucket)),
      axisLabel: { interval: 0, hideOverlap: false },
      name: labels.axis,
      nameLocation: 'middle',
      nameGap: 28,
    },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => labels.money(v) } },
    series: [
      {
        type: 'bar',
        data: buckets.map((b, i) => ({
          value: toNumber(b.amount) ?? 0,
          itemStyle: { color: colours[i] },
        })),
      },
    ],
  };
}

export interface HistoryLabels {
  readonly total: string;
  readonly overdue: string;
  readonly month: (date: string) => string;
  readonly money: (value: number) => string;
}

/** AR and overdue AR month by month. Null without history. */
export function balanceHistoryOption(
  points: readonly BalancePoint[],
  labels: HistoryLabels,
): ChartOption | null {
  if (points.length === 0) return null;
  return {
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => labels.money(Number(v)) },
    xAxis: { type: 'category', data: points.map((p) => labels.month(p.month)) },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => labels.money(v) } },
    series: [
      {
        name: labels.total,
        type: 'line',
        step: false,
        showSymbol: points.length < 24,
        areaStyle: { opacity: 0.12 },
        color: '#12355b',
        data: points.map((p) => toNumber(p.total) ?? 0),
      },
      {
        name: labels.overdue,
        type: 'line',
        showSymbol: points.length < 24,
        color: '#b3361e',
        data: points.map((p) => toNumber(p.overdue) ?? 0),
      },
    ],
  };
}
