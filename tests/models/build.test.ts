import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DuckDBValue } from '@duckdb/node-api';
import {
  BuildFailedError,
  build,
  type BuildEvent,
  type BuildReport,
  type Manifest,
} from '../../models/runner/index.ts';
import type { RunResults } from '../../models/runner/run-log.ts';
import { queryRows } from '../../warehouse/convert.ts';
import { withNextGeneration } from '../../warehouse/store.ts';
import { published } from '../helpers.ts';
import { MINI, miniCopy, miniWarehouse, writeWarehouse } from './mini.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

async function warehouse(): Promise<string> {
  const dir = await miniWarehouse();
  dirs.push(dir);
  return dir;
}

async function project(files: Record<string, string>): Promise<string> {
  const dir = await miniCopy(files);
  dirs.push(dir);
  return dir;
}

const statusOf = (report: BuildReport) => Object.fromEntries(report.results.map((r) => [r.name, r.status]));
const names = (report: BuildReport, kind?: string) =>
  report.results.filter((r) => kind === undefined || r.kind === kind).map((r) => r.name);

async function failedBuild(options: Parameters<typeof build>[0]): Promise<BuildFailedError> {
  const error = await build(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof BuildFailedError))
    throw new Error(`expected BuildFailedError, got ${String(error)}`);
  return error;
}

