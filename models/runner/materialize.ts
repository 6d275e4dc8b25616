/**
 * Materializations: turn a model's compiled select into a view or table in the warehouse.
 *
 * DuckDB:
 * - view: CREATE OR REPLACE VIEW.
 * - table: CREATE OR REPLACE TABLE … AS.
 * - incremental: the first run (or --full-refresh) creates the table; later runs compute the new rows
 *   into a temporary table, delete the target rows whose unique_key matches, and insert the new rows
 *   (without unique_key: append). Columns the target lacks are left out (dbt's on_schema_change: ignore).
 * - ephemeral: nothing; compile.ts inlines the model where it is read.
 * A relation of the other kind (a view where a table goes, or back) is dropped first.
 *
 * PostgreSQL has no CREATE OR REPLACE TABLE, and CREATE OR REPLACE VIEW fails when the columns change,
 * so a model's relation is dropped (CASCADE, as dbt-postgres does: views built on it are dropped too and
 * rebuilt by the build when selected) and created again, in one transaction with everything else the
 * model's materialization runs: a failing model leaves its old relation as it was. Tables are ANALYZEd
 * (the models built next in the same build need statistics; autovacuum comes too late); an
 * incremental table gets an index on its unique_key, which every merge's DELETE … USING looks up.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { toCount } from '../../warehouse/convert.ts';
import { ident } from '../../warehouse/duckdb.ts';
import { asSession, type PgSession, type SqlSession } from '../../warehouse/session.ts';
import type { Executor } from './executor.ts';
import type { ModelNode } from './project.ts';

export interface Materialized {
  /** Rows in the table, or rows inserted by an incremental run; null for views and ephemeral models. */
  readonly rows: number | null;
  readonly message: string;
}

/** Whether `is_incremental()` is true for this model now, and what its relation currently is. */
export async function incrementalState(
  target: SqlSession | DuckDBConnection,
  model: ModelNode,
  fullRefresh: boolean,
): Promise<{ existing: 'table' | 'view' | null; isIncremental: boolean }> {
  if (model.materialized === 'ephemeral') return { existing: null, isIncremental: false };
  const existing = await asSession(target).relationKind(model.schema, model.name);
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
  const session = exec.session;
  if (session.dialect === 'postgres') {
    return (session as PgSession).transaction(() => materializePg(exec, model, sql, state));
  }
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
    const rows = await countRows(session, target);
    return { rows, message: `${model.materialized}, ${rows} rows` };
  }
  const temp = ident(`${model.name}__dbt_tmp`);
  await exec.run(id, `CREATE OR REPLACE TEMP TABLE ${temp} AS\n${sql}`);
  return merge(exec, model, target, temp);
}

async function countRows(session: SqlSession, relation: string): Promise<number> {
  const first = (await session.rows(`SELECT count(*) FROM ${relation}`))[0];
  return toCount(first === undefined ? undefined : Object.values(first)[0]);
}

/** The incremental merge of the rows in `temp` into `target` (both engines: portable SQL). */
async function merge(exec: Executor, model: ModelNode, target: string, temp: string): Promise<Materialized> {
  const id = model.id;
  const targetColumns = new Set((await exec.session.describe(target)).map((c) => c.name));
  const columns = (await exec.session.describe(temp))
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

/** The PostgreSQL statements of a materialization (run inside the model's transaction). */
async function materializePg(
  exec: Executor,
  model: ModelNode,
  sql: string,
  state: { existing: 'table' | 'view' | null; isIncremental: boolean },
): Promise<Materialized> {
  const id = model.id;
  const target = model.relation;
  await exec.run(id, `CREATE SCHEMA IF NOT EXISTS ${ident(model.schema)}`);
  if (!state.isIncremental && state.existing !== null) {
    await exec.run(id, `DROP ${state.existing === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${target} CASCADE`);
  }
  if (model.materialized === 'view') {
    await exec.run(id, `CREATE VIEW ${target} AS\n${sql}`);
    return { rows: null, message: 'view' };
  }
  if (!state.isIncremental) {
    const rows = await exec.run(id, `CREATE TABLE ${target} AS\n${sql}`);
    if (model.materialized === 'incremental' && model.uniqueKey.length > 0) {
      const index = ident(`${model.name}__unique_key`);
      const keys = model.uniqueKey.map((k) => ident(k)).join(', ');
      await exec.run(id, `CREATE INDEX ${index} ON ${target} (${keys})`);
    }
    await exec.run(id, `ANALYZE ${target}`);
    return { rows, message: `${model.materialized}, ${rows} rows` };
  }
  const temp = ident(`${model.name}__dbt_tmp`);
  await exec.run(id, `DROP TABLE IF EXISTS pg_temp.${temp}`);
  await exec.run(id, `CREATE TEMP TABLE ${temp} AS\n${sql}`);
  await exec.run(id, `ANALYZE ${temp}`);
  const done = await merge(exec, model, target, temp);
  await exec.run(id, `ANALYZE ${target}`);
  return done;
}

/**
 * Before an incremental model is built in another schema (a swap build's `__next`): copy its published
 * table there, so the run merges into the rows it has, as it would in place. Nothing to do when the
 * build schema already has it, or nothing is published yet.
 */
export async function seedIncremental(exec: Executor, published: ModelNode, built: ModelNode): Promise<void> {
  const session = exec.session;
  if ((await session.relationKind(built.schema, built.name)) !== null) return;
  if ((await session.relationKind(published.schema, published.name)) !== 'table') return;
  await copyTable(exec, published.id, published.relation, built);
}

/** `from` copied into `to` (a new table): on PostgreSQL with its indexes, defaults and statistics. */
async function copyTable(exec: Executor, nodeId: string, from: string, to: ModelNode): Promise<void> {
  await exec.run(nodeId, `CREATE SCHEMA IF NOT EXISTS ${ident(to.schema)}`);
  if (exec.session.dialect === 'postgres') {
    await exec.run(nodeId, `CREATE TABLE ${to.relation} (LIKE ${from} INCLUDING ALL)`);
    await exec.run(nodeId, `INSERT INTO ${to.relation} SELECT * FROM ${from}`);
    await exec.run(nodeId, `ANALYZE ${to.relation}`);
  } else {
    await exec.run(nodeId, `CREATE TABLE ${to.relation} AS SELECT * FROM ${from}`);
  }
}

/**
 * A selected build into other schemas (a PostgreSQL swap build) carries a model the selection leaves
 * out into the build schema as it is published: a table is copied (rows, indexes, defaults); a view is
 * created again from the model's SQL rendered for the build schemas (`viewSql`), so it reads the
 * build's relations — the published view's own text reads the published schemas, which the publish
 * retires. What the model's relation is published as decides (not its current materialization).
 * Returns that, or null when the model is not published (nothing to carry: it stays absent, as it
 * would in place).
 */
export async function carryOver(
  exec: Executor,
  published: ModelNode,
  built: ModelNode,
  viewSql: () => string,
): Promise<'table' | 'view' | null> {
  const kind = await exec.session.relationKind(published.schema, published.name);
  if (kind === 'table') await copyTable(exec, published.id, published.relation, built);
  if (kind === 'view') {
    await exec.run(published.id, `CREATE SCHEMA IF NOT EXISTS ${ident(built.schema)}`);
    await exec.run(published.id, `CREATE VIEW ${built.relation} AS\n${viewSql()}`);
  }
  return kind;
}
