/** Aging buckets at each month end, stacked bars (reporting currency). Pure. */
import type { ChartOption } from '../../ui/echarts.ts';
import { toDate, toNumber, type CubeValue } from '../../cube/values.ts';
import { AGING_MEASURES } from './aging-trend.query.ts';

export type AgingLabels = Record<(typeof AGING_MEASURES)[number], string> & {
  readonly month: (date: string) => string;
  readonly money: (value: number) => string;
};

/** Green to red: current to over 180 days. */
const COLOURS = ['#2e7d32', '#9ccc65', '#fbc02d', '#f57c00', '#d84315', '#8e0000'];

export function agingTrendOption(rows: Record<string, CubeValue>[], labels: AgingLabels): ChartOption | null {
  if (rows.length === 0) return null;
  return {
    animation: false,
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? labels.money(v) : '–'),
    },
    legend: { top: 0 },
    grid: { left: 64, right: 24, top: 48, bottom: 32 },
    xAxis: {
      type: 'category',
      data: rows.map((r) => labels.month(toDate(r['cfo_overview.month.month']) ?? '')),
    },
    yAxis: { type: 'value', axisLabel: { formatter: (v: number) => labels.money(v) } },
    series: AGING_MEASURES.map((m, i) => ({
      name: labels[m],
      type: 'bar',
      stack: 'aging',
      data: rows.map((r) => toNumber(r[`cfo_overview.${m}`])),
      itemStyle: { color: COLOURS[i] },
    })),
  };
}
