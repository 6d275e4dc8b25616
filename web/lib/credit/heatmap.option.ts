/** A heatmap of one measure over two dimensions (rows x columns). Pure. */
import type { ChartOption } from '../ui/echarts.ts';
import { escapeHtml } from '../ui/html.ts';
import { toNumber, type CubeRow } from '../cube/values.ts';

export interface HeatmapSpec {
  readonly x: string;
  readonly y: string;
  readonly value: string;
  /** Higher is worse (DSO, bad debt, utilisation): red for high. Otherwise green for high. */
  readonly higherIsWorse: boolean;
  readonly format: (v: number) => string;
  /** A row's or column's member for people (e.g. (unassigned) translated); the member itself when absent. */
  readonly label?: (member: string) => string;
}

export function heatmapOption(rows: readonly CubeRow[], spec: HeatmapSpec): ChartOption | null {
  const cells = rows
    .map((r) => ({ x: String(r[spec.x]), y: String(r[spec.y]), v: toNumber(r[spec.value]) }))
    .filter((c) => c.v !== null) as { x: string; y: string; v: number }[];
  if (cells.length === 0) return null;
  const xs = [...new Set(cells.map((c) => c.x))].sort();
  const ys = [...new Set(cells.map((c) => c.y))].sort();
  const values = cells.map((c) => c.v);
  const label = spec.label ?? ((m: string) => m);
  const xLabels = xs.map(label);
  const yLabels = ys.map(label);
  const colours = ['#e8f5e9', '#fff59d', '#ffb74d', '#e53935'];
  return {
    animation: false,
    tooltip: {
      // ECharts puts what a formatter function returns into the page as HTML: escape the names.
      formatter: (p: { data: [number, number, number] }) =>
        escapeHtml(`${yLabels[p.data[1]] ?? ''} · ${xLabels[p.data[0]] ?? ''}: ${spec.format(p.data[2])}`),
    },
    grid: { left: 110, right: 24, top: 16, bottom: 72 },
    xAxis: { type: 'category', data: xLabels, axisLabel: { interval: 0, rotate: xs.length > 4 ? 20 : 0 } },
    yAxis: { type: 'category', data: yLabels },
    visualMap: {
      min: Math.min(...values),
      max: Math.max(...values),
      calculable: false,
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 120,
      inRange: { color: spec.higherIsWorse ? colours : [...colours].reverse() },
      formatter: (v: number) => spec.format(v),
    },
    series: [
      {
        type: 'heatmap',
        data: cells.map((c) => [xs.indexOf(c.x), ys.indexOf(c.y), c.v]),
        label: { show: true, formatter: (p: { data: [number, number, number] }) => spec.format(p.data[2]) },
      },
    ],
  };
}
