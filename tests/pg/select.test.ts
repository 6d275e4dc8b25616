/**
 * `build --select` / `--exclude` on PostgreSQL (models/runner/pg-build.ts): only the selected nodes run
 * (into the `__next` schemas, published by the swap); everything else in the model schemas is carried
 * over as it was published — unselected model tables copied, unselected model views created again on
 * the build's relations, tables and views that are no model of the project kept too. After each
 * selected build every relation equals DuckDB's after the same selection in place; the published views
 * read the published schemas; no build schema is left; a failing selected node publishes nothing.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildFailedError, buildInConnection, type BuildReport } from '../../models/runner/index.ts';
import { buildOnPostgres, type PgBuildReport } from '../../models/runner/pg-build.ts';
import { parseProject, type Project } from '../../models/runner/project.ts';
import { WarehouseBusyError, withPgJob } from '../../warehouse/pg-publish.ts';
import { DuckDbSession, PgSession } from '../../warehouse/session.ts';
import { PG_URL, pgDatabase } from './database.ts';
import { compareRelation, isEqual, pgTextQuery } from './marts-equal.ts';
import { contents, NEXT_DAY, PROJECT, RAW, writeTwinProject } from './twin.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** The twin project and two more marts: a view on a table, and a table on that view. */
const FILES: Record<string, string> = {
  ...PROJECT,
  'models/marts/rpt_region.sql': `
{{ config(materialized='view') }}
select region, count(*) as customers, sum(total_amount) as total_amount
from {{ ref('dim_customers') }}
group by region`,
  'models/marts/agg_region.sql': `
select region, customers, total_amount from {{ ref('rpt_region') }}`,
};

const RELATIONS = [
  'staging.stg_customers',
  'staging.stg_invoices',
  'marts.dim_customers',
  'marts.fct_invoices',
  'marts.rpt_region',
  'marts.agg_region',
] as const;
type Relation = (typeof RELATIONS)[number];

const quoted = (relation: string) =>
  relation
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');

