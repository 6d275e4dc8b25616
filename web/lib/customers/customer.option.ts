/** ECharts options of the customer page (aging bars, balance history). Pure: rows → option. */
import type { ChartOption } from '../ui/echarts.ts';
import { toNumber } from '../cube/values.ts';
import type { AgingBucket, AgingKey, BalancePoint } from './customer.model.ts';

/** Bucket colours: current calm, then warmer with age. */
const AGING_COLOURS: Record<AgingKey, string> = {
  current_ar: '#4f8a5b',
  ar_1_30: '#c9b037',
  ar_31_60: '#e08e2b',
  ar_61_90: '#d2602a',
  ar_91_180: '#b3361e',
  ar_over_180: '#7a1f12',
};

export interface AgingLabels {
  readonly bucket: (key: AgingKey) => string;
  /** The x axis' name ("Days past due"). */
  readonly axis: string;
  readonly money: (value: number) => string;
}

/** One bar per bucket, current first. Null when nothing is open. */
export function agingOption(buckets: readonly AgingBucket[], labels: AgingLabels): ChartOption | null {
  if (buckets.every((b) => (toNumber(b.amount) ?? 0) === 0)) return null;
  return {
    grid: { left: 8, right: 16, top: 16, bottom: 28, containLabel: true },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: unknown) => labels.money(Number(v)),
    },
    xAxis: {
      type: 'category',
      data: buckets.map((b) => labels.bucket(b.key)),
      axisLabel: { interval: 0, hideOverlap: false },
      name: labels.axis,
      nameLocation: 'middle',
      nameGap: 28,
    },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => labels.money(v) } },
    series: [
      {
        type: 'bar',
        data: buckets.map((b) => ({
          value: toNumber(b.amount) ?? 0,
          itemStyle: { color: AGING_COLOURS[b.key] },
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
