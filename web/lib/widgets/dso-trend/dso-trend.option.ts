/** DSO by month as a line chart, with best-possible DSO and a target line. Pure. */
import type { ChartOption } from '../../ui/echarts.ts';
import { toDate, toNumber, type CubeValue } from '../../cube/values.ts';

export type DsoMethod = 'standard' | 'countback';

export interface DsoLabels {
  readonly dso: string;
  readonly bestPossible: string;
  readonly target: string;
  readonly month: (date: string) => string;
  readonly days: (value: number) => string;
}

export function dsoTrendOption(
  rows: Record<string, CubeValue>[],
  method: DsoMethod,
  target: number | null,
  labels: DsoLabels,
): ChartOption | null {
  if (rows.length === 0) return null;
  const months = rows.map((r) => toDate(r['cfo_overview.month.month']) ?? '');
  const measure = method === 'countback' ? 'cfo_overview.countback_dso' : 'cfo_overview.dso';
  return {
    animation: false,
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? labels.days(v) : '–'),
    },
    legend: { top: 0 },
    grid: { left: 48, right: 96, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: months.map(labels.month) },
    yAxis: {
      type: 'value',
      name: labels
        .days(0)
        .replace(/[\d.,]+/, '')
        .trim(),
    },
    series: [
      {
        name: labels.dso,
        type: 'line',
        data: rows.map((r) => toNumber(r[measure])),
        symbolSize: 6,
        lineStyle: { width: 3, color: '#12355b' },
        itemStyle: { color: '#12355b' },
        ...(target !== null
          ? {
              markLine: {
                symbol: 'none',
                label: { formatter: `${labels.target} ${labels.days(target)}` },
                lineStyle: { type: 'dashed', color: '#b3261e' },
                data: [{ yAxis: target }],
              },
            }
          : {}),
      },
      {
        name: labels.bestPossible,
        type: 'line',
        data: rows.map((r) => toNumber(r['cfo_overview.best_possible_dso'])),
        symbol: 'none',
        lineStyle: { width: 2, type: 'dotted', color: '#2e7d32' },
        itemStyle: { color: '#2e7d32' },
      },
    ],
  };
}
