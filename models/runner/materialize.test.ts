import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { queryRows } from '../../warehouse/convert.ts';
import { Executor } from './executor.ts';
import { incrementalState, materialize } from './materialize.ts';
import type { Materialization, ModelNode } from './project.ts';

function model(materialized: Materialization, uniqueKey: string[] = []): ModelNode {
  return {
    kind: 'model',
    id: 'model.p.m',
    name: 'm',
    path: 'm.sql',
    description: '',
    dependsOn: [],
    tags: [],
    sql: '',
    fqn: ['p', 'm'],
    materialized,
    schema: 'marts',
    relation: '"marts"."m"',
    uniqueKey,
    config: {},
    columns: [],
  };
}

describe('materializations', () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  beforeEach(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  });
  afterEach(() => {
    conn.closeSync();
    instance.closeSync();
  });

  async function run(m: ModelNode, sql: string, fullRefresh = false) {
    const exec = new Executor(conn);
    const state = await incrementalState(conn, m, fullRefresh);
    const done = await materialize(exec, m, sql, state);
    return { ...done, state, statements: exec.statements.map((s) => s.sql) };
  }
  const rows = (sql = 'SELECT * FROM marts.m ORDER BY ALL') => queryRows(conn, sql);
  const kind = async () =>
    (await queryRows(conn, "SELECT table_type FROM information_schema.tables WHERE table_name = 'm'"))[0]?.[
      'table_type'
    ];

  it('view: creates the schema and the view, and replaces a table of the same name', async () => {
    const first = await run(model('view'), 'select 1 as a');
    expect(first).toMatchObject({ rows: null, message: 'view' });
    expect(first.statements).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "marts"',
      'CREATE OR REPLACE VIEW "marts"."m" AS\nselect 1 as a',
    ]);
    expect(await kind()).toBe('VIEW');
    await run(model('table'), 'select 2 as a');
    expect(await kind()).toBe('BASE TABLE');
    const back = await run(model('view'), 'select 3 as a');
    expect(back.statements).toContain('DROP TABLE "marts"."m"');
    expect(await kind()).toBe('VIEW');
    expect(await rows()).toEqual([{ a: 3 }]);
  });

  it('table: creates or replaces the table and counts its rows', async () => {
    expect(await run(model('table'), 'select range as a from range(3)')).toMatchObject({ rows: 3 });
    expect(await run(model('table'), 'select range as a from range(5)')).toMatchObject({
      rows: 5,
      message: 'table, 5 rows',
    });
    expect(await rows('SELECT count(*) AS n FROM marts.m')).toEqual([{ n: '5' }]);
  });

  it('incremental: merges on unique_key: changed keys replaced, new keys added, others untouched', async () => {
    const m = model('incremental', ['id']);
    const first = await run(m, "select * from (values (1, 'a'), (2, 'b'), (3, 'c')) v(id, v)");
    expect(first.state.isIncremental).toBe(false);
    expect(first.rows).toBe(3);
    const second = await run(m, "select * from (values (2, 'B'), (4, 'd')) v(id, v)");
    expect(second.state).toEqual({ existing: 'table', isIncremental: true });
    expect(second).toMatchObject({ rows: 2, message: 'incremental, 2 rows merged (1 old rows replaced)' });
    expect(await rows()).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'B' },
      { id: 3, v: 'c' },
      { id: 4, v: 'd' },
    ]);
    expect(
      second.statements.some((s) =>
        s.startsWith('DELETE FROM "marts"."m" AS t USING (SELECT DISTINCT "id" FROM "m__dbt_tmp") AS s'),
      ),
    ).toBe(true);
    const refreshed = await run(m, "select 9 as id, 'z' as v", true);
    expect(refreshed.state.isIncremental).toBe(false);
    expect(await rows()).toEqual([{ id: 9, v: 'z' }]);
  });

  it('incremental: a composite unique_key; columns the table lacks are left out', async () => {
    const m = model('incremental', ['k1', 'k2']);
    await run(m, "select * from (values (1, 1, 'a'), (1, 2, 'b')) v(k1, k2, v)");
    await run(m, "select * from (values (1, 2, 'B', 'extra')) v(k1, k2, v, new_column)");
    expect(await rows()).toEqual([
      { k1: 1, k2: 1, v: 'a' },
      { k1: 1, k2: 2, v: 'B' },
    ]);
  });

  it('incremental without unique_key appends', async () => {
    const m = model('incremental');
    await run(m, 'select 1 as a');
    expect(await run(m, 'select 1 as a')).toMatchObject({ rows: 1 });
    expect(await rows()).toEqual([{ a: 1 }, { a: 1 }]);
  });

  it('ephemeral: runs nothing', async () => {
    expect(await run(model('ephemeral'), 'select 1')).toMatchObject({ rows: null, statements: [] });
  });
});
