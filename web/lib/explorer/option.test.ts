import { describe, expect, it } from 'vitest';
import { clickedFromChart } from './drill.ts';
import { bucketLabel, cellText, valueText, type DisplayContext } from './display.ts';
import { ANALYST, REGION_MONTH_ROWS } from './fixture.ts';
import { explorerOption, MAX_CATEGORIES, type OptionLabels } from './option.ts';
import { DEFAULT_STATE, type ExplorerState } from './state.ts';
import type { Column } from './table.ts';

const labels: OptionLabels = {
  value: (v) => (v === null ? '(empty)' : String(v)),
  measure: (v, kind) => `${kind}:${v}`,
  axis: (v, kind) => `${kind}~${v}`,
  bucketTitle: 'Invoice date (month)',
};

interface Series {
  name: string;
  type: string;
  stack?: string;
  yAxisIndex: number;
  data: ({ value: number | null; name?: string; drill: unknown } | null)[];
}
interface Option {
  xAxis: { data: string[]; name: string };
  yAxis: { position: string; offset: number; axisLabel: { formatter: (v: number) => string } }[];
  series: Series[];
}

const byRegion = [
  { 'analyst.region': 'LATAM', 'analyst.open_amount': '2500.05', 'analyst.count': '11' },
  {
    'analyst.region': 'Acme <script>alert(1)</script>',
    'analyst.open_amount': '1000.30',
    'analyst.count': '12',
  },
];

describe('Explorer chart option', () => {
  it('draws a bar per dimension value, biggest first, each carrying its drill point', () => {
    const o = explorerOption(byRegion, DEFAULT_STATE, ANALYST, labels)!.option as unknown as Option;
    expect(o.xAxis.data).toEqual(['LATAM', 'Acme <script>alert(1)</script>']);
    expect(o.xAxis.name).toBe('Region');
    expect(o.series).toHaveLength(1);
    expect(o.series[0]).toMatchObject({ name: 'Open amount', type: 'bar', yAxisIndex: 0 });
    expect(o.series[0]!.data.map((d) => d?.value)).toEqual([2500.05, 1000.3]);
    expect(clickedFromChart(o.series[0]!.data[0])).toEqual({
      measure: 'open_amount',
      values: [{ dimension: 'region', value: 'LATAM' }],
      bucket: null,
    });
    expect(o.yAxis[0]!.axisLabel.formatter(1000)).toBe('money~1000');
  });

  it('puts time buckets on the axis and one series per other dimension value; gaps stay empty', () => {
    const state: ExplorerState = {
      ...DEFAULT_STATE,
      chart: 'stacked',
      time: { dimension: 'issue_date', granularity: 'month', from: null, to: null },
    };
    const o = explorerOption(REGION_MONTH_ROWS, state, ANALYST, labels)!.option as unknown as Option;
    expect(o.xAxis.data).toEqual(['2026-05-01', '2026-06-01']);
    expect(o.series.map((s) => [s.name, s.stack])).toEqual([
      ['EMEA', 'analyst.open_amount'],
      ['LATAM', 'analyst.open_amount'],
      ['(empty)', 'analyst.open_amount'],
    ]);
    expect(o.series[2]!.data[0]).toBeNull();
    expect(o.series[2]!.data[1]).toEqual({
      value: -12.5,
      drill: { measure: 'open_amount', values: [{ dimension: 'region', value: null }], bucket: '2026-06-01' },
    });
  });

  it('gives measures of another kind their own axis on the right', () => {
    const o = explorerOption(
      byRegion,
      { ...DEFAULT_STATE, measures: ['open_amount', 'count'], chart: 'line' },
      ANALYST,
      labels,
    )!.option as unknown as Option;
    expect(o.series.map((s) => [s.name, s.type, s.yAxisIndex])).toEqual([
      ['Open amount', 'line', 0],
      ['Invoices', 'line', 1],
    ]);
    expect(o.yAxis.map((a) => a.position)).toEqual(['left', 'right']);
    expect(o.yAxis[1]!.axisLabel.formatter(5)).toBe('count~5');
    // A third kind gets a third axis, set off beside the first on its side.
    const three = explorerOption(
      byRegion.map((r) => ({ ...r, 'analyst.average_days_late': 12.5 })),
      { ...DEFAULT_STATE, measures: ['open_amount', 'count', 'average_days_late'] },
      ANALYST,
      labels,
    )!.option as unknown as Option;
    expect(three.series.map((s) => s.yAxisIndex)).toEqual([0, 1, 2]);
    expect(three.yAxis.map((a) => [a.position, a.offset])).toEqual([
      ['left', 0],
      ['right', 0],
      ['left', 64],
    ]);
    expect(three.yAxis[2]!.axisLabel.formatter(12)).toBe('decimal~12');
  });

  it('draws a pie of the first measure, one slice per row', () => {
    const o = explorerOption(byRegion, { ...DEFAULT_STATE, chart: 'pie' }, ANALYST, labels)!
      .option as unknown as Option;
    expect(o.series[0]!.type).toBe('pie');
    expect(o.series[0]!.data.map((d) => [d?.name, d?.value])).toEqual([
      ['LATAM', 2500.05],
      ['Acme <script>alert(1)</script>', 1000.3],
    ]);
    expect(clickedFromChart(o.series[0]!.data[1])?.values).toEqual([
      { dimension: 'region', value: 'Acme <script>alert(1)</script>' },
    ]);
  });

  it('draws the biggest categories only, but every time bucket', () => {
    const many = Array.from({ length: MAX_CATEGORIES + 5 }, (_, i) => ({
      'analyst.customer_name': `Customer ${i}`,
      'analyst.open_amount': String(1000 - i),
    }));
    const state = { ...DEFAULT_STATE, dimensions: ['customer_name'] };
    const chart = explorerOption(many, state, ANALYST, labels)!;
    expect([chart.shown, chart.total]).toEqual([MAX_CATEGORIES, MAX_CATEGORIES + 5]);
    expect((chart.option as unknown as Option).xAxis.data.at(-1)).toBe(`Customer ${MAX_CATEGORIES - 1}`);
    const days = many.map((r, i) => ({
      'analyst.issue_date.day': `2026-01-${String(i + 1).padStart(2, '0')}T00:00:00.000`,
      'analyst.open_amount': r['analyst.open_amount'],
    }));
    const byDay = explorerOption(
      days,
      {
        ...DEFAULT_STATE,
        dimensions: [],
        time: { dimension: 'issue_date', granularity: 'day', from: null, to: null },
      },
      ANALYST,
      labels,
    )!;
    expect([byDay.shown, byDay.total]).toEqual([MAX_CATEGORIES + 5, MAX_CATEGORIES + 5]);
  });

  it('draws nothing for no rows, table only, or no measure', () => {
    expect(explorerOption([], DEFAULT_STATE, ANALYST, labels)).toBeNull();
    expect(explorerOption(byRegion, { ...DEFAULT_STATE, chart: 'table' }, ANALYST, labels)).toBeNull();
    expect(explorerOption(byRegion, { ...DEFAULT_STATE, measures: [] }, ANALYST, labels)).toBeNull();
  });
});

