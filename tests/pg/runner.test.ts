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
import type { Row } from '../../warehouse/convert.ts';
import { ident } from '../../warehouse/duckdb.ts';
import { DuckDbSession, PgSession, type SqlSession } from '../../warehouse/session.ts';
import { tempDir } from '../helpers.ts';
import { PG_URL, pgDatabase } from './database.ts';

/** Portable SQL only: both engines run these files unchanged. */
const PROJECT: Record<string, string> = {
  'dbt_project.yml': [
    'name: twin',
    'profile: twin',
    "version: '1.0.0'",
    'config-version: 2',
    "model-paths: ['models']",
    "macro-paths: ['macros']",
    "test-paths: ['tests']",
    'models:',
    '  twin:',
    '    +materialized: view',
    '    staging:',
    '      +schema: staging',
    '    marts:',
    '      +materialized: table',
    '      +schema: marts',
  ].join('\n'),
  'macros/generate_schema_name.sql': [
    '{% macro generate_schema_name(custom_schema_name, node) -%}',
    '  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}',
    '{%- endmacro %}',
  ].join('\n'),
  'models/staging/__sources.yml': [
    'version: 2',
    'sources:',
    '  - name: erp',
    '    schema: raw',
    '    tables:',
    '      - name: customers',
    '        columns:',
    '          - name: customer_id',
    '            data_tests: [unique, not_null]',
    '      - name: invoices',
  ].join('\n'),
  'models/staging/stg_customers.sql': `
select customer_id, trim(name) as customer_name, upper(region) as region
from {{ source('erp', 'customers') }}`,
  'models/staging/stg_invoices.sql': `
select
    invoice_id,
    customer_id,
    cast(amount as decimal(18, 2)) as invoice_amount,
    issue_date,
    due_date,
    updated_at
from {{ source('erp', 'invoices') }}`,
  'models/marts/dim_customers.sql': `
select
    c.customer_id,
    c.customer_name,
    c.region,
    count(i.invoice_id) as invoice_count,
    cast(coalesce(sum(i.invoice_amount), 0) as decimal(18, 2)) as total_amount,
    min(i.issue_date) as first_issue_date
from {{ ref('stg_customers') }} as c
left join {{ ref('stg_invoices') }} as i on i.customer_id = c.customer_id
group by c.customer_id, c.customer_name, c.region`,
  'models/marts/fct_invoices.sql': `
{{ config(materialized='incremental', unique_key='invoice_id') }}
select
    i.invoice_id,
    i.customer_id,
    c.region,
    i.invoice_amount,
    cast(i.invoice_amount as float8) / 3 as third_of_amount,
    i.issue_date,
    i.due_date,
    cast(i.due_date - i.issue_date as bigint) as terms_days,
    i.due_date + 30 as dunning_date,
    i.updated_at
from {{ ref('stg_invoices') }} as i
join {{ ref('stg_customers') }} as c on c.customer_id = i.customer_id
{% if is_incremental() %}
where i.updated_at > (select max(updated_at) from {{ this }})
{% endif %}`,
  'models/marts/_marts.yml': [
    'version: 2',
    'models:',
    '  - name: fct_invoices',
    '    columns:',
    '      - name: invoice_id',
    '        data_tests: [unique, not_null]',
    '      - name: region',
    '        data_tests:',
    '          - accepted_values:',
    "              values: ['EMEA', 'APAC', \"O'HARA\"]",
    '  - name: dim_customers',
    '    columns:',
    '      - name: customer_id',
    '        data_tests:',
    '          - relationships:',
    "              to: ref('stg_customers')",
    '              field: customer_id',
    'unit_tests:',
    '  - name: dim_customers_adds_up',
    '    model: dim_customers',
    '    given:',
    "      - input: ref('stg_customers')",
    '        rows:',
    '          - { customer_id: C1, customer_name: Acme, region: EMEA }',
    '          - { customer_id: C2, customer_name: Bento, region: APAC }',
    "      - input: ref('stg_invoices')",
    '        rows:',
    "          - { invoice_id: I1, customer_id: C1, invoice_amount: 10.5, issue_date: '2024-01-31' }",
    "          - { invoice_id: I2, customer_id: C1, invoice_amount: 4.55, issue_date: '2024-02-29' }",
    '    expect:',
    '      rows:',
    "          - { customer_id: C1, invoice_count: 2, total_amount: 15.05, first_issue_date: '2024-01-31' }",
    '          - { customer_id: C2, invoice_count: 0, total_amount: 0, first_issue_date: null }',
  ].join('\n'),
  'tests/assert_no_negative_invoices.sql': `
select invoice_id from {{ ref('fct_invoices') }} where invoice_amount < 0`,
};

const RAW = [
  'CREATE SCHEMA raw',
  'CREATE TABLE raw.customers (customer_id VARCHAR, name VARCHAR, region VARCHAR)',
  `INSERT INTO raw.customers VALUES ('C1', ' Acme ', 'emea'), ('C2', 'Bento', 'apac'), ('C"3', 'O''Hara; --', 'o''hara')`,
  `CREATE TABLE raw.invoices (
     invoice_id VARCHAR, customer_id VARCHAR, amount DECIMAL(18, 2), issue_date DATE, due_date DATE, updated_at TIMESTAMP)`,
  `INSERT INTO raw.invoices VALUES
     ('I1', 'C1', 100.10, DATE '2024-01-01', DATE '2024-01-31', TIMESTAMP '2024-01-01 09:00:00'),
     ('I2', 'C1', 0.01, DATE '2024-02-29', DATE '2024-03-30', TIMESTAMP '2024-02-29 23:59:59.999999'),
     ('I3', 'C2', 12345678901234.57, DATE '1999-12-31', DATE '2000-01-30', TIMESTAMP '1999-12-31 15:00:00'),
     ('I4', 'C"3', 33.33, DATE '2024-12-31', DATE '2025-01-30', TIMESTAMP '2024-12-31 00:00:00')`,
];

/** The next day's exports: I2 changed (amount and date), I5 new, an old I1 row re-sent unchanged. */
const NEXT_DAY = [
  `UPDATE raw.invoices SET amount = 0.02, due_date = DATE '2024-04-15', updated_at = TIMESTAMP '2025-01-02 08:00:00'
    WHERE invoice_id = 'I2'`,
  `INSERT INTO raw.invoices VALUES ('I5', 'C2', 7.00, DATE '2025-01-02', DATE '2025-02-01', TIMESTAMP '2025-01-02 09:00:00')`,
];

const RELATIONS = [
  'staging.stg_customers',
  'staging.stg_invoices',
  'marts.dim_customers',
  'marts.fct_invoices',
];

/** Every row of `relation` in a fixed order (all columns), with its column names in order. */
async function contents(s: SqlSession, relation: string): Promise<{ columns: string[]; rows: Row[] }> {
  const columns = (await s.describe(relation)).map((c) => c.name);
  const order = columns.map((_, i) => i + 1).join(', ');
  const rows = await s.rows(`SELECT * FROM ${relation} ORDER BY ${order}`);
  return { columns, rows };
}

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
    // Nothing was built in the published schemas by this build: their run is the earlier one.
    expect(report.results.find((r) => r.name === 'fct_invoices' && r.kind === 'model')?.message).toBe(
      'incremental, 5 rows',
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
