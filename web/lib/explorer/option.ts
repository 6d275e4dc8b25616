/**
 * The Explorer's chart as an ECharts option: bars, lines, stacked bars or a pie of the result.
 * The category axis is the time buckets (when chosen) or the first dimension; the other dimensions
 * and the measures make the series. Every data item carries the drill point of its element
 * (`{ value, drill }`), so a click can list the invoices behind it. Pure.
 */
import type { ChartOption } from '../ui/echarts.ts';
import { toNumber, type CubeValue } from '../cube/values.ts';
import { drillPoint } from './drill.ts';
import type { ValueKind, ViewMeta } from './meta.ts';
import { timeKey } from './query.ts';
import type { DrillPoint, ExplorerState } from './state.ts';
import { cell, resultColumns, type Cell, type Column } from './table.ts';

export interface OptionLabels {
  /** A category or series value as text (a month, a region, '(empty)'). */
  readonly value: (value: Cell, column: Column) => string;
  /** A measure value for tooltips, by kind (money in the reporting currency, percent, ...). */
  readonly measure: (value: number, kind: ValueKind) => string;
  /** A short axis label by kind (compact money). */
  readonly axis: (value: number, kind: ValueKind) => string;
  /** Title of the time bucket column. */
  readonly bucketTitle: string;
}

export interface DataItem {
  readonly value: number | null;
  readonly name?: string;
  readonly drill: DrillPoint;
}

/** Series drawn at most (the table has every row). */
export const MAX_SERIES = 24;

const PALETTE = [
  '#12355b',
  '#f2a900',
  '#2e7d32',
  '#b3261e',
  '#5c6bc0',
  '#00838f',
  '#8d6e63',
  '#ad1457',
  '#7cb342',
  '#546e7a',
];

function drillOf(
  state: ExplorerState,
  measure: string,
  row: Record<string, CubeValue>,
  columns: readonly Column[],
): DrillPoint {
  return drillPoint(
    state,
    measure,
    columns,
    columns.map((c) => cell(row[c.key], c.kind)),
  );
}

export interface ExplorerChart {
  readonly option: ChartOption;
  /** Categories (bars, points, slices along the axis) drawn, and how many the result has. */
  readonly shown: number;
  readonly total: number;
}

/** Categories drawn at most when they are not time buckets (the biggest come first). */
export const MAX_CATEGORIES = 40;