describe('Explorer cells on screen', () => {
  const ctx = (locale: string): DisplayContext => ({
    locale,
    currency: 'USD',
    bucketKey: 'analyst.issue_date.quarter',
    granularity: 'quarter',
    words: {
      empty: '(empty)',
      unassigned: '(not assigned)',
      yes: 'yes',
      no: 'no',
      week: (d) => `week of ${d}`,
      quarter: (y, q) => `Q${q} ${y}`,
    },
  });
  const col = (kind: Column['kind'], key = 'k'): Column => ({
    key,
    title: 't',
    description: '',
    kind,
    additive: false,
  });

  it('formats money exactly in the reporting currency, ratios as percent, counts whole', () => {
    expect(valueText('12345678901234.57', 'money', ctx('en-US'))).toBe('$12,345,678,901,234.57');
    expect(valueText('1234.5', 'money', ctx('ja-JP'))).toBe('$1,234.50');
    expect(valueText('-12.50', 'money', ctx('en-US'))).toBe('-$12.50');
    expect(valueText(0.25, 'percent', ctx('en-US'))).toBe('25.0%');
    expect(valueText(1234, 'count', ctx('ja-JP'))).toBe('1,234');
    expect(valueText(45.67, 'decimal', ctx('en-US'))).toBe('45.7');
    expect(valueText(null, 'money', ctx('en-US'))).toBe('–');
    expect(valueText(null, 'text', ctx('en-US'))).toBe('(empty)');
    expect(valueText(true, 'boolean', ctx('en-US'))).toBe('yes');
    expect(valueText('=HYPERLINK("x")', 'text', ctx('en-US'))).toBe('=HYPERLINK("x")');
  });

  it('labels business dates and buckets in UTC, whatever the time zone (tests run in Asia/Tokyo)', () => {
    expect(valueText('2026-06-30', 'date', ctx('en-US'))).toBe('Jun 30, 2026');
    expect(valueText('2026-06-30', 'date', ctx('ja-JP'))).toBe('2026年6月30日');
    expect(cellText('2026-04-01', col('date', 'analyst.issue_date.quarter'), ctx('en-US'))).toBe('Q2 2026');
    expect(bucketLabel('2026-06-01', 'month', ctx('ja-JP'))).toBe('2026年6月');
    expect(bucketLabel('2026-01-01', 'year', ctx('ja-JP'))).toBe('2026年');
    expect(bucketLabel('2025-12-29', 'week', ctx('en-US'))).toBe('week of Dec 29, 2025');
    expect(bucketLabel('2026-10-01', 'quarter', ctx('en-US'))).toBe('Q4 2026');
  });

  it('shows the (unassigned) member in words; a filter or a drill keeps the stored member', () => {
    expect(valueText('(unassigned)', 'text', ctx('en-US'))).toBe('(not assigned)');
    expect(cellText('(unassigned)', col('text', 'analyst.region'), ctx('en-US'))).toBe('(not assigned)');
    expect(valueText('(unassigned) Ltd', 'text', ctx('en-US'))).toBe('(unassigned) Ltd');
  });
});
