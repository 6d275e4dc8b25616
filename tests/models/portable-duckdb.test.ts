/**
 * The ground rule of the portable models (docs/plans/postgres-engine.md §0, §15): on DuckDB they
 * mean what they meant before the engine-specific SQL moved behind adapter.dispatch.
 *
 * tests/fixtures/compiled-duckdb-main/ holds every model compiled for DuckDB at main f68bc21, before
 * the change. Every model renders the same SQL today (whitespace aside), except the few rewritten to
 * SQL both engines accept (explicit GROUP BY lists, quoted intervals, a subquery alias, explicit
 * UNION columns instead of EXCLUDE and UNION BY NAME, ON instead of an ambiguous USING): for those,
 * the old SQL runs against a demo warehouse built by today's models and must return exactly the
 * rows of today's relation.
 *
 * A later deliberate change to a model fails the SQL check here: prove it like any model change, then
 * rewrite the baseline with `npx tsx tests/models/compiled-baseline.ts` and empty REWRITTEN.
 */
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cubeSqlFunctions } from '../../cube/sql-functions.ts';
import { compile, type CompiledProject } from '../../models/runner/compile.ts';
import type { ModelNode } from '../../models/runner/project.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { published, ROOT, tempDir } from '../helpers.ts';
import { BASELINE_DIR } from './compiled-baseline.ts';

const BASELINE = new Map(
  readdirSync(BASELINE_DIR)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => [f.slice(0, -'.sql'.length), readFileSync(join(BASELINE_DIR, f), 'utf8')]),
);

/** Models whose DuckDB SQL changed on purpose, to SQL that PostgreSQL accepts too. */
const REWRITTEN = [
  'dim_dates',
  'fct_ar_snapshots',
  'fct_collection_activities',
  'fct_invoices',
  'fct_open_items',
  'int_ar_monthly_components',
  'int_as_of',
  // The rate widened to DECIMAL(38, 8) (tests/models/large-amounts.test.ts): the same rows.
  'int_fx_rates',
  'mart_ar_aging_monthly',
  'mart_ar_kpis_monthly',
];

const normalise = (sql: string) => sql.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();

let compiled: CompiledProject;
const sqlOf = (name: string) => compiled.nodes.find((n) => n.kind === 'model' && n.name === name)?.sql ?? '';

beforeAll(async () => {
  compiled = await compile(join(ROOT, 'models'));
});

describe('portable models on DuckDB: compiled SQL', () => {
  it('has a baseline for every model, and no baseline for a model that is gone', () => {
    const models = compiled.nodes.filter((n) => n.kind === 'model').map((n) => n.name);
    expect([...BASELINE.keys()].sort()).toEqual([...models].sort());
  });

  it('renders the SQL of main for every model that was not rewritten', () => {
    const changed = [...BASELINE]
      .filter(([name, sql]) => normalise(sqlOf(name)) !== normalise(sql))
      .map(([name]) => name)
      .sort();
    expect(changed).toEqual(REWRITTEN);
  });

  it('renders through adapter.dispatch: no engine-specific construct left in the DuckDB text of a shared model', () => {
    // The dispatched DuckDB forms still appear (that is the point) ...
    expect(sqlOf('dim_dates')).toContain("strftime(date_day, '%Y-%m')");
    expect(sqlOf('fct_ar_snapshots')).toContain('asof inner join numbered_dates');
    // ... and the rewritten constructs are gone from every model.
    for (const node of compiled.nodes.filter((n) => n.kind === 'model')) {
      expect(node.sql, node.name).not.toMatch(/group by all|union all by name|\* exclude|interval \d/i);
    }
  });
});

/** The KPI macros Cube's DuckDB got at main (cube/sql-functions.ts), from the same kpis.sql. */
const CUBE_KPI_MACROS_MAIN = [
  'CREATE OR REPLACE MACRO kpi_dso(ending_ar, credit_sales, days) AS (ending_ar) / nullif(credit_sales, 0) * (days)',
  'CREATE OR REPLACE MACRO kpi_best_possible_dso(current_ar, credit_sales, days) AS (current_ar) / nullif(credit_sales, 0) * (days)',
  'CREATE OR REPLACE MACRO kpi_cei(beginning_ar, credit_sales, ending_ar, ending_current_ar) AS 100.0 * ((beginning_ar) + (credit_sales) - (ending_ar))\n        / nullif((beginning_ar) + (credit_sales) - (ending_current_ar), 0)',
  'CREATE OR REPLACE MACRO kpi_bad_debt_rate(write_offs, credit_sales) AS (write_offs) / nullif(credit_sales, 0)',
  'CREATE OR REPLACE MACRO kpi_safe_ratio(numerator, denominator) AS (numerator) / nullif(denominator, 0)',
];

describe("Cube's KPI macros on DuckDB", () => {
  it("are the text of main, now rendered through the runner's Jinja and kpi_div", () => {
    const now = cubeSqlFunctions().filter((s) => s.startsWith('CREATE OR REPLACE MACRO kpi_'));
    expect(now.map(normalise)).toEqual(CUBE_KPI_MACROS_MAIN.map(normalise));
  });
});

describe('portable models on DuckDB: the rewritten models return the rows of main', () => {
  let root: string;
  let wh: string;

  beforeAll(async () => {
    root = await tempDir('arlens-portable-');
    wh = await demoWarehouse(root, 1500);
  }, 120_000);

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it.each(REWRITTEN)('%s', async (name) => {
    const model = [...compiled.project.nodes.values()].find(
      (n): n is ModelNode => n.kind === 'model' && n.name === name,
    );
    if (!model) throw new Error(`no model ${name}`);
    const old = BASELINE.get(name) ?? '';
    const [counts] = await published(
      wh,
      `WITH old AS (${old}), now AS (SELECT * FROM ${model.relation})
       SELECT (SELECT count(*) FROM old) AS old_rows, (SELECT count(*) FROM now) AS now_rows,
              (SELECT count(*) FROM (SELECT * FROM old EXCEPT ALL SELECT * FROM now)) AS only_old,
              (SELECT count(*) FROM (SELECT * FROM now EXCEPT ALL SELECT * FROM old)) AS only_now`,
    );
    expect(counts).toMatchObject({ only_old: '0', only_now: '0' });
    expect(counts?.['old_rows']).toBe(counts?.['now_rows']);
    expect(Number(counts?.['now_rows'])).toBeGreaterThan(0);
  });
});
