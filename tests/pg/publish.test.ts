/**
 * Builds on PostgreSQL publish by schema swap (models/runner/pg-build.ts, warehouse/pg-publish.ts):
 * the marts equal DuckDB's after a first and an incremental second build; a reader in the middle of a
 * query does not hold the publish up and keeps its old rows; one job at a time; a failed build
 * publishes nothing and leaves no build schemas behind. Selected builds: tests/pg/select.test.ts.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuildFailedError, buildInConnection } from '../../models/runner/index.ts';
import { buildOnPostgres } from '../../models/runner/pg-build.ts';
import { parseProject } from '../../models/runner/project.ts';
import { WarehouseBusyError, withPgJob, withSwapBuild } from '../../warehouse/pg-publish.ts';
import { DuckDbSession, PgSession } from '../../warehouse/session.ts';
import { PG_URL, pgDatabase } from './database.ts';
import { contents, NEXT_DAY, PROJECT, RAW, RELATIONS, writeTwinProject } from './twin.ts';

const quoted = (relation: string) =>
  relation
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('a PostgreSQL build publishes by schema swap', () => {
  const db = pgDatabase();
  let projectDir: string;
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let duck: DuckDbSession;
  let pgs: PgSession;

  beforeAll(async () => {
    projectDir = await writeTwinProject();
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    duck = new DuckDbSession(conn);
    pgs = await PgSession.connect(db.url, { applicationName: 'arlens publish test' });
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

  async function expectSameAsDuckDb() {
    for (const relation of RELATIONS) {
      expect(await contents(pgs, quoted(relation)), relation).toEqual(await contents(duck, quoted(relation)));
    }
  }
  /** One client runs one query at a time: read the relations in turn. */
  async function allContents() {
    const out = [];
    for (const r of RELATIONS) out.push(await contents(pgs, quoted(r)));
    return out;
  }
  const schemas = async () =>
    (
      await pgs.rows(
        `SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1`,
      )
    ).map((r) => r['nspname']);

  it('first and incremental second build equal DuckDB; only the published schemas remain', async () => {
    const events: string[] = [];
    const first = await buildOnPostgres({ projectDir, url: db.url, onEvent: (e) => events.push(e.kind) });
    await buildInConnection(conn, await parseProject(projectDir));
    expect(first.success).toBe(true);
    expect(events.at(-1)).toBe('publishing');
    await expectSameAsDuckDb();
    expect(await schemas()).toEqual(['arlens', 'marts', 'meta', 'public', 'raw', 'staging']);
    expect(await pgs.rows('SELECT DISTINCT run_id FROM meta.model_runs')).toEqual([{ run_id: first.runId }]);

    for (const sql of NEXT_DAY) {
      await duck.run(sql);
      await pgs.run(sql);
    }
    const second = await buildOnPostgres({ projectDir, url: db.url });
    await buildInConnection(conn, await parseProject(projectDir));
    // Seeded from the published table, the build schema's copy merges only the day's rows.
    expect(second.results.find((r) => r.kind === 'model' && r.name === 'fct_invoices')?.message).toBe(
      'incremental, 2 rows merged (1 old rows replaced)',
    );
    expect(second.retained).toEqual([]);
    await expectSameAsDuckDb();
    expect(await schemas()).toEqual(['arlens', 'marts', 'meta', 'public', 'raw', 'staging']);
    expect(
      await pgs.rows('SELECT max(run_id) AS r, count(DISTINCT run_id) AS n FROM meta.model_runs'),
    ).toEqual([{ r: second.runId, n: '2' }]);
    // The copy kept the unique_key index.
    const idx = await pgs.rows(
      `SELECT count(*) AS n FROM pg_indexes WHERE schemaname = 'marts' AND tablename = 'fct_invoices'`,
    );
    expect(idx).toEqual([{ n: '1' }]);
  });

  it('a reader inside a transaction does not block the publish, and its next statement reads the new marts whole', async () => {
    const reader = new pg.Client({ connectionString: db.url });
    await reader.connect();
    try {
      // READ COMMITTED (the default, and what BI tools use): each statement reads a published state.
      // A REPEATABLE READ transaction begun before the publish would find the new tables empty (its
      // snapshot predates their rows): see the plan's §14 notes.
      await reader.query('BEGIN');
      const before = await reader.query('SELECT count(*)::int AS n FROM marts.fct_invoices');
      await pgs.run(
        `INSERT INTO raw.invoices VALUES ('I6', 'C1', 1.00, DATE '2025-01-03', DATE '2025-02-02', TIMESTAMP '2025-01-03 09:00:00')`,
      );
      const t0 = performance.now();
      const report = await buildOnPostgres({ projectDir, url: db.url });
      const elapsed = performance.now() - t0;
      // The old marts schema is still in use by the reader: renamed, published around it, kept for later.
      expect(report.retained).toEqual([`marts__old_${report.runId}`]);
      expect(elapsed).toBeLessThan(30_000);
      // Still inside its transaction (still holding the old table), the reader's next statement
      // resolves the name to the published table: the new build, complete.
      const during = await reader.query('SELECT count(*)::int AS n FROM marts.fct_invoices');
      expect(during.rows[0].n).toBe(before.rows[0].n + 1);
      await reader.query('COMMIT');
    } finally {
      await reader.end();
    }
    // The next job removes what the reader kept.
    await buildOnPostgres({ projectDir, url: db.url });
    expect(await schemas()).toEqual(['arlens', 'marts', 'meta', 'public', 'raw', 'staging']);
  });

  it('one job at a time: a build refuses while another job holds the lock, and names it', async () => {
    const other = new pg.Client({ connectionString: db.url, application_name: 'arlens ingest run-42' });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(hashtextextended('arlens.job', 0))`);
      const err = await buildOnPostgres({ projectDir, url: db.url }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WarehouseBusyError);
      expect((err as Error).message).toMatch(/arlens ingest run-42/);
    } finally {
      await other.end();
    }
    // Its connection gone, the lock is free again.
    expect((await buildOnPostgres({ projectDir, url: db.url })).success).toBe(true);
  });

  it('two builds at once: the one started while a build job holds the warehouse is refused, naming it', async () => {
    const err = await withPgJob(db.url, 'build', 'run-1', async () =>
      buildOnPostgres({ projectDir, url: db.url }).catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(WarehouseBusyError);
    expect((err as Error).message).toContain('arlens build run-1');
    expect(await schemas()).toEqual(['arlens', 'marts', 'meta', 'public', 'raw', 'staging']);
    // The job ended, its lock is free.
    expect((await buildOnPostgres({ projectDir, url: db.url })).success).toBe(true);
  });

  it('refuses a run id that is not a plain name before touching any schema', async () => {
    const before = await schemas();
    await expect(
      withSwapBuild(pgs, ['marts'], `x"; DROP SCHEMA raw CASCADE; --`, async () => 'never'),
    ).rejects.toThrow(/is not a plain name/);
    expect(await schemas()).toEqual(before);
  });

  it('a failed build publishes nothing and drops its build schemas', async () => {
    const before = await allContents();
    const runs = await pgs.rows('SELECT count(*) AS n FROM meta.model_runs');
    const broken = await writeTwinProject({
      ...PROJECT,
      'models/marts/dim_customers.sql': PROJECT['models/marts/dim_customers.sql']!.replace(
        'c.customer_id,',
        'c.customer_id, 1 / (length(min(c.customer_id)) - 3) as boom,',
      ),
    });
    const err = await buildOnPostgres({ projectDir: broken, url: db.url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect(await allContents()).toEqual(before);
    expect(await pgs.rows('SELECT count(*) AS n FROM meta.model_runs')).toEqual(runs);
    expect(await schemas()).toEqual(['arlens', 'marts', 'meta', 'public', 'raw', 'staging']);
    await fs.rm(join(broken), { recursive: true, force: true });
  });
});
