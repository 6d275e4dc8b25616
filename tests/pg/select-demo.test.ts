/**
 * `build --select` / `--exclude` on the demo through the real entry points (runIngest, runBuild) on
 * DuckDB and PostgreSQL: after new raw rows, only the selected marts change; every other table keeps
 * its rows (carried over on PostgreSQL, untouched on DuckDB); all 36 relations stay equal between the
 * engines; the staging and intermediate views (carried over, made again on the build schemas) read
 * the published schemas and work; BI row-level security is on the carried tables as after a full
 * build.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chosenAsOf, LATEST, runBuild } from '../../cli/commands/build.ts';
import { runIngest } from '../../cli/commands/ingest.ts';
import { loadConfig, type Config } from '../../cli/config.ts';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { selectNodes } from '../../models/runner/graph.ts';
import { parseProject } from '../../models/runner/project.ts';
import { withPublished } from '../../warehouse/store.ts';
import { PG_URL, pgDatabase } from './database.ts';
import { compareRelation, pgTextQuery, type PgQuery } from './marts-equal.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const HEADER =
  'customer_id,customer_name,region,country,segment,industry,salesperson,credit_controller,credit_limit,payment_terms_days,currency,status';

/** Load ids carry each run's own id: the same unit of the same files differs only in it. */
const sameRun = (line: string) => line.replace(/\d{8}T\d{9}Z-\d{7}/g, 'RUN');

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('build --select on the demo, DuckDB and PostgreSQL', () => {
  const db = pgDatabase();
  let root: string;
  let pgConfigFile: string;
  let duckConfig: Config;
  let pgConfig: Config;
  let client: pg.Client;
  let q: PgQuery;

  /** A new customer on both engines, through the ingest. */
  async function newCustomer(id: string, name: string) {
    const dir = join(root, `extra-${id}`);
    await fs.mkdir(dir);
    await fs.writeFile(
      join(dir, 'customers_more.csv'),
      `${HEADER}\n${id},${name},EMEA,DE,SMB,Retail,Javier Ortega,Lucía Fernández,5000.00,30,EUR,active\n`,
    );
    for (const c of [duckConfig, pgConfig]) await runIngest(c, [{ path: dir, profile: 'canonical' }], false);
  }

  async function buildBoth(sel: { select?: string[]; exclude?: string[] }) {
    for (const c of [duckConfig, pgConfig])
      await runBuild(c, { asOf: chosenAsOf(c, undefined, LATEST), ...sel });
  }

  /** The model tables (`schema.name`) the selection rebuilds. */
  async function selectedTables(sel: { select?: string[]; exclude?: string[] }): Promise<Set<string>> {
    const project = await parseProject(join(ROOT, 'models'));
    const ids = selectNodes(project.nodes, sel.select, sel.exclude);
    return new Set(
      [...project.nodes.values()].flatMap((n) =>
        n.kind === 'model' && ids.has(n.id) && n.materialized !== 'view' ? [`${n.schema}.${n.name}`] : [],
      ),
    );
  }

  /** A checksum of the rows of every table in the model schemas on PostgreSQL. */
  async function tableChecksums(): Promise<Map<string, string>> {
    const tables = await q(
      `SELECT schemaname || '.' || tablename FROM pg_tables
        WHERE schemaname IN ('staging', 'intermediate', 'marts') ORDER BY 1`,
    );
    const out = new Map<string, string>();
    for (const [t] of tables) {
      const [schema, name] = String(t).split('.');
      const [[sum] = []] = await q(
        `SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM "${schema}"."${name}" AS r`,
      );
      out.set(String(t), String(sum));
    }
    return out;
  }

  async function expectEnginesEqual() {
    await withPublished(duckConfig.warehouse, async (conn) => {
      const relations = (
        (
          await conn.runAndReadAll(
            `SELECT table_schema || '.' || table_name FROM information_schema.tables
              WHERE table_schema IN ('staging', 'intermediate', 'marts') ORDER BY 1`,
          )
        ).getRows() as string[][]
      ).map(([r]) => String(r));
      expect(relations).toHaveLength(36);
      const unequal: string[] = [];
      for (const r of relations) {
        const diff = await compareRelation(conn, q, r);
        const duck = diff.onlyDuckdb.map(sameRun).sort();
        const post = diff.onlyPostgres.map(sameRun).sort();
        if (diff.columnMismatch !== null || JSON.stringify(duck) !== JSON.stringify(post)) {
          unequal.push(
            `${r}: ${diff.columnMismatch ?? ''} ${JSON.stringify([duck.slice(0, 2), post.slice(0, 2)])}`,
          );
        }
      }
      expect(unequal).toEqual([]);
    });
  }

  /** No build schema left; every view works and reads published schemas only; BI policies in place. */
  async function expectPublishedClean() {
    expect(await q(`SELECT nspname FROM pg_namespace WHERE nspname ~ '__(next|old_)'`)).toEqual([]);
    const views = await q(
      `SELECT schemaname || '.' || viewname, definition FROM pg_views
        WHERE schemaname IN ('staging', 'intermediate', 'marts') ORDER BY 1`,
    );
    expect(views.length).toBeGreaterThan(10);
    for (const [v, definition] of views) {
      expect(String(definition), String(v)).not.toMatch(/__next|__old_/);
      const [schema, name] = String(v).split('.');
      await q(`SELECT count(*) FROM "${schema}"."${name}"`);
    }
    const reads = await q(
      `SELECT DISTINCT rn.nspname
         FROM pg_depend AS d
         JOIN pg_rewrite AS w ON w.oid = d.objid
         JOIN pg_class AS v ON v.oid = w.ev_class
         JOIN pg_namespace AS vn ON vn.oid = v.relnamespace
         JOIN pg_class AS r ON r.oid = d.refobjid AND r.oid <> v.oid
         JOIN pg_namespace AS rn ON rn.oid = r.relnamespace
        WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
          AND vn.nspname IN ('staging', 'intermediate', 'marts')`,
    );
    for (const [schema] of reads) expect(String(schema)).not.toMatch(/__next|__old_/);
    const [[policies, rls] = []] = await q(
      `SELECT (SELECT count(*) FROM pg_policies WHERE schemaname = 'marts' AND tablename = 'fct_invoices'),
              (SELECT relrowsecurity::text FROM pg_class WHERE oid = 'marts.fct_invoices'::regclass)`,
    );
    expect([policies, rls]).toEqual(['5', 'true']);
  }

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'arlens-select-demo-'));
    const demo = join(root, 'demo');
    await generateDemo({ seed: 11, invoices: 600, asOf: '2026-06-30', outDir: demo });
    const duckFile = join(root, 'duck.yaml');
    pgConfigFile = join(root, 'pg.yaml');
    await fs.writeFile(duckFile, `warehouse: ${join(root, 'duck')}\nas_of: '2026-06-30'\n`);
    await fs.writeFile(
      pgConfigFile,
      `warehouse: { engine: postgres, url: '${db.url}', dir: ${join(root, 'pgdir')} }\nas_of: '2026-06-30'\n`,
    );
    duckConfig = await loadConfig(duckFile);
    pgConfig = await loadConfig(pgConfigFile);
    for (const c of [duckConfig, pgConfig]) await runIngest(c, [{ path: demo, profile: 'canonical' }], false);
    await buildBoth({});
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    q = pgTextQuery(client);
    // The BI door: from now on each build applies row-level security in its publish transaction.
    const setup = await run(
      process.execPath,
      [join(ROOT, 'bin', 'arlens.js'), '-c', pgConfigFile, 'bi', 'setup'],
      {
        cwd: root,
      },
    );
    expect(setup.stdout).toMatch(/policies of \d+ table\(s\) are in place/);
  }, 600_000);

  afterAll(async () => {
    await client?.end();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('--select dim_customers: the new customer reaches it alone; every other table keeps its rows', async () => {
    await newCustomer('0000199101', 'Selected Build GmbH');
    const before = await tableChecksums();
    await buildBoth({ select: ['dim_customers'] });
    const after = await tableChecksums();
    expect([...after.keys()]).toEqual([...before.keys()]);
    expect([...after].filter(([t, sum]) => before.get(t) !== sum).map(([t]) => t)).toEqual([
      'marts.dim_customers',
    ]);
    expect(await q(`SELECT customer_name FROM marts.dim_customers WHERE customer_id = '0000199101'`)).toEqual(
      [['Selected Build GmbH']],
    );
    const [[models] = []] = await q(
      `SELECT string_agg(node_id, ',') FROM meta.model_runs
        WHERE run_id = (SELECT max(run_id) FROM meta.model_runs) AND kind = 'model'`,
    );
    expect(models).toBe('model.arlens.dim_customers');
    await expectEnginesEqual();
    await expectPublishedClean();
  }, 300_000);

  it('+fct_credit_exposure and --exclude fct_ar_snapshots+: only the selected tables can change', async () => {
    for (const sel of [{ select: ['+fct_credit_exposure'] }, { exclude: ['fct_ar_snapshots+'] }]) {
      await newCustomer(`00001992${sel.select ? '01' : '02'}`, 'Another One AG');
      const rebuilt = await selectedTables(sel);
      expect(rebuilt.has('marts.dim_customers')).toBe(true);
      const before = await tableChecksums();
      await buildBoth(sel);
      const after = await tableChecksums();
      // A real subset: some tables are carried.
      expect(rebuilt.size).toBeGreaterThan(0);
      expect([...after.keys()].filter((t) => !rebuilt.has(t)).length, JSON.stringify(sel)).toBeGreaterThan(0);
      const changed = [...after].filter(([t, sum]) => before.get(t) !== sum).map(([t]) => t);
      expect(changed, JSON.stringify(sel)).toContain('marts.dim_customers');
      expect(
        changed.filter((t) => !rebuilt.has(t)),
        JSON.stringify(sel),
      ).toEqual([]);
      await expectEnginesEqual();
      await expectPublishedClean();
    }
    // The excluded ones were carried: not rebuilt, yet there.
    expect(await selectedTables({ exclude: ['fct_ar_snapshots+'] })).not.toContain('marts.fct_ar_snapshots');
  }, 600_000);
});