/** The chart for `rows`, or null when there is nothing to draw (no rows, no measure, table only). */
export function explorerOption(
  rows: readonly Record<string, CubeValue>[],
  state: ExplorerState,
  view: ViewMeta,
  labels: OptionLabels,
): ExplorerChart | null {
  if (rows.length === 0 || state.chart === 'table') return null;
  const columns = resultColumns(state, view, labels.bucketTitle);
  const measureKeys = new Set(state.measures.map((m) => `${view.name}.${m}`));
  const measures = columns.filter((c) => measureKeys.has(c.key));
  const keyColumns = columns.filter((c) => !measureKeys.has(c.key));
  if (measures.length === 0) return null;
  const [categoryColumn, ...seriesColumns] = keyColumns;
  const cells = (r: Record<string, CubeValue>, list: readonly Column[]) =>
    list.map((c) => cell(r[c.key], c.kind));
  const text = (r: Record<string, CubeValue>, list: readonly Column[]) =>
    list.map((c) => labels.value(cell(r[c.key], c.kind), c)).join(' · ');
  const measureName = (c: Column) => c.key.slice(view.name.length + 1);

  if (state.chart === 'pie') {
    const m = measures[0]!;
    const shown = rows.slice(0, MAX_CATEGORIES);
    const data: DataItem[] = shown.map((r) => ({
      name: keyColumns.length > 0 ? text(r, keyColumns) : m.title,
      value: toNumber(r[m.key]),
      drill: drillOf(state, measureName(m), r, keyColumns),
    }));
    return {
      shown: shown.length,
      total: rows.length,
      option: {
        animation: false,
        tooltip: {
          trigger: 'item',
          valueFormatter: (v: unknown) => (typeof v === 'number' ? labels.measure(v, m.kind) : '–'),
        },
        legend: { type: 'scroll', top: 0 },
        series: [
          {
            name: m.title,
            type: 'pie',
            radius: ['30%', '65%'],
            center: ['50%', '56%'],
            data,
            label: { formatter: '{b}: {d}%' },
          },
        ],
        color: PALETTE,
      },
    };
  }

  // Categories in the order of the rows (chronological, or biggest first), told apart by value.
  const categories: { label: string }[] = [];
  const categoryIndex = new Map<string, number>();
  const seriesIndex = new Map<string, { label: string; rows: Map<number, number> }>();
  rows.forEach((r, i) => {
    const catKey = JSON.stringify(categoryColumn ? cells(r, [categoryColumn]) : []);
    if (!categoryIndex.has(catKey)) {
      categoryIndex.set(catKey, categories.length);
      categories.push({ label: categoryColumn ? text(r, [categoryColumn]) : '' });
    }
    const seriesKey = JSON.stringify(cells(r, seriesColumns));
    let s = seriesIndex.get(seriesKey);
    if (!s) seriesIndex.set(seriesKey, (s = { label: text(r, seriesColumns), rows: new Map() }));
    s.rows.set(categoryIndex.get(catKey)!, i);
  });
  const byTime = categoryColumn !== undefined && categoryColumn.key === timeKey(state);
  const shown = byTime ? categories : categories.slice(0, MAX_CATEGORIES);

  // One value axis per kind of measure (money, counts, ratios, days): left, right, then offset.
  const kinds = [...new Set(measures.map((m) => m.kind))];
  const axisOf = (kind: ValueKind) => kinds.indexOf(kind);
  const series: Record<string, unknown>[] = [];
  for (const m of measures) {
    for (const s of seriesIndex.values()) {
      if (series.length >= MAX_SERIES) break;
      const name = [s.label, measures.length > 1 || !s.label ? m.title : ''].filter(Boolean).join(' · ');
      const data: (DataItem | null)[] = shown.map((_, ci) => {
        const ri = s.rows.get(ci);
        if (ri === undefined) return null;
        const r = rows[ri]!;
        return { value: toNumber(r[m.key]), drill: drillOf(state, measureName(m), r, keyColumns) };
      });
      if (data.every((d) => d === null)) continue;
      series.push({
        name,
        type: state.chart === 'line' ? 'line' : 'bar',
        data,
        yAxisIndex: axisOf(m.kind),
        ...(state.chart === 'stacked' ? { stack: m.key } : {}),
        ...(state.chart === 'line' ? { symbolSize: 7, connectNulls: false } : {}),
        tooltip: {
          valueFormatter: (v: unknown) => (typeof v === 'number' ? labels.measure(v, m.kind) : '–'),
        },
      });
    }
  }

  const rotate = shown.length > 8;
  return {
    shown: shown.length,
    total: categories.length,
    option: {
      animation: false,
      color: PALETTE,
      tooltip: { trigger: state.chart === 'line' ? 'axis' : 'item' },
      legend: { type: 'scroll', top: 0 },
      grid: { left: 8, right: 16, top: 40, bottom: 8, outerBoundsMode: 'same', outerBoundsContain: 'all' },
      xAxis: {
        type: 'category',
        data: shown.map((c) => c.label),
        // Rotated labels would cover the axis name; the legend and the table say what they are.
        name: rotate ? '' : (categoryColumn?.title ?? ''),
        nameLocation: 'middle',
        nameGap: 28,
        axisLabel: { hideOverlap: true, rotate: rotate ? 30 : 0 },
      },
      yAxis: kinds.map((kind, i) => ({
        type: 'value',
        position: i % 2 === 0 ? 'left' : 'right',
        offset: Math.floor(i / 2) * 64,
        axisLine: { show: kinds.length > 1 },
        axisLabel: { formatter: (v: number) => labels.axis(v, kind) },
        splitLine: { show: i === 0 },
      })),
      series,
    },
  };
}