describe('arlens build on dbt-mini', () => {
  it('builds every node in dbt order and publishes views, tables and an incremental table', async () => {
    const wh = await warehouse();
    const events: BuildEvent[] = [];
    const report = await build({ projectDir: MINI, warehouseDir: wh, onEvent: (e) => events.push(e) });

    expect(report.success).toBe(true);
    expect(names(report, 'model')).toEqual([
      'stg_customers',
      'stg_invoices',
      'fct_invoices',
      'open_invoices',
      'customer_balances',
      'region_totals',
    ]);
    expect(report.results).toHaveLength(27);
    const statuses = statusOf(report);
    expect(Object.entries(statuses).filter(([, s]) => s !== 'success')).toEqual([
      ['accepted_values_stg_invoices_status__open__paid', 'warn'],
    ]);
    const order = names(report);
    expect(order.indexOf('fct_invoices_takes_newer_rows')).toBeLessThan(order.indexOf('fct_invoices'));
    const fct = order.indexOf('fct_invoices');
    expect(order.slice(fct + 1, fct + 3)).toEqual([
      'not_null_fct_invoices_invoice_id',
      'unique_fct_invoices_invoice_id',
    ]);
    expect(events[0]).toMatchObject({ kind: 'plan' });
    expect(events.filter((e) => e.kind === 'node-start')).toHaveLength(27);
    expect(events.filter((e) => e.kind === 'node-done')).toHaveLength(27);
    expect(events.at(-1)).toEqual({ kind: 'publishing' });

    expect(await published(wh, 'SELECT * FROM marts.customer_balances ORDER BY customer_id')).toEqual([
      { customer_id: 'C1', region: 'EMEA', open_amount: '100.50', open_invoices: '1' },
      { customer_id: 'C2', region: 'APAC', open_amount: '50.00', open_invoices: '1' },
      { customer_id: 'C3', region: 'LATAM', open_amount: '0.00', open_invoices: '0' },
    ]);
    expect(
      await published(
        wh,
        `SELECT table_schema || '.' || table_name AS relation, table_type AS type FROM information_schema.tables
         WHERE table_schema NOT IN ('raw', 'meta') ORDER BY 1`,
      ),
    ).toEqual([
      { relation: 'finance.region_totals', type: 'BASE TABLE' },
      { relation: 'main.stg_customers', type: 'VIEW' },
      { relation: 'main.stg_invoices', type: 'VIEW' },
      { relation: 'marts.customer_balances', type: 'BASE TABLE' },
      { relation: 'marts.fct_invoices', type: 'BASE TABLE' },
    ]);
    expect(report.results.find((r) => r.name === 'customer_balances')).toMatchObject({
      kind: 'model',
      path: 'marts/customer_balances.sql',
      rowsAffected: 3,
      message: 'table, 3 rows',
    });
  });

  it('lists the statements it ran; running them straight through DuckDB gives the same marts', async () => {
    const wh = await warehouse();
    const report = await build({ projectDir: MINI, warehouseDir: wh });
    const sqls = report.statements.map((s) => s.sql);
    expect(sqls[0]).toMatch(
      /^select count\(\*\) as failures from \(\nselect customer_id\nfrom "raw"."customers"/,
    );
    const view = report.results.find((r) => r.name === 'stg_customers')?.compiledSql;
    expect(sqls).toContain(`CREATE OR REPLACE VIEW "main"."stg_customers" AS\n${view}`);
    expect(
      report.statements.filter((s) => s.nodeId === 'model.mini.customer_balances').map((s) => s.sql),
    ).toEqual([
      'CREATE SCHEMA IF NOT EXISTS "marts"',
      `CREATE OR REPLACE TABLE "marts"."customer_balances" AS\n${report.results.find((r) => r.name === 'customer_balances')?.compiledSql}`,
    ]);
    expect(report.statements.some((s) => s.params.length > 0)).toBe(true); // unit test rows are bound

    const direct = await warehouse();
    await withNextGeneration(direct, 'test', async (conn) => {
      for (const s of report.statements) await conn.runAndReadAll(s.sql, s.params as DuckDBValue[]);
    });
    const balances = 'SELECT * FROM marts.customer_balances ORDER BY ALL';
    expect(await published(direct, balances)).toEqual(await published(wh, balances));
  });

  it('records the run in meta.model_runs and meta.manifest, and in manifest.json and run_results.json', async () => {
    const wh = await warehouse();
    const first = await build({ projectDir: MINI, warehouseDir: wh });
    const runs = await published(
      wh,
      `SELECT node_id, kind, status, rows_affected, failures, message, compiled_sql, duration_ms >= 0 AS timed
       FROM meta.model_runs WHERE run_id = $1 ORDER BY started_at, node_id`,
      [first.runId],
    );
    expect(runs).toHaveLength(27);
    expect(runs.find((r) => r['node_id'] === 'model.mini.customer_balances')).toMatchObject({
      kind: 'model',
      status: 'success',
      rows_affected: '3',
      failures: null,
      timed: true,
    });
    expect(String(runs.find((r) => r['node_id'] === 'model.mini.region_totals')?.['compiled_sql'])).toContain(
      'from "marts"."customer_balances"',
    );
    expect(runs.find((r) => r['status'] === 'warn')).toMatchObject({
      node_id: 'test.mini.accepted_values_stg_invoices_status__open__paid',
      kind: 'test',
      failures: '1',
    });
    expect(runs.filter((r) => r['kind'] === 'unit_test').map((r) => r['status'])).toEqual([
      'success',
      'success',
      'success',
    ]);

    const [row] = await published(wh, 'SELECT run_id, json FROM meta.manifest');
    const manifest = JSON.parse(String(row?.['json'])) as Manifest;
    expect(row?.['run_id']).toBe(first.runId);
    expect(manifest.nodes['model.mini.customer_balances']).toMatchObject({
      kind: 'model',
      name: 'customer_balances',
      path: 'marts/customer_balances.sql',
      materialization: 'table',
      schema: 'marts',
      relation: '"marts"."customer_balances"',
      description: 'Open amount per customer.',
      tags: ['balances'],
      depends_on: ['model.mini.stg_customers', 'model.mini.open_invoices'],
    });
    const balances = manifest.nodes['model.mini.customer_balances'];
    expect(balances?.columns[0]).toEqual({
      name: 'customer_id',
      description: 'The customer.',
      data_type: null,
      tests: [
        'test.mini.unique_customer_balances_customer_id',
        'test.mini.not_null_customer_balances_customer_id',
        'test.mini.relationships_customer_balances_customer_id__customer_id__ref_stg_customers_',
      ],
    });
    expect(balances?.tests).toContain('test.mini.expression_is_true_customer_balances_open_invoices_0');
    expect(balances?.tests).toContain('test.mini.assert_no_negative_balances');
    expect(balances?.tests).toContain('unit_test.mini.customer_balances.balances_sum_open_invoices');
    expect(manifest.nodes['source.mini.erp.invoices']).toMatchObject({
      kind: 'source',
      schema: 'raw',
      depends_on: [],
    });

    const files = JSON.parse(await fs.readFile(join(wh, 'manifest.json'), 'utf8')) as Manifest;
    expect(files).toEqual(manifest);
    const results = JSON.parse(await fs.readFile(join(wh, 'run_results.json'), 'utf8')) as RunResults;
    expect(results).toMatchObject({ run_id: first.runId, success: true });
    expect(results.results).toHaveLength(27);

    const second = await build({ projectDir: MINI, warehouseDir: wh });
    expect(
      await published(wh, 'SELECT run_id, count(*) AS n FROM meta.model_runs GROUP BY ALL ORDER BY ALL'),
    ).toEqual([first.runId, second.runId].sort().map((id) => ({ run_id: id, n: '27' })));
    expect(await published(wh, 'SELECT run_id FROM meta.manifest')).toEqual([{ run_id: second.runId }]);
  });

  it('merges an incremental model on unique_key: changed keys updated, new ones added, others untouched', async () => {
    const wh = await warehouse();
    await build({ projectDir: MINI, warehouseDir: wh });
    await writeWarehouse(
      wh,
      `UPDATE raw.invoices SET status = 'paid', updated_at = TIMESTAMP '2024-02-01 09:00:00' WHERE invoice_id = 'I1';
       UPDATE raw.invoices SET amount_cents = 999999 WHERE invoice_id = 'I2'; -- not newer: not picked up
       INSERT INTO raw.invoices VALUES ('I5', 'C3', 1234, 'open', DATE '2024-02-02', TIMESTAMP '2024-02-02 09:00:00');`,
    );
    const second = await build({ projectDir: MINI, warehouseDir: wh });
    expect(second.results.find((r) => r.name === 'fct_invoices')).toMatchObject({
      rowsAffected: 2,
      message: 'incremental, 2 rows merged (1 old rows replaced)',
    });
    const invoices = 'SELECT invoice_id, status, invoice_amount FROM marts.fct_invoices ORDER BY invoice_id';
    expect(await published(wh, invoices)).toEqual([
      { invoice_id: 'I1', status: 'paid', invoice_amount: '100.50' },
      { invoice_id: 'I2', status: 'paid', invoice_amount: '20.00' },
      { invoice_id: 'I3', status: 'open', invoice_amount: '50.00' },
      { invoice_id: 'I4', status: 'void', invoice_amount: '7.00' },
      { invoice_id: 'I5', status: 'open', invoice_amount: '12.34' },
    ]);
    expect(
      await published(wh, "SELECT open_amount FROM marts.customer_balances WHERE customer_id = 'C1'"),
    ).toEqual([{ open_amount: '0.00' }]);
    await build({ projectDir: MINI, warehouseDir: wh, fullRefresh: true });
    expect(
      await published(wh, "SELECT invoice_amount FROM marts.fct_invoices WHERE invoice_id = 'I2'"),
    ).toEqual([{ invoice_amount: '9999.99' }]);
  });

  it('selects with model, +model, model+, +model+, tag:, unions and --exclude; tests of selected models run', async () => {
    const wh = await warehouse();
    await build({ projectDir: MINI, warehouseDir: wh });
    const run = async (select: string[], exclude: string[] = []) =>
      build({ projectDir: MINI, warehouseDir: wh, select, exclude });

    const one = await run(['customer_balances']);
    expect(names(one, 'model')).toEqual(['customer_balances']);
    expect(names(one, 'unit_test')).toEqual(['balances_respect_min_amount', 'balances_sum_open_invoices']);
    expect(names(one, 'test')).toContain('assert_no_negative_balances');
    expect(names(one, 'test')).not.toContain('unique_stg_customers_customer_id');
    expect(names(await run(['+customer_balances']), 'model')).toEqual([
      'stg_customers',
      'stg_invoices',
      'fct_invoices',
      'open_invoices',
      'customer_balances',
    ]);
    expect(names(await run(['fct_invoices+']), 'model')).toEqual([
      'fct_invoices',
      'open_invoices',
      'customer_balances',
      'region_totals',
    ]);
    expect(names(await run(['+open_invoices+'], ['stg_customers', 'tag:finance']), 'model')).toEqual([
      'stg_invoices',
      'fct_invoices',
      'open_invoices',
      'customer_balances',
    ]);
    expect(names(await run(['stg_customers', 'tag:finance']), 'model')).toEqual([
      'stg_customers',
      'region_totals',
    ]);
  });

  it('uses --vars over the project’s', async () => {
    const wh = await warehouse();
    const report = await build({
      projectDir: MINI,
      warehouseDir: wh,
      vars: { min_amount: 60 },
      select: ['+customer_balances'],
      exclude: ['balances_sum_open_invoices'], // it expects the project's min_amount
    });
    expect(names(report, 'unit_test')).toEqual([
      'fct_invoices_takes_newer_rows',
      'balances_respect_min_amount',
    ]);
    expect(await published(wh, 'SELECT customer_id FROM marts.customer_balances')).toEqual([
      { customer_id: 'C1' },
    ]);
  });
});

describe('a failed build publishes nothing', () => {
  async function expectUnchanged(
    wh: string,
    run: () => Promise<BuildFailedError>,
  ): Promise<BuildFailedError> {
    const before = await fs.readFile(join(wh, 'current.duckdb'));
    const files = new Set([...(await fs.readdir(wh)), 'run_results.json']);
    const error = await run();
    expect((await fs.readFile(join(wh, 'current.duckdb'))).equals(before)).toBe(true);
    expect((await fs.readdir(wh)).sort()).toEqual([...files].sort()); // no next-*.duckdb, no job.lock
    const results = JSON.parse(await fs.readFile(join(wh, 'run_results.json'), 'utf8')) as RunResults;
    expect(results.success).toBe(false);
    expect(results.results).toEqual(JSON.parse(JSON.stringify(error.report.results)));
    return error;
  }

  it('a failing model: downstream skipped, the error and where to look in the message', async () => {
    const wh = await warehouse();
    await build({ projectDir: MINI, warehouseDir: wh });
    const broken = await project({
      'staging/stg_customers.sql': "select no_such_column from {{ source('erp', 'customers') }}",
    });
    const error = await expectUnchanged(wh, () => failedBuild({ projectDir: broken, warehouseDir: wh }));
    expect(error.message).toContain('model stg_customers (staging/stg_customers.sql): Binder Error');
    expect(error.message).toContain('no_such_column');
    expect(error.message).toContain(
      `Nothing was published: the warehouse is as it was. Every node's result: ${wh}/run_results.json`,
    );
    const statuses = statusOf(error.report);
    expect(statuses['stg_customers']).toBe('error');
    expect(statuses['unique_stg_customers_customer_id']).toBe('skipped');
    expect(statuses['customer_balances']).toBe('skipped');
    expect(statuses['region_totals']).toBe('skipped');
    expect(statuses['stg_invoices']).toBe('success'); // another branch still runs
    expect(statuses['fct_invoices']).toBe('skipped'); // behind the relationships test to stg_customers
    expect(error.report.results.find((r) => r.name === 'region_totals')?.message).toBe(
      'skipped: upstream model customer_balances did not succeed',
    );
    // The failed run's log is not in the published warehouse.
    expect(await published(wh, 'SELECT count(DISTINCT run_id) AS n FROM meta.model_runs')).toEqual([
      { n: '1' },
    ]);
  });

  it('a failing data test of severity error: its model’s children skipped, the build fails', async () => {
    const wh = await warehouse();
    await writeWarehouse(wh, "INSERT INTO raw.customers VALUES ('C4', 'Dorado', 'mars')");
    const error = await expectUnchanged(wh, () => failedBuild({ projectDir: MINI, warehouseDir: wh }));
    const statuses = statusOf(error.report);
    expect(error.report.results.find((r) => r.status === 'error')).toMatchObject({
      name: 'accepted_values_stg_customers_region__EMEA__APAC__LATAM',
      failures: 1,
      message: '1 failing row(s) (severity error)',
    });
    expect(statuses['stg_customers']).toBe('success');
    expect(statuses['customer_balances']).toBe('skipped');
    expect(statuses['region_totals']).toBe('skipped');
    expect(statuses['fct_invoices']).toBe('success');
    expect(statuses['accepted_values_stg_invoices_status__open__paid']).toBe('warn');
  });

  it('a failing unit test: a readable diff, and its model is not built', async () => {
    const wh = await warehouse();
    const dir = await project({
      'marts/_more.yml': `unit_tests:
  - name: balances_wrong_on_purpose
    model: customer_balances
    given:
      - input: ref('stg_customers')
        rows: [{ customer_id: C1, region: EMEA }]
      - input: ref('open_invoices')
        rows: [{ invoice_id: I1, customer_id: C1, invoice_amount: 10.5 }]
    expect:
      rows: [{ customer_id: C1, open_amount: 99 }]
`,
    });
    const error = await expectUnchanged(wh, () => failedBuild({ projectDir: dir, warehouseDir: wh }));
    const failed = error.report.results.find((r) => r.name === 'balances_wrong_on_purpose');
    expect(failed).toMatchObject({
      kind: 'unit_test',
      status: 'error',
      failures: 2,
      path: 'marts/_more.yml',
    });
    expect(failed?.message).toBe(
      [
        'actual differs from expected (- expected, not returned; + returned, not expected):',
        '    | customer_id | open_amount',
        '  - | C1          | 99.00',
        '  + | C1          | 10.50',
      ].join('\n'),
    );
    expect(failed?.compiledSql).toContain('"__dbt__unit__stg_customers" as (');
    expect(statusOf(error.report)['customer_balances']).toBe('skipped');
  });

  it('a unit test naming a column the model does not return, or rows naming different columns', async () => {
    const wh = await warehouse();
    const dir = await project({
      'marts/_more.yml': `unit_tests:
  - name: balances_bad_column
    model: customer_balances
    given: []
    expect:
      rows: [{ customer_id: C1, balance: 1 }]
  - name: balances_ragged_rows
    model: customer_balances
    given: []
    expect:
      rows: [{ customer_id: C1 }, { customer_id: C2, open_amount: 0 }]
`,
    });
    const error = await failedBuild({ projectDir: dir, warehouseDir: wh });
    expect(error.report.results.find((r) => r.name === 'balances_bad_column')?.message).toBe(
      'expect names balance, which customer_balances does not return (it returns customer_id, region, open_amount, open_invoices)',
    );
    expect(error.report.results.find((r) => r.name === 'balances_ragged_rows')?.message).toBe(
      'every expected row must name the same columns: row 1 names customer_id, row 2 names customer_id, open_amount',
    );
  });

  it('the warehouse stays as it was when the connection is left half-built (no generation published)', async () => {
    const wh = await warehouse();
    const before = await fs.readFile(join(wh, 'current.duckdb'));
    const dir = await project({ 'marts/finance/region_totals.sql': 'select * from nowhere' });
    await failedBuild({ projectDir: dir, warehouseDir: wh });
    expect((await fs.readFile(join(wh, 'current.duckdb'))).equals(before)).toBe(true);
    const tables = await published(
      wh,
      "SELECT table_name FROM information_schema.tables WHERE table_schema <> 'raw'",
    );
    expect(tables).toEqual([]);
    await withNextGeneration(wh, 'check', async (conn) => {
      expect(await queryRows(conn, 'SELECT count(*) AS n FROM raw.invoices')).toEqual([{ n: '4' }]);
    });
  });
});
