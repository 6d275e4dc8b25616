import { describe, expect, it } from 'vitest';
import { drillColumns } from './drill.ts';
import { ANALYST, CFO, REGION_MONTH_ROWS, VIEWS } from './fixture.ts';
import { DEFAULT_STATE, type ExplorerState } from './state.ts';
import { cell, columnTotals, resultColumns, tableFromRows } from './table.ts';

describe('the model as the Explorer reads it', () => {
  it('offers public views only, with each member’s short title, description and kind of value', () => {
    expect(VIEWS.map((v) => v.name)).toEqual(['analyst', 'cfo_overview']);
    const kind = (v: typeof ANALYST, name: string) =>
      [...v.measures, ...v.dimensions, ...v.timeDimensions].find((m) => m.name === name);
    expect(kind(ANALYST, 'open_amount')).toEqual({
      name: 'open_amount',
      member: 'analyst.open_amount',
      title: 'Open amount',
      description: 'About open amount.',
      kind: 'money',
      additive: true,
    });
    expect(kind(ANALYST, 'count')).toMatchObject({ kind: 'count', additive: true });
    expect(kind(ANALYST, 'average_days_late')).toMatchObject({ kind: 'decimal', additive: false });
    expect(kind(CFO, 'overdue_ratio')).toMatchObject({ kind: 'percent', additive: false });
    expect(kind(CFO, 'total_ar')).toMatchObject({ kind: 'money', additive: false }); // a balance: not summed
    expect(kind(CFO, 'invoice_count')).toMatchObject({ kind: 'count', additive: true });
    expect(kind(ANALYST, 'days_past_due')).toMatchObject({ kind: 'number' });
    expect(kind(ANALYST, 'is_written_off')).toMatchObject({ kind: 'boolean' });
    expect(ANALYST.timeDimensions.map((t) => t.name)).toEqual(['issue_date', 'due_date']);
    expect(ANALYST.dimensions.some((d) => d.name === 'issue_date')).toBe(false);
  });
});

describe('result table', () => {
  const state: ExplorerState = {
    ...DEFAULT_STATE,
    measures: ['open_amount', 'count'],
    time: { dimension: 'issue_date', granularity: 'month', from: null, to: null },
  };

  it('has the time bucket, the dimensions and the measures as columns, values converted once', () => {
    const columns = resultColumns(state, ANALYST, 'Invoice date (month)');
    expect(columns.map((c) => [c.key, c.title, c.kind])).toEqual([
      ['analyst.issue_date.month', 'Invoice date (month)', 'date'],
      ['analyst.region', 'Region', 'text'],
      ['analyst.open_amount', 'Open amount', 'money'],
      ['analyst.count', 'Invoices', 'count'],
    ]);
    const table = tableFromRows(REGION_MONTH_ROWS, columns);
    expect(table.rows[0]).toEqual(['2026-05-01', 'EMEA', '1000.10', 10]);
    expect(table.rows[4]).toEqual(['2026-06-01', null, '-12.50', 1]);
    expect(columnTotals(table)).toEqual([null, null, '3487.85', 24]);
    expect(columnTotals({ columns, rows: [] })).toEqual([null, null, null, null]);
  });

  it('converts Cube values by kind and refuses what is not one', () => {
    expect(cell(true, 'boolean')).toBe(true);
    expect(cell('false', 'boolean')).toBe(false);
    expect(cell(null, 'boolean')).toBeNull();
    expect(cell('12.5', 'decimal')).toBe(12.5);
    expect(cell('0012.50', 'money')).toBe('0012.50');
    expect(cell(42, 'text')).toBe('42');
    expect(() => cell('soon', 'count')).toThrow('not a number from Cube');
    expect(() => cell('June', 'date')).toThrow('not a date from Cube');
  });

  it('lists the invoice columns of a drill, then the measure clicked', () => {
    expect(drillColumns(ANALYST, 'open_amount').map((c) => c.key)).toEqual([
      'analyst.invoice_id',
      'analyst.customer_name',
      'analyst.issue_date',
      'analyst.due_date',
      'analyst.currency',
      'analyst.invoice_amount',
      'analyst.open_amount_document',
      'analyst.days_past_due',
      'analyst.aging_bucket',
      'analyst.open_amount',
    ]);
  });
});
