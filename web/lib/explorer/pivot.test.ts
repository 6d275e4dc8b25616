import { describe, expect, it } from 'vitest';
import { sumDecimals } from './decimal.ts';
import { ANALYST, CFO, REGION_MONTH_ROWS } from './fixture.ts';
import { buildPivot, compareCells, pivotDrillPoint, pivotTable } from './pivot.ts';
import { DEFAULT_STATE, type ExplorerState } from './state.ts';

const byRegionAndMonth: ExplorerState = {
  ...DEFAULT_STATE,
  measures: ['open_amount', 'count'],
  dimensions: ['region'],
  time: { dimension: 'issue_date', granularity: 'month', from: null, to: null },
  pivot: { columns: 'time', measure: 'open_amount' },
};

const labels = { header: (v: unknown) => String(v), total: 'Total' };

describe('pivot', () => {
  it('spreads time buckets over columns, dimensions over rows, with exact money totals', () => {
    const p = buildPivot(REGION_MONTH_ROWS, byRegionAndMonth, ANALYST, 'Invoice date (month)')!;
    expect(p.columns).toEqual(['2026-05-01', '2026-06-01']);
    expect(p.rowColumns.map((c) => c.key)).toEqual(['analyst.region']);
    expect(p.rows).toEqual([
      { keys: ['EMEA'], cells: ['1000.10', '0.20'], total: '1000.30' },
      { keys: ['LATAM'], cells: ['500.05', '2000.00'], total: '2500.05' },
      // An empty region sorts last; a missing cell is empty, not zero.
      { keys: [null], cells: [null, '-12.50'], total: '-12.50' },
    ]);
    expect(p.totals).toEqual(['1500.15', '1987.70']);
    expect(p.grandTotal).toBe('3487.85');
    expect(p.additive).toBe(true);
  });

  it('spreads a dimension over columns; time buckets become rows; counts stay numbers', () => {
    const p = buildPivot(
      REGION_MONTH_ROWS,
      { ...byRegionAndMonth, pivot: { columns: 'region', measure: 'count' } },
      ANALYST,
      'Month',
    )!;
    expect(p.columns).toEqual(['EMEA', 'LATAM', null]);
    expect(p.rows).toEqual([
      { keys: ['2026-05-01'], cells: [10, 4, null], total: 14 },
      { keys: ['2026-06-01'], cells: [2, 7, 1], total: 10 },
    ]);
    expect(p.totals).toEqual([12, 11, 1]);
    expect(p.grandTotal).toBe(24);
  });

  it('leaves totals out for measures that cannot be added (averages, ratios)', () => {
    const rows = [
      {
        'cfo_overview.month.month': '2026-05-01T00:00:00.000',
        'cfo_overview.region': 'EMEA',
        'cfo_overview.dso': 41.5,
      },
      {
        'cfo_overview.month.month': '2026-06-01T00:00:00.000',
        'cfo_overview.region': 'EMEA',
        'cfo_overview.dso': 43,
      },
    ];
    const p = buildPivot(
      rows,
      {
        ...DEFAULT_STATE,
        view: 'cfo_overview',
        measures: ['dso'],
        dimensions: ['region'],
        time: { dimension: 'month', granularity: 'month', from: null, to: null },
        pivot: { columns: 'time', measure: 'dso' },
      },
      CFO,
      'Month',
    )!;
    expect(p.additive).toBe(false);
    expect(p.rows).toEqual([{ keys: ['EMEA'], cells: [41.5, 43], total: null }]);
    expect(p.totals).toBeNull();
    const table = pivotTable(p, labels);
    expect(table.columns.map((c) => c.title)).toEqual(['Region', '2026-05-01', '2026-06-01']);
    expect(table.rows).toEqual([['EMEA', 41.5, 43]]);
  });

  it('flattens to a table for export: row headers, one column per bucket, totals', () => {
    const p = buildPivot(REGION_MONTH_ROWS, byRegionAndMonth, ANALYST, 'Month')!;
    const t = pivotTable(p, { header: (v) => `M ${String(v)}`, total: 'Total' });
    expect(t.columns.map((c) => [c.title, c.kind])).toEqual([
      ['Region', 'text'],
      ['M 2026-05-01', 'money'],
      ['M 2026-06-01', 'money'],
      ['Total', 'money'],
    ]);
    expect(t.rows.at(-1)).toEqual(['Total', '1500.15', '1987.70', '3487.85']);
    expect(t.rows[2]).toEqual([null, null, '-12.50', '-12.50']);
  });

  it('has one row when every dimension is spread over columns', () => {
    const state: ExplorerState = {
      ...byRegionAndMonth,
      time: null,
      pivot: { columns: 'region', measure: 'open_amount' },
    };
    const rows = REGION_MONTH_ROWS.map(({ 'analyst.issue_date.month': _, ...r }) => r);
    const p = buildPivot(rows, state, ANALYST, '')!;
    expect(p.rows).toEqual([{ keys: [], cells: ['1000.30', '2500.05', '-12.50'], total: '3487.85' }]);
    expect(pivotTable(p, labels).rows).toEqual([['Open amount', '1000.30', '2500.05', '-12.50', '3487.85']]);
  });

  it('gives each cell and total the drill point behind it', () => {
    const p = buildPivot(REGION_MONTH_ROWS, byRegionAndMonth, ANALYST, 'Month')!;
    expect(pivotDrillPoint(p, byRegionAndMonth, 1, 0)).toEqual({
      measure: 'open_amount',
      values: [{ dimension: 'region', value: 'LATAM' }],
      bucket: '2026-05-01',
    });
    expect(pivotDrillPoint(p, byRegionAndMonth, 2, null)).toEqual({
      measure: 'open_amount',
      values: [{ dimension: 'region', value: null }],
      bucket: null,
    });
    expect(pivotDrillPoint(p, byRegionAndMonth, null, 1)).toEqual({
      measure: 'open_amount',
      values: [],
      bucket: '2026-06-01',
    });
  });

  it('is null without a pivot or with a column the result does not have', () => {
    expect(buildPivot(REGION_MONTH_ROWS, { ...byRegionAndMonth, pivot: null }, ANALYST, '')).toBeNull();
    expect(
      buildPivot(
        REGION_MONTH_ROWS,
        { ...byRegionAndMonth, pivot: { columns: 'segment', measure: 'count' } },
        ANALYST,
        '',
      ),
    ).toBeNull();
  });

  it('orders numbers as numbers and empty values last', () => {
    expect(['10', '9', null, '-1'].sort(compareCells)).toEqual(['-1', '9', '10', null]);
    expect(['2026-06-01', '2025-12-01'].sort(compareCells)).toEqual(['2025-12-01', '2026-06-01']);
  });
});

describe('exact decimal sums', () => {
  it('adds money without floating point error', () => {
    expect(sumDecimals(['0.10', '0.20'])).toBe('0.30');
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(sumDecimals(['1000000000000000.01', '0.02'])).toBe('1000000000000000.03');
    expect(sumDecimals(['-12.50', '2.5', null, 10])).toBe('0.00');
    expect(sumDecimals(['-0.05'])).toBe('-0.05');
    expect(sumDecimals([])).toBeNull();
    expect(() => sumDecimals(['1,000.00'])).toThrow('not a decimal');
  });
});
