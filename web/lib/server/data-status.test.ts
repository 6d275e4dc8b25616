import { describe, expect, it } from 'vitest';
import { layerText } from '../data/data.model.ts';
import type { Query } from '../../../warehouse/convert.ts';
import { buildOf, loadOf, missingRates, quarantinedOf } from './data-status.ts';

describe('the Data page’s values', () => {
  it('loads with their counts as numbers (DuckDB BIGINTs arrive as strings)', () => {
    expect(
      loadOf({
        load_id: 'L1',
        finished_at: '2026-07-01 09:00:00',
        file_name: 'customers.csv',
        profile: 'canonical',
        entity: 'customers',
        rows_read: '2',
        rows_loaded: '1',
        rows_quarantined: '1',
        records_inserted: '1',
        records_updated: '0',
        records_unchanged: '0',
      }),
    ).toEqual({
      id: 'L1',
      finishedAt: '2026-07-01 09:00:00',
      fileName: 'customers.csv',
      profile: 'canonical',
      entity: 'customers',
      read: 2,
      loaded: 1,
      quarantined: 1,
      inserted: 1,
      updated: 0,
    });
  });

  it('the latest build: its models, how many tests, how many failed', () => {
    const node = (id: string, kind: string, status: string, rows: string | null, ms: number | null) => ({
      node_id: id,
      kind,
      status,
      rows_affected: rows,
      duration_ms: ms,
    });
    const build = buildOf({
      runId: 'R1',
      startedAt: '2026-07-01 09:00:00',
      nodes: [
        node('model.arlens.fct_invoices', 'model', 'success', '3000', 1250),
        node('model.arlens.stg_erp__invoices', 'model', 'success', null, null),
        node('test.arlens.not_null_x', 'test', 'error', '2', 10),
        node('unit_test.arlens.fct_invoices.t', 'unit_test', 'success', null, 5),
      ],
    });
    expect(build).toEqual({
      startedAt: '2026-07-01 09:00:00',
      models: [
        { name: 'fct_invoices', status: 'success', rowsWritten: 3000, seconds: 1.25 },
        { name: 'stg_erp__invoices', status: 'success', rowsWritten: null, seconds: null },
      ],
      tests: 2,
      failed: 1,
    });
  });

  it('quarantined rows keep the rejected value as text, an empty cell as null', () => {
    const row = {
      file_name: 'c.csv',
      row_number: '3',
      column_name: 'status',
      reason: 'unknown value',
      value: '<script>alert(2)</script>',
    };
    expect(quarantinedOf(row)).toEqual({
      fileName: 'c.csv',
      rowNumber: 3,
      column: 'status',
      value: '<script>alert(2)</script>',
      reason: 'unknown value',
    });
    expect(quarantinedOf({ ...row, value: null }).value).toBeNull();
  });

  it('a lineage layer in words', () => {
    expect(layerText(null, 'source')).toBe('source');
    expect(layerText({ schema: 'marts', materialization: 'table' }, 'source')).toBe('marts (table)');
  });

  it('counts documents without an FX rate per currency from the marts; none before a build', async () => {
    const sql: string[] = [];
    const query =
      (marts: boolean): Query =>
      async (text) => {
        sql.push(text);
        if (text.includes('information_schema')) return [{ n: marts ? '1' : '0' }];
        return [{ currency: 'CHF', open_items: '3', invoices: '5' }];
      };
    await expect(missingRates(query(true))).resolves.toEqual([
      { currency: 'CHF', openItems: 3, invoices: 5 },
    ]);
    expect(sql.at(-1)).toContain('FROM marts.fct_open_items');
    expect(sql.at(-1)).toContain('WHERE is_unconverted');
    await expect(missingRates(query(false))).resolves.toEqual([]);
  });
});
