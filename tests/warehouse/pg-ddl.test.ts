/**
 * `arlens warehouse ddl [--citus]` (issue 21, Deliver 6): the built warehouse's tables as PostgreSQL
 * DDL and their Citus layout, read from a real demo build — every base table appears with every column,
 * every type maps, each table with a customer_id is distributed by it co-located with raw.customers
 * (the anchor first), the small shared tables are reference tables, bookkeeping stays local, and the
 * two tables without a customer_id are named as the layout's gaps.
 */
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANCHOR,
  CITUS_GAPS,
  pgType,
  placement,
  readShapes,
  renderDdl,
  type TableShape,
} from '../../warehouse/pg-ddl.ts';
import { connQuery } from '../../warehouse/convert.ts';
import { withPublished } from '../../warehouse/store.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { tempDir } from '../helpers.ts';

let root: string;
let shapes: TableShape[];

beforeAll(async () => {
  root = await tempDir('arlens-pg-ddl-');
  const wh = await demoWarehouse(root, 600);
  shapes = await withPublished(wh, async (conn) => readShapes(connQuery(conn)));
}, 240_000);
afterAll(() => fs.rm(root, { recursive: true, force: true }));

const key = (t: TableShape) => `${t.schema}.${t.name}`;

describe('PostgreSQL DDL from the built warehouse', () => {
  it('maps every column of every base table', () => {
    const names = shapes.map(key);
    for (const t of [
      'raw.invoices',
      'raw.customers',
      'marts.fct_invoices',
      'marts.fct_open_items',
      'marts.mart_ar_kpis_monthly',
    ]) {
      expect(names).toContain(t);
    }
    const ddl = renderDdl(shapes, { citus: false });
    for (const t of shapes) {
      const block = new RegExp(
        `CREATE TABLE IF NOT EXISTS "${t.schema}"\\."${t.name}" \\(\\n([\\s\\S]*?)\\n\\);`,
      ).exec(ddl);
      expect(block, key(t)).not.toBeNull();
      expect(block![1]!.split(',\n').map((l) => /^ {2}"([^"]+)"/.exec(l)?.[1])).toEqual(
        t.columns.map((c) => c.name),
      );
    }
    expect(ddl).not.toContain('create_distributed_table');
    // Money stays exact, text sorts by bytes as in DuckDB, lists become arrays.
    expect(pgType('DECIMAL(18,2)')).toBe('numeric(18, 2)');
    expect(pgType('VARCHAR')).toBe('text COLLATE "C"');
    expect(pgType('DECIMAL(18,2)[]')).toBe('numeric(18, 2)[]');
    expect(pgType('HUGEINT')).toBe('numeric(38, 0)');
    expect(() => pgType('UNION(a INTEGER)')).toThrow(/No PostgreSQL type for the DuckDB type UNION/);
  });

  it('lays the tables out for Citus: co-located by customer, reference tables, local bookkeeping', () => {
    const ddl = renderDdl(shapes, { citus: true });
    const calls = ddl.split('\n').filter((l) => l.startsWith('SELECT create_'));
    expect(calls[0]).toBe(
      `SELECT create_distributed_table('"raw"."customers"', 'customer_id', colocate_with => 'default');`,
    );
    for (const t of shapes) {
      const p = placement(t);
      const q = `'"${t.schema}"."${t.name}"'`;
      if (t.schema === 'meta') {
        expect(p.kind, key(t)).toBe('local');
        expect(
          calls.some((c) => c.includes(q)),
          key(t),
        ).toBe(false);
      } else if (t.columns.some((c) => c.name === 'customer_id')) {
        expect(p, key(t)).toMatchObject({ kind: 'distributed', column: 'customer_id' });
        if (key(t) !== ANCHOR) {
          expect(calls).toContain(
            `SELECT create_distributed_table(${q}, 'customer_id', colocate_with => '"raw"."customers"');`,
          );
        }
      } else if (CITUS_GAPS[key(t)] === undefined) {
        expect(calls, key(t)).toContain(`SELECT create_reference_table(${q});`);
      }
    }
    // The big facts are co-located; calendar and FX are reference tables; the gaps are said out loud.
    for (const t of [
      'marts.fct_invoices',
      'marts.fct_ar_snapshots',
      'marts.fct_open_items',
      'raw.invoices',
    ]) {
      expect(placement(shapes.find((s) => key(s) === t)!)).toMatchObject({
        kind: 'distributed',
        column: 'customer_id',
      });
    }
    for (const t of ['marts.dim_dates', 'intermediate.int_fx_daily', 'marts.mart_ar_kpis_monthly']) {
      expect(placement(shapes.find((s) => key(s) === t)!), t).toEqual({ kind: 'reference' });
    }
    expect(ddl).toContain('-- raw.payment_applications: no customer_id in the ERP contract');
    expect(calls).toContain(
      `SELECT create_distributed_table('"raw"."payment_applications"', 'invoice_id', colocate_with => 'none');`,
    );
  });
});
