import { describe, expect, it } from 'vitest';
import { drillQuery, DRILL_COLUMNS, clickedFromChart } from './drill.ts';
import { ANALYST, CFO } from './fixture.ts';
import { explorerQuery, RESULT_LIMIT } from './query.ts';
import { DEFAULT_STATE, type ExplorerState } from './state.ts';
import { bucketRange, intersect, queryRange } from './time.ts';

const state = (patch: Partial<ExplorerState>): ExplorerState => ({ ...DEFAULT_STATE, ...patch });

describe('Explorer query', () => {
  it('asks for open AR by region, biggest first, by default', () => {
    expect(explorerQuery(DEFAULT_STATE, ANALYST)).toEqual({
      measures: ['analyst.open_amount'],
      dimensions: ['analyst.region'],
      timeDimensions: [],
      filters: [],
      order: { 'analyst.open_amount': 'desc' },
      limit: RESULT_LIMIT,
    });
  });

  it('applies the Explorer filters, the global filters the view has, and the time range within the global dates', () => {
    const q = explorerQuery(
      state({
        measures: ['open_amount', 'count'],
        dimensions: ['product_line'],
        filters: [
          { member: 'customer_name', operator: 'contains', values: ['GmbH', 'Ltd'] },
          { member: 'days_past_due', operator: 'gt', values: ['30'] },
          { member: 'aging_bucket', operator: 'set', values: [] },
          { member: 'region', operator: 'equals', values: [] },
        ],
        time: { dimension: 'due_date', granularity: 'month', from: '2025-01-01', to: null },
        global: { region: 'LATAM', currency: 'JPY', from: '2025-07-01', to: '2026-06-30' },
      }),
      ANALYST,
      100,
    );
    expect(q).toEqual({
      measures: ['analyst.open_amount', 'analyst.count'],
      dimensions: ['analyst.product_line'],
      timeDimensions: [
        { dimension: 'analyst.due_date', granularity: 'month', dateRange: ['2025-07-01', '2026-06-30'] },
      ],
      filters: [
        { member: 'analyst.customer_name', operator: 'contains', values: ['GmbH', 'Ltd'] },
        { member: 'analyst.days_past_due', operator: 'gt', values: ['30'] },
        { member: 'analyst.aging_bucket', operator: 'set' },
        // The value-less equals filter (being edited) is left out.
        { member: 'analyst.region', operator: 'equals', values: ['LATAM'] },
        { member: 'analyst.currency', operator: 'equals', values: ['JPY'] },
      ],
      order: { 'analyst.due_date': 'asc', 'analyst.open_amount': 'desc' },
      limit: 100,
    });
  });

  it('puts the global dates on the view’s first time dimension when none is chosen; skips global filters the view lacks', () => {
    const q = explorerQuery(
      state({
        view: 'cfo_overview',
        measures: ['dso'],
        dimensions: ['region'],
        global: { currency: 'JPY', productLine: 'Services', to: '2026-03-31' },
      }),
      CFO,
    )!;
    expect(q.timeDimensions).toEqual([
      { dimension: 'cfo_overview.month', dateRange: ['1900-01-01', '2026-03-31'] },
    ]);
    expect(q.filters).toEqual([
      { member: 'cfo_overview.product_line', operator: 'equals', values: ['Services'] },
    ]);
  });

  it('asks for no rows when the Explorer’s dates and the global dates do not overlap', () => {
    const q = explorerQuery(
      state({
        time: { dimension: 'issue_date', granularity: null, from: '2024-01-01', to: '2024-12-31' },
        global: { from: '2025-01-01' },
      }),
      ANALYST,
    )!;
    expect(q.timeDimensions).toEqual([
      { dimension: 'analyst.issue_date', dateRange: ['2999-12-31', '1900-01-01'] },
    ]);
  });

  it('is null when nothing is chosen', () => {
    expect(explorerQuery(state({ measures: [], dimensions: [] }), ANALYST)).toBeNull();
  });
});

