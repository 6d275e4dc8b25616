/**
 * Materializations: turn a model's compiled select into a view or table in the warehouse.
 *
 * - view: CREATE OR REPLACE VIEW.
 * - table: CREATE OR REPLACE TABLE … AS.
 * - incremental: the first run (or --full-refresh) creates the table; later runs compute the new rows
 *   into a temporary table, delete the target rows whose unique_key matches, and insert the new rows
 *   (without unique_key: append). Columns the target lacks are left out (dbt's on_schema_change: ignore).
 * - ephemeral: nothing; compile.ts inlines the model where it is read.
 *
 * A relation of the other kind (a view where a table goes, or back) is dropped first.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryValue, toCount } from '../../warehouse/convert.ts';
import { ident } from '../../warehouse/duckdb.ts';
import { describe, relationKind, type Executor } from './executor.ts';
import type { ModelNode } from './project.ts';

export interface Materialized {
  /** Rows in the table, or rows inserted by an incremental run; null for views and ephemeral models. */
  readonly rows: number | null;
  readonly message: string;
}

/** Whether `is_incremental()` is true for this model now, and what its relation currently is. */
export async function incrementalState(
  conn: DuckDBConnection,
  model: ModelNode,
  fullRefresh: boolean,
): Promise<{ existing: 'table' | 'view' | null; isIncremental: boolean }> {
  if (model.materialized === 'ephemeral') return { existing: null, isIncremental: false };
  const existing = await relationKind(conn, model.schema, model.name);
  return {
    existing,
    isIncremental: model.materialized === 'incremental' && existing === 'table' && !fullRefresh,
  };
}

export async function materialize(
  exec: Executor,
  model: ModelNode,
  sql: string,
  state: { existing: 'table' | 'view' | null; isIncremental: boolean },
): Promise<Materialized> {
  if (model.materialized === 'ephemeral') return { rows: null, message: 'ephemeral (inlined where read)' };
  const id = model.id;
  const target = model.relation;
  await exec.run(id, `CREATE SCHEMA IF NOT EXISTS ${ident(model.schema)}`);
  const kind = model.materialized === 'view' ? 'view' : 'table';
  if (state.existing !== null && state.existing !== kind) {
    await exec.run(id, `DROP ${state.existing === 'view' ? 'VIEW' : 'TABLE'} ${target}`);
  }
  if (kind === 'view') {
    await exec.run(id, `CREATE OR REPLACE VIEW ${target} AS\n${sql}`);
    return { rows: null, message: 'view' };
  }
  if (!state.isIncremental) {
    await exec.run(id, `CREATE OR REPLACE TABLE ${target} AS\n${sql}`);
    const rows = toCount(await queryValue(exec.conn, `SELECT count(*) FROM ${target}`));
    return { rows, message: `${model.materialized}, ${rows} rows` };
  }
  const temp = ident(`${model.name}__dbt_tmp`);
  await exec.run(id, `CREATE OR REPLACE TEMP TABLE ${temp} AS\n${sql}`);
  const targetColumns = new Set((await describe(exec.conn, target)).map((c) => c.name));
  const columns = (await describe(exec.conn, temp))
    .filter((c) => targetColumns.has(c.name))
    .map((c) => ident(c.name))
    .join(', ');
  let replaced = 0;
  if (model.uniqueKey.length > 0) {
    // Match against the distinct keys: with a coarse key (delete+insert by date, say) a plain join of
    // target and new rows would pair every old row of a key with every new row of it.
    const keys = model.uniqueKey.map((k) => ident(k)).join(', ');
    const match = model.uniqueKey.map((k) => `t.${ident(k)} = s.${ident(k)}`).join(' AND ');
    replaced = await exec.run(
      id,
      `DELETE FROM ${target} AS t USING (SELECT DISTINCT ${keys} FROM ${temp}) AS s WHERE ${match}`,
    );
  }
  const inserted = await exec.run(id, `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${temp}`);
  await exec.run(id, `DROP TABLE ${temp}`);
  return {
    rows: inserted,
    message: `incremental, ${inserted} rows merged (${replaced} old rows replaced)`,
  };
}
