/** Aging buckets at each month end, stacked bars (reporting currency). Pure. */
import type { ChartOption } from '../../ui/echarts.ts';
import { toDate, toNumber, type CubeValue } from '../../cube/values.ts';
import { bucketColours, bucketList, type AgingBucketDef } from '../../aging/buckets.ts';
import { AGING_VIEW } from './aging-trend.query.ts';

export interface AgingLabels {
  /** A bucket's words ('1–30 days'). */
  readonly bucket: (name: string) => string;
  readonly month: (date: string) => string;
  readonly money: (value: number) => string;
}

/**
 * One stacked series per bucket (the configured ones, current first), one bar per month. A bucket with
 * nothing in a month is 0 there; rows come one per month and bucket.
 */
export function agingTrendOption(
  rows: readonly Record<string, CubeValue>[],
  buckets: readonly AgingBucketDef[],
  labels: AgingLabels,
): ChartOption | null {
  if (rows.length === 0) return null;
  const v = AGING_VIEW;
  const months = [...new Set(rows.map((r) => toDate(r[`${v}.month.month`]) ?? ''))].sort();
  const list = bucketList(buckets, rows, v);
  const amount = new Map<string, number | null>();
  for (const r of rows) {
    amount.set(
      `${toDate(r[`${v}.month.month`])}|${String(r[`${v}.aging_bucket`])}`,
      toNumber(r[`${v}.total_ar`]),
    );
  }
  const colours = bucketColours(list.map((b) => b.bucket));
  return {
    animation: false,
    tooltip: {
      trigger: 'axis',
      valueFormatter: (x: unknown) => (typeof x === 'number' ? labels.money(x) : '–'),
    },
    legend: { top: 0 },
    grid: { left: 64, right: 24, top: 48, bottom: 32 },
    xAxis: { type: 'category', data: months.map((m) => labels.month(m)) },
    yAxis: { type: 'value', axisLabel: { formatter: (x: number) => labels.money(x) } },
    series: list.map((b, i) => ({
      name: labels.bucket(b.bucket),
      type: 'bar',
      stack: 'aging',
      data: months.map((m) => amount.get(`${m}|${b.bucket}`) ?? 0),
      itemStyle: { color: colours[i] },
    })),
  };
}