describe('time buckets', () => {
  it('spans the bucket’s days, leap years and year ends included', () => {
    expect(bucketRange('2024-02-01', 'month')).toEqual(['2024-02-01', '2024-02-29']);
    expect(bucketRange('2026-04-01', 'quarter')).toEqual(['2026-04-01', '2026-06-30']);
    expect(bucketRange('2026-10-01', 'quarter')).toEqual(['2026-10-01', '2026-12-31']);
    expect(bucketRange('2025-12-29', 'week')).toEqual(['2025-12-29', '2026-01-04']);
    expect(bucketRange('2026-01-01', 'year')).toEqual(['2026-01-01', '2026-12-31']);
    expect(bucketRange('2026-06-30', 'day')).toEqual(['2026-06-30', '2026-06-30']);
  });

  it('intersects open and closed ranges', () => {
    expect(intersect([null, '2026-06-30'], ['2026-01-01', null])).toEqual(['2026-01-01', '2026-06-30']);
    expect(intersect(['2026-02-01', '2026-03-31'], ['2026-01-01', '2026-02-15'])).toEqual([
      '2026-02-01',
      '2026-02-15',
    ]);
    expect(intersect(['2026-02-01', null], [null, '2026-01-31'])).toBeNull();
    expect(queryRange(DEFAULT_STATE)).toBeUndefined();
  });
});

describe('drill-down query', () => {
  const quarterly = state({
    measures: ['open_amount', 'count'],
    dimensions: ['region', 'product_line'],
    filters: [{ member: 'days_past_due', operator: 'gt', values: ['0'] }],
    time: { dimension: 'issue_date', granularity: 'quarter', from: '2026-05-15', to: null },
    global: { currency: 'EUR', to: '2026-06-30' },
  });

  it('lists the invoices of the clicked element: its values, its time bucket and every current filter', () => {
    const q = drillQuery(quarterly, {
      measure: 'open_amount',
      values: [
        { dimension: 'region', value: 'LATAM' },
        { dimension: 'product_line', value: null },
      ],
      bucket: '2026-04-01',
    })!;
    const filters = [
      { member: 'analyst.days_past_due', operator: 'gt', values: ['0'] },
      { member: 'analyst.currency', operator: 'equals', values: ['EUR'] },
      { member: 'analyst.region', operator: 'equals', values: ['LATAM'] },
      { member: 'analyst.product_line', operator: 'notSet' },
    ];
    // Q2 2026 within the Explorer's range (from 15 May) and the global end (30 June).
    const timeDimensions = [{ dimension: 'analyst.issue_date', dateRange: ['2026-05-15', '2026-06-30'] }];
    expect(q.rows).toEqual({
      measures: ['analyst.open_amount'],
      dimensions: DRILL_COLUMNS.map((c) => `analyst.${c}`),
      timeDimensions,
      filters,
      order: [
        ['analyst.open_amount', 'desc'],
        ['analyst.invoice_id', 'asc'],
      ],
      limit: 500,
    });
    expect(q.total).toEqual({ measures: ['analyst.count', 'analyst.open_amount'], timeDimensions, filters });
  });

  it('uses the whole range without a bucket (a pivot row total), and counts once for the count measure', () => {
    const q = drillQuery(
      quarterly,
      { measure: 'count', values: [{ dimension: 'region', value: 'EMEA' }], bucket: null },
      50,
    )!;
    expect(q.rows.timeDimensions).toEqual([
      { dimension: 'analyst.issue_date', dateRange: ['2026-05-15', '2026-06-30'] },
    ]);
    expect(q.rows.limit).toBe(50);
    expect(q.total.measures).toEqual(['analyst.count']);
  });

  it('applies the global dates to the invoice date when the Explorer has no time dimension', () => {
    const q = drillQuery(state({ global: { from: '2026-01-01' } }), {
      measure: 'open_amount',
      values: [{ dimension: 'region', value: 'APAC' }],
      bucket: null,
    })!;
    expect(q.rows.timeDimensions).toEqual([
      { dimension: 'analyst.issue_date', dateRange: ['2026-01-01', '2999-12-31'] },
    ]);
  });

  it('is offered only on views with invoice rows', () => {
    expect(
      drillQuery(state({ view: 'cfo_overview' }), { measure: 'dso', values: [], bucket: null }),
    ).toBeNull();
    expect(
      drillQuery(state({ view: 'collections' }), { measure: 'open_amount', values: [], bucket: null })?.rows
        .dimensions,
    ).toContain('collections.invoice_id');
  });

  it('reads the drill point from a clicked chart item and nothing else', () => {
    const drill = { measure: 'open_amount', values: [{ dimension: 'region', value: 'LATAM' }], bucket: null };
    expect(clickedFromChart({ value: 12, drill })).toEqual(drill);
    expect(clickedFromChart(12)).toBeNull();
    expect(clickedFromChart({ value: 12 })).toBeNull();
    expect(clickedFromChart({ drill: { ...drill, values: [{ dimension: 'region', value: 3 }] } })).toBeNull();
    expect(clickedFromChart(null)).toBeNull();
  });
});
