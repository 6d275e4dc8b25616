/**
 * The model runner on PostgreSQL: a small dbt project (a source, staging views, a table, an
 * incremental model on a unique_key, data tests and a unit test) builds on DuckDB and on PostgreSQL,
 * and every relation holds the same rows on both, cell for cell through each engine's conversion
 * boundary — after the first build and after an incremental second one. `schemaMap` builds the models
 * in other schemas (the swap build's `__next`), sources staying where they are.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildFailedError, buildInConnection, type BuildReport } from '../../models/runner/index.ts';
import { compile } from '../../models/runner/index.ts';
import { parseProject } from '../../models/runner/project.ts';
import { ident } from '../../warehouse/duckdb.ts';
import { DuckDbSession, PgSession } from '../../warehouse/session.ts';
import { tempDir } from '../helpers.ts';
import { PG_URL, pgDatabase } from './database.ts';
import { contents, NEXT_DAY, PROJECT, RAW, RELATIONS } from './twin.ts';

const quoted = (relation: string, schemaMap?: Map<string, string>) => {
  const [schema, name] = relation.split('.') as [string, string];
  return `${ident(schemaMap?.get(schema) ?? schema)}.${ident(name)}`;
};

function outcome(report: BuildReport) {
  return report.results.map((r) => ({
    kind: r.kind,
    name: r.name,
    status: r.status,
    rows: r.rowsAffected,
    failures: r.failures,
    message: r.message,
  }));
}

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('the runner builds one project on DuckDB and PostgreSQL alike', () => {
  const db = pgDatabase();
  let projectDir: string;
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let duck: DuckDbSession;
  let pgs: PgSession;

  beforeAll(async () => {
    projectDir = await tempDir('arlens-twin-');
    for (const [path, text] of Object.entries(PROJECT)) {
      await fs.mkdir(join(projectDir, path, '..'), { recursive: true });
      await fs.writeFile(join(projectDir, path), text, 'utf8');
    }
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    duck = new DuckDbSession(conn);
    pgs = await PgSession.connect(db.url, { applicationName: 'arlens runner test' });
    for (const sql of RAW) {
      await duck.run(sql);
      await pgs.run(sql);
    }
  });
  afterAll(async () => {
    await pgs?.close();
    conn?.closeSync();
    instance?.closeSync();
  });

  async function buildBoth() {
    const project = await parseProject(projectDir);
    const onDuck = await buildInConnection(conn, project);
    const onPg = await buildInConnection(pgs, project);
    return { onDuck, onPg };
  }

  async function expectSameRows(schemaMap?: Map<string, string>) {
    for (const relation of RELATIONS) {
      const a = await contents(duck, quoted(relation));
      const b = await contents(pgs, quoted(relation, schemaMap));
      expect(b.columns, relation).toEqual(a.columns);
      expect(b.rows, relation).toEqual(a.rows);
    }
  }

  it('first build: every node passes on both engines, and every relation holds the same rows', async () => {
    const { onDuck, onPg } = await buildBoth();
    expect(onPg.success).toBe(true);
    expect(outcome(onPg)).toEqual(outcome(onDuck));
    expect(outcome(onPg).map((r) => `${r.kind} ${r.name} ${r.status}`)).toEqual(
      expect.arrayContaining([
        'unit_test dim_customers_adds_up success',
        'test assert_no_negative_invoices success',
        'test unique_fct_invoices_invoice_id success',
        'model fct_invoices success',
      ]),
    );
    await expectSameRows();
    const [fct] = await pgs.rows(
      `SELECT invoice_amount, third_of_amount, terms_days, dunning_date, updated_at
         FROM marts.fct_invoices WHERE invoice_id = 'I3'`,
    );
    // Exact money, a double, day counts as BIGINT strings (DuckDB's type), dates that did not shift.
    expect(fct).toEqual({
      invoice_amount: '12345678901234.57',
      third_of_amount: 12345678901234.57 / 3,
      terms_days: '30',
      dunning_date: '2000-02-29',
      updated_at: '1999-12-31 15:00:00',
    });
    // The incremental table has its unique_key indexed; the tables were analyzed.
    const indexes = await pgs.rows(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'marts' AND tablename = 'fct_invoices'`,
    );
    expect(indexes).toEqual([
      { indexdef: 'CREATE INDEX fct_invoices__unique_key ON marts.fct_invoices USING btree (invoice_id)' },
    ]);
    const analyzed = await pgs.rows(
      `SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'marts' AND last_analyze IS NOT NULL ORDER BY relname`,
    );
    expect(analyzed).toEqual([{ relname: 'dim_customers' }, { relname: 'fct_invoices' }]);
    // The run log is written on PostgreSQL too.
    const runs = await pgs.rows(
      'SELECT count(*) AS n, min(run_id) = max(run_id) AS one FROM meta.model_runs',
    );
    expect(runs).toEqual([{ n: String(onPg.results.length), one: true }]);
    expect(await pgs.rows('SELECT run_id FROM meta.manifest')).toEqual([{ run_id: onPg.runId }]);
  });

  it('second build: the incremental model merges the changed and new rows the same way on both', async () => {
    for (const sql of NEXT_DAY) {
      await duck.run(sql);
      await pgs.run(sql);
    }
    const { onDuck, onPg } = await buildBoth();
    const merged = (r: BuildReport) => r.results.find((x) => x.name === 'fct_invoices' && x.kind === 'model');
    expect(merged(onDuck)?.message).toBe('incremental, 2 rows merged (1 old rows replaced)');
    expect(merged(onPg)?.message).toBe(merged(onDuck)?.message);
    expect(outcome(onPg)).toEqual(outcome(onDuck));
    await expectSameRows();
    expect(
      await pgs.rows(`SELECT invoice_id, invoice_amount, terms_days FROM marts.fct_invoices ORDER BY 1`),
    ).toEqual([
      { invoice_id: 'I1', invoice_amount: '100.10', terms_days: '30' },
      { invoice_id: 'I2', invoice_amount: '0.02', terms_days: '46' },
      { invoice_id: 'I3', invoice_amount: '12345678901234.57', terms_days: '30' },
      { invoice_id: 'I4', invoice_amount: '33.33', terms_days: '30' },
      { invoice_id: 'I5', invoice_amount: '7.00', terms_days: '30' },
    ]);
  });

  it('a failing model on PostgreSQL leaves its old relation as it was (one transaction per model)', async () => {
    const broken = await tempDir('arlens-twin-broken-');
    await fs.cp(projectDir, broken, { recursive: true });
    // Fails on the real rows only (customer C"3), after the materialization has dropped the old table.
    await fs.writeFile(
      join(broken, 'models/marts/dim_customers.sql'),
      PROJECT['models/marts/dim_customers.sql']!.replace(
        'c.customer_id,',
        'c.customer_id, 1 / (length(min(c.customer_id)) - 3) as boom,',
      ),
    );
    const before = await contents(pgs, '"marts"."dim_customers"');
    const err = await buildInConnection(pgs, await parseProject(broken), { select: ['dim_customers'] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as BuildFailedError).message).toMatch(/division by zero/);
    expect(await contents(pgs, '"marts"."dim_customers"')).toEqual(before);
  });

  it('schemaMap builds the models in other schemas, reading the sources where they are', async () => {
    const schemaMap = new Map([
      ['staging', 'staging__next'],
      ['marts', 'marts__next'],
    ]);
    const compiled = await compile(projectDir);
    const project = compiled.project;
    const report = await buildInConnection(pgs, project, { schemaMap });
    expect(report.success).toBe(true);
    // The incremental model started from a copy of its published table (nothing new since: 0 merged).
    expect(report.results.find((r) => r.name === 'fct_invoices' && r.kind === 'model')?.message).toBe(
      'incremental, 0 rows merged (0 old rows replaced)',
    );
    expect(report.statements.map((x) => x.sql)).toContain(
      'CREATE TABLE "marts__next"."fct_invoices" (LIKE "marts"."fct_invoices" INCLUDING ALL)',
    );
    await expectSameRows(schemaMap);
    const compiledOf = (kind: string, name: string) =>
      report.results.find((r) => r.kind === kind && r.name === name)?.compiledSql ?? '';
    expect(compiledOf('model', 'dim_customers')).toContain('"staging__next"."stg_customers"');
    expect(compiledOf('model', 'dim_customers')).not.toContain('"staging"."stg_customers"');
    expect(compiledOf('model', 'stg_customers')).toContain('"raw"."customers"');
    expect(compiledOf('test', 'unique_fct_invoices_invoice_id')).toContain('"marts__next"."fct_invoices"');
    const views = await pgs.rows(
      `SELECT table_schema, table_name, view_definition LIKE '%raw.%' AS reads_raw
         FROM information_schema.views WHERE table_schema LIKE 'staging%' ORDER BY 1, 2`,
    );
    expect(views).toEqual([
      { table_schema: 'staging', table_name: 'stg_customers', reads_raw: true },
      { table_schema: 'staging', table_name: 'stg_invoices', reads_raw: true },
      { table_schema: 'staging__next', table_name: 'stg_customers', reads_raw: true },
      { table_schema: 'staging__next', table_name: 'stg_invoices', reads_raw: true },
    ]);
    // The mapped marts read the mapped staging views, not the published ones.
    const deps = await pgs.rows(
      `SELECT DISTINCT v.table_schema AS reads FROM information_schema.view_table_usage AS v
        WHERE v.view_schema = 'staging__next'`,
    );
    expect(deps).toEqual([{ reads: 'raw' }]);
    // Built again with the map, the incremental model merges into its mapped self ({{ this }}).
    const again = await buildInConnection(pgs, project, { schemaMap });
    const fct = again.results.find((r) => r.kind === 'model' && r.name === 'fct_invoices');
    expect(fct?.message).toBe('incremental, 0 rows merged (0 old rows replaced)');
    expect(fct?.compiledSql).toContain('(select max(updated_at) from "marts__next"."fct_invoices")');
    await expectSameRows(schemaMap);
    const sql = compiled.nodes.find((n) => n.name === 'dim_customers')?.sql ?? '';
    expect(sql).toContain('"staging"."stg_customers"'); // compile without a map: the model's own schemas
  });
});