const modelsOf = (r: BuildReport) =>
  r.results
    .filter((x) => x.kind === 'model')
    .map((x) => x.name)
    .sort();

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('build --select and --exclude on PostgreSQL', () => {
  const db = pgDatabase();
  let projectDir: string;
  let project: Project;
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let duck: DuckDbSession;
  let pgs: PgSession;
  let client: pg.Client;

  /** The same SQL on both engines (raw data). */
  async function both(sqls: readonly string[]) {
    for (const sql of sqls) {
      await duck.run(sql);
      await pgs.run(sql);
    }
  }

  /** The same selection on both engines: PostgreSQL's swap build, DuckDB's build in place. */
  async function buildBoth(sel: { select?: string[]; exclude?: string[] }): Promise<PgBuildReport> {
    const report = await buildOnPostgres({ projectDir, url: db.url, ...sel });
    await buildInConnection(conn, project, sel);
    return report;
  }

  async function snapshot(): Promise<Record<Relation, unknown>> {
    const out = {} as Record<Relation, unknown>;
    for (const r of RELATIONS) out[r] = await contents(pgs, quoted(r));
    return out;
  }

  async function expectEnginesEqual() {
    for (const r of RELATIONS) {
      const diff = await compareRelation(conn, pgTextQuery(client), r);
      expect(isEqual(diff), `${r}: ${JSON.stringify(diff)}`).toBe(true);
      expect(diff.postgresRows, r).toBeGreaterThan(0);
    }
  }

  /** No build or old schema left; every published view reads published schemas only. */
  async function expectClean() {
    const names = (await pgs.rows('SELECT nspname FROM pg_namespace ORDER BY 1')).map((r) =>
      String(r['nspname']),
    );
    expect(names.filter((n) => n.includes('__next') || n.includes('__old_'))).toEqual([]);
    const views = await pgs.rows(
      `SELECT schemaname || '.' || viewname AS v, definition FROM pg_views
        WHERE schemaname IN ('marts', 'staging') ORDER BY 1`,
    );
    expect(views.map((v) => v['v'])).toEqual([
      'marts.rpt_region',
      'marts.v_notes',
      'staging.stg_customers',
      'staging.stg_invoices',
    ]);
    for (const v of views) {
      expect(String(v['definition']), String(v['v'])).not.toMatch(/__next|__old_/);
    }
    // What the views read, by dependency (not by text): relations in published schemas only.
    const reads = await pgs.rows(
      `SELECT DISTINCT rn.nspname AS schema
         FROM pg_depend AS d
         JOIN pg_rewrite AS w ON w.oid = d.objid
         JOIN pg_class AS v ON v.oid = w.ev_class
         JOIN pg_namespace AS vn ON vn.oid = v.relnamespace
         JOIN pg_class AS r ON r.oid = d.refobjid AND r.oid <> v.oid
         JOIN pg_namespace AS rn ON rn.oid = r.relnamespace
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND vn.nspname IN ('marts', 'staging')
        ORDER BY 1`,
    );
    expect(reads.map((r) => r['schema'])).toEqual(['marts', 'raw']);
  }

  const notes = async () => pgs.rows('SELECT customer_id, note FROM marts.notes ORDER BY 1');
  const vNotes = async () =>
    pgs.rows('SELECT customer_name, note, invoice_count FROM marts.v_notes ORDER BY 1');

  beforeAll(async () => {
    projectDir = await writeTwinProject(FILES);
    project = await parseProject(projectDir);
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    duck = new DuckDbSession(conn);
    pgs = await PgSession.connect(db.url, { applicationName: 'arlens select test' });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await both(RAW);
    await buildBoth({});
    // Not models of the project, made by hand in a model schema.
    await pgs.run('CREATE TABLE marts.notes (customer_id VARCHAR PRIMARY KEY, note TEXT NOT NULL)');
    await pgs.run(`INSERT INTO marts.notes VALUES ('C1', 'call first'), ('C2', 'pays late')`);
    await pgs.run(
      `CREATE VIEW marts.v_notes AS
         SELECT d.customer_name, n.note, d.invoice_count
           FROM marts.notes AS n JOIN marts.dim_customers AS d ON d.customer_id = n.customer_id`,
    );
    await pgs.run('CREATE MATERIALIZED VIEW marts.mv_count AS SELECT count(*) AS n FROM marts.notes');
    // A serial, an identity and a generated column; and a sequence of its own.
    await pgs.run(
      `CREATE TABLE marts.ledger (id SERIAL PRIMARY KEY, n INT NOT NULL,
         seq_no INT GENERATED ALWAYS AS IDENTITY, doubled INT GENERATED ALWAYS AS (n * 2) STORED)`,
    );
    await pgs.run('INSERT INTO marts.ledger (n) VALUES (10), (20)');
    await pgs.run('CREATE SEQUENCE marts.ticket_seq');
  }, 120_000);
  afterAll(async () => {
    await client?.end();
    await pgs?.close();
    conn?.closeSync();
    instance?.closeSync();
    if (projectDir) await fs.rm(projectDir, { recursive: true, force: true });
  });

  it('--select one mart: it alone is rebuilt, the rest carried over unchanged, equal to DuckDB', async () => {
    await expectEnginesEqual();
    const before = await snapshot();
    const notesBefore = await notes();
    await both(NEXT_DAY);
    const published: string[] = [];
    const events: string[] = [];
    const report = await buildOnPostgres({
      projectDir,
      url: db.url,
      select: ['dim_customers'],
      onEvent: (e) => events.push(e.kind === 'node-done' ? e.result.name : e.kind),
      onPublish: async (s) => {
        // The hook sees the carried relations under their published names, in the publish transaction.
        const [row] = await s.rows('SELECT count(*)::int AS n FROM marts.fct_invoices');
        published.push(`fct_invoices ${String(row?.['n'])}`);
      },
    });
    await buildInConnection(conn, project, { select: ['dim_customers'] });
    expect(modelsOf(report)).toEqual(['dim_customers']);
    // Its data test and unit test ran too; nothing of the models left out was reported.
    expect(report.results.map((r) => r.kind).sort()).toEqual(['model', 'test', 'unit_test']);
    expect(events.at(-1)).toBe('publishing');
    expect(events).not.toContain('fct_invoices');
    expect(published).toEqual(['fct_invoices 4']);
    const after = await snapshot();
    expect(after['marts.dim_customers']).not.toEqual(before['marts.dim_customers']);
    // The view on the rebuilt table reads the new rows; the tables left out are as they were.
    expect(after['marts.rpt_region']).not.toEqual(before['marts.rpt_region']);
    expect(after['marts.fct_invoices']).toEqual(before['marts.fct_invoices']);
    expect(after['marts.agg_region']).toEqual(before['marts.agg_region']);
    await expectEnginesEqual();
    await expectClean();
    // What is no model: the table carried with its rows, the view made again on the new relations.
    expect(report.carried).toEqual(['marts.notes', 'marts.ledger', 'marts.v_notes']);
    expect(await notes()).toEqual(notesBefore);
    // Its sequences continue where they were, in the published schema.
    await pgs.run('INSERT INTO marts.ledger (n) VALUES (30)');
    expect(await pgs.rows('SELECT id, n, seq_no, doubled FROM marts.ledger ORDER BY id')).toEqual([
      { id: 1, n: 10, seq_no: 1, doubled: 20 },
      { id: 2, n: 20, seq_no: 2, doubled: 40 },
      { id: 3, n: 30, seq_no: 3, doubled: 60 },
    ]);
    expect(
      await pgs.rows(
        `SELECT pg_get_serial_sequence('marts.ledger', 'id') AS serial, pg_get_serial_sequence('marts.ledger', 'seq_no') AS ident`,
      ),
    ).toEqual([{ serial: 'marts.ledger_id_seq', ident: 'marts.ledger_seq_no_seq' }]);
    expect(await vNotes()).toEqual([
      { customer_name: 'Acme', note: 'call first', invoice_count: '2' },
      { customer_name: 'Bento', note: 'pays late', invoice_count: '2' },
    ]);
    // The copies keep their indexes (the unique_key's, the primary key).
    const idx = await pgs.rows(
      `SELECT tablename, count(*)::int AS n FROM pg_indexes WHERE schemaname = 'marts' GROUP BY 1 ORDER BY 1`,
    );
    expect(idx).toEqual([
      { tablename: 'fct_invoices', n: 1 },
      { tablename: 'ledger', n: 1 },
      { tablename: 'notes', n: 1 },
    ]);
    expect(report.warnings).toEqual([
      'marts.mv_count (a materialized view) is no model of the project and cannot be carried over: it went with the old schema.',
      'marts.ticket_seq (a sequence) is no model of the project and cannot be carried over: it went with the old schema.',
    ]);
    expect(await pgs.rows(`SELECT to_regclass('marts.mv_count') IS NULL AS gone`)).toEqual([{ gone: true }]);
    // The run log holds the selected nodes of this run, in its publish transaction.
    const logged = await pgs.rows('SELECT node_id FROM meta.model_runs WHERE run_id = $1 ORDER BY 1', [
      report.runId,
    ]);
    expect(logged.map((r) => r['node_id'])).toEqual(report.results.map((r) => r.nodeId).sort());
  });

  it('+agg_region (with its ancestors): the chain is rebuilt, the incremental fact carried over', async () => {
    const before = await snapshot();
    await both([
      `INSERT INTO raw.customers VALUES ('C4', 'Dora', 'emea')`,
      `INSERT INTO raw.invoices VALUES ('I7', 'C4', 70.00, DATE '2025-01-05', DATE '2025-02-04', TIMESTAMP '2025-01-05 09:00:00')`,
    ]);
    const report = await buildBoth({ select: ['+agg_region'] });
    expect(modelsOf(report)).toEqual([
      'agg_region',
      'dim_customers',
      'rpt_region',
      'stg_customers',
      'stg_invoices',
    ]);
    const after = await snapshot();
    expect(after['marts.agg_region']).not.toEqual(before['marts.agg_region']);
    expect(after['marts.dim_customers']).not.toEqual(before['marts.dim_customers']);
    expect(after['marts.fct_invoices']).toEqual(before['marts.fct_invoices']);
    await expectEnginesEqual();
    await expectClean();
  });

  it('fct_invoices+ (with its descendants): the incremental merges the new rows, the rest is carried', async () => {
    const before = await snapshot();
    await both([
      `INSERT INTO raw.invoices VALUES ('I8', 'C1', 8.00, DATE '2025-01-06', DATE '2025-02-05', TIMESTAMP '2025-01-06 09:00:00')`,
    ]);
    const report = await buildBoth({ select: ['fct_invoices+'] });
    expect(modelsOf(report)).toEqual(['fct_invoices']);
    // Seeded from the published table, only the rows since its last build are merged: I2, I5, I7, I8.
    expect(report.results.find((r) => r.name === 'fct_invoices')?.message).toBe(
      'incremental, 4 rows merged (1 old rows replaced)',
    );
    expect(report.results.some((r) => r.name === 'assert_no_negative_invoices')).toBe(true);
    const after = await snapshot();
    expect(after['marts.fct_invoices']).not.toEqual(before['marts.fct_invoices']);
    expect(after['marts.dim_customers']).toEqual(before['marts.dim_customers']);
    expect(after['marts.agg_region']).toEqual(before['marts.agg_region']);
    await expectEnginesEqual();
    await expectClean();
  });

  it('a selected model reading a view left out reads it on the rebuilt relations', async () => {
    const before = await snapshot();
    await both([`INSERT INTO raw.customers VALUES ('C6', 'Fay', 'apac')`]);
    // agg_region reads rpt_region (carried: created again after dim_customers, on the new table).
    const report = await buildBoth({ select: ['dim_customers', 'agg_region'] });
    expect(modelsOf(report)).toEqual(['agg_region', 'dim_customers']);
    const after = await snapshot();
    expect(after['marts.agg_region']).not.toEqual(before['marts.agg_region']);
    expect(after['marts.agg_region']).toEqual(after['marts.rpt_region']);
    expect(after['marts.fct_invoices']).toEqual(before['marts.fct_invoices']);
    await expectEnginesEqual();
    await expectClean();
  });

  it('--exclude: everything but the excluded models is rebuilt; those are carried over', async () => {
    const before = await snapshot();
    await both([
      `INSERT INTO raw.invoices VALUES ('I9', 'C2', 9.00, DATE '2025-01-07', DATE '2025-02-06', TIMESTAMP '2025-01-07 09:00:00')`,
    ]);
    const report = await buildBoth({ exclude: ['fct_invoices', 'agg_region'] });
    expect(modelsOf(report)).toEqual(['dim_customers', 'rpt_region', 'stg_customers', 'stg_invoices']);
    const after = await snapshot();
    expect(after['marts.dim_customers']).not.toEqual(before['marts.dim_customers']);
    expect(after['marts.fct_invoices']).toEqual(before['marts.fct_invoices']);
    expect(after['marts.agg_region']).toEqual(before['marts.agg_region']);
    await expectEnginesEqual();
    await expectClean();
  });

  it('a failing selected node, or a model that cannot be carried over, publishes nothing', async () => {
    const before = await snapshot();
    const notesBefore = await notes();
    const runs = await pgs.rows('SELECT count(*) AS n FROM meta.model_runs');
    await pgs.run(`INSERT INTO raw.customers VALUES ('C5', 'Eve', 'apac')`);
    const failing = await writeTwinProject({
      ...FILES,
      'models/marts/dim_customers.sql': FILES['models/marts/dim_customers.sql']!.replace(
        'c.customer_id,',
        'c.customer_id, 1 / (length(min(c.customer_id)) - 3) as boom,',
      ),
    });
    const uncarriable = await writeTwinProject({
      ...FILES,
      'models/marts/rpt_region.sql': 'select no_such_column from {{ ref("dim_customers") }}',
    });
    try {
      const err = await buildOnPostgres({
        projectDir: failing,
        url: db.url,
        select: ['dim_customers+'],
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BuildFailedError);
      expect((err as Error).message).toMatch(/Nothing was published/);
      const carry = await buildOnPostgres({
        projectDir: uncarriable,
        url: db.url,
        select: ['dim_customers'],
      }).catch((e: unknown) => e);
      expect(carry).toBeInstanceOf(BuildFailedError);
      expect((carry as Error).message).toMatch(
        /model rpt_region .*not selected, and carrying its published relation \S*rpt_region\S* into the build failed: .*no_such_column.*Select it too, or run the full build/s,
      );
      expect((carry as BuildFailedError).report.success).toBe(false);
    } finally {
      await fs.rm(failing, { recursive: true, force: true });
      await fs.rm(uncarriable, { recursive: true, force: true });
    }
    await pgs.run(`DELETE FROM raw.customers WHERE customer_id = 'C5'`);
    expect(await snapshot()).toEqual(before);
    expect(await notes()).toEqual(notesBefore);
    expect(await pgs.rows('SELECT count(*) AS n FROM meta.model_runs')).toEqual(runs);
    await expectClean();
  });

  it('a selector that matches nothing fails before the job; a selected build waits its turn like any job', async () => {
    await expect(buildOnPostgres({ projectDir, url: db.url, select: ['no_such_model'] })).rejects.toThrow(
      /No node matches the selector 'no_such_model'/,
    );
    const err = await withPgJob(db.url, 'ingest', 'run-7', async () =>
      buildOnPostgres({ projectDir, url: db.url, select: ['dim_customers'] }).catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(WarehouseBusyError);
    expect((err as Error).message).toContain('arlens ingest run-7');
    await expectClean();
  });

  it('`arlens -c <config> build --select` from the command line', async () => {
    const dir = await fs.mkdtemp(join(projectDir, '..', 'arlens-select-cli-'));
    try {
      const cfg = join(dir, 'arlens.config.yaml');
      await fs.writeFile(cfg, `warehouse: { engine: postgres, dir: ${join(dir, 'wh')} }\n`);
      const before = await snapshot();
      await both([
        `INSERT INTO raw.invoices VALUES ('I10', 'C2', 10.00, DATE '2025-01-08', DATE '2025-02-07', TIMESTAMP '2025-01-08 09:00:00')`,
      ]);
      const built = await run(
        process.execPath,
        [
          join(ROOT, 'bin', 'arlens.js'),
          '-c',
          cfg,
          'build',
          '--project',
          projectDir,
          '--select',
          'fct_invoices+',
        ],
        { env: { ...process.env, ARLENS_PG_URL: db.url }, cwd: dir, maxBuffer: 1 << 24 },
      );
      expect(built.stdout).toMatch(/Published run/);
      expect(built.stderr).toMatch(
        /carried over unchanged \(no models of the project\): marts\.notes, marts\.ledger, marts\.v_notes/,
      );
      await buildInConnection(conn, project, { select: ['fct_invoices+'] });
      const after = await snapshot();
      expect(after['marts.fct_invoices']).not.toEqual(before['marts.fct_invoices']);
      expect(after['marts.dim_customers']).toEqual(before['marts.dim_customers']);
      await expectEnginesEqual();
      await expectClean();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a hand-made view that no longer works on the rebuilt relations is left out with a warning; the rest publishes', async () => {
    await pgs.run('CREATE VIEW marts.v_agg AS SELECT region, customers FROM marts.agg_region');
    const renamed = await writeTwinProject({
      ...FILES,
      'models/marts/agg_region.sql':
        'select region, customers as customer_count, total_amount from {{ ref("rpt_region") }}',
    });
    try {
      const report = await buildOnPostgres({ projectDir: renamed, url: db.url, select: ['agg_region'] });
      await buildInConnection(conn, await parseProject(renamed), { select: ['agg_region'] });
      expect(report.success).toBe(true);
      expect(report.carried).toEqual(['marts.notes', 'marts.ledger', 'marts.v_notes']);
      const warned = report.warnings.filter((w) => w.includes('v_agg'));
      expect(warned).toHaveLength(1);
      expect(warned[0]).toMatch(
        /^marts\.v_agg \(a view that is no model of the project\) could not be created again on the new relations: .*customers.* It went with the old schema\.$/,
      );
      expect(await pgs.rows(`SELECT to_regclass('marts.v_agg') IS NULL AS gone`)).toEqual([{ gone: true }]);
      expect((await contents(pgs, quoted('marts.agg_region'))).columns).toEqual([
        'region',
        'customer_count',
        'total_amount',
      ]);
      await expectEnginesEqual();
      await expectClean();
    } finally {
      await fs.rm(renamed, { recursive: true, force: true });
    }
  });

  it('a full build replaces the model schemas whole: what no model builds goes, each named in a warning', async () => {
    const report = await buildOnPostgres({ projectDir, url: db.url });
    await buildInConnection(conn, project);
    expect(report.carried).toEqual([]);
    expect(report.warnings.map((w) => w.split(' ')[0])).toEqual([
      'marts.notes',
      'marts.ledger',
      'marts.v_notes',
    ]);
    expect(report.warnings[0]).toBe(
      'marts.notes is no model of the project: a full build replaces the schema marts whole, and it went with the old one (a selected build carries it over).',
    );
    expect(await pgs.rows(`SELECT to_regclass('marts.notes') IS NULL AS gone`)).toEqual([{ gone: true }]);
    await expectEnginesEqual();
  });
});
