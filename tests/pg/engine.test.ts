/**
 * The write side on PostgreSQL through the real entry points (cli/commands/ingest.ts `runIngest`,
 * cli/commands/build.ts `runBuild`, the config of cli/config.ts): the demo (1,500 invoices, seed 5)
 * plus a file of hostile rows, ingested and built on DuckDB and on PostgreSQL; every relation of
 * staging, intermediate and marts equal row for row (tests/pg/marts-equal.ts compareRelation: money
 * and dates exact), raw rows and the quarantine equal, a re-ingest adds nothing, and the CLI itself
 * (`arlens -c <config> ingest`, then `build`) exits 0 on a fresh database.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chosenAsOf, LATEST, runBuild } from '../../cli/commands/build.ts';
import { runIngest } from '../../cli/commands/ingest.ts';
import { checkPgUrl, loadConfig, type Config } from '../../cli/config.ts';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { CONTRACT, LOAD_ORDER } from '../../ingest/contract.ts';
import { ingest } from '../../ingest/load.ts';
import { withInstance } from '../../warehouse/duckdb.ts';
import { withPgJob } from '../../warehouse/pg-publish.ts';
import { buildOnPostgres } from '../../models/runner/pg-build.ts';
import {
  replaceWorklistTables,
  replaceWorklistTablesPg,
  WORKLIST_TABLES,
  type WorklistRow,
  type WorklistTable,
} from '../../warehouse/worklist-tables.ts';
import { PgSession } from '../../warehouse/session.ts';
import { withPublished } from '../../warehouse/store.ts';
import { PG_URL, pgDatabase } from './database.ts';
import { compareRelation, pgTextQuery } from './marts-equal.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

async function writeConfig(dir: string, warehouse: string, extra = ''): Promise<string> {
  const file = join(dir, `arlens-${Math.random().toString(36).slice(2)}.config.yaml`);
  await fs.writeFile(file, `warehouse: ${warehouse}\nas_of: '2026-06-30'\n${extra}`);
  return file;
}

describe('the warehouse setting', () => {
  let dir: string;
  const saved = process.env['ARLENS_PG_URL'];
  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'arlens-engine-config-'));
    delete process.env['ARLENS_PG_URL'];
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env['ARLENS_PG_URL'];
    else process.env['ARLENS_PG_URL'] = saved;
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('keeps the string form (a DuckDB directory) and the default', async () => {
    const c = await loadConfig(await writeConfig(dir, 'wh'));
    expect(c.warehouse).toBe(join(dir, 'wh'));
    expect(c.engine).toEqual({ kind: 'duckdb' });
    const empty = join(dir, 'empty.yaml');
    await fs.writeFile(empty, 'reporting_currency: EUR\n');
    const d = await loadConfig(empty);
    expect(d.warehouse).toBe(join(dir, 'data', 'warehouse'));
    expect(d.engine).toEqual({ kind: 'duckdb' });
  });

  it('takes { engine: duckdb, dir } and { engine: postgres, url, dir }', async () => {
    const duck = await loadConfig(await writeConfig(dir, '{ engine: duckdb, dir: d1 }'));
    expect(duck.warehouse).toBe(join(dir, 'd1'));
    expect(duck.engine).toEqual({ kind: 'duckdb' });
    const url = 'postgres://arlens:secret@db.example:5432/arlens';
    const pgc = await loadConfig(await writeConfig(dir, `{ engine: postgres, url: '${url}', dir: d2 }`));
    expect(pgc.engine).toEqual({ kind: 'postgres', url });
    expect(pgc.warehouse).toBe(join(dir, 'd2'));
    const noDir = await loadConfig(await writeConfig(dir, `{ engine: postgres, url: '${url}' }`));
    expect(noDir.warehouse).toBe(join(dir, 'data', 'warehouse'));
  });

  it('takes the URL from ARLENS_PG_URL (over the file), so no password is written in it', async () => {
    process.env['ARLENS_PG_URL'] = 'postgresql://arlens:pw@localhost/arlens?host=/run/postgresql';
    try {
      const c = await loadConfig(await writeConfig(dir, '{ engine: postgres }'));
      expect(c.engine).toEqual({ kind: 'postgres', url: process.env['ARLENS_PG_URL'] });
      const over = await loadConfig(
        await writeConfig(dir, "{ engine: postgres, url: 'postgres://other@h/other' }"),
      );
      expect(over.engine).toEqual({ kind: 'postgres', url: process.env['ARLENS_PG_URL'] });
      // The environment alone does not switch engines: the file must say postgres.
      expect((await loadConfig(await writeConfig(dir, 'wh'))).engine).toEqual({ kind: 'duckdb' });
    } finally {
      delete process.env['ARLENS_PG_URL'];
    }
  });

  it('refuses a missing or bad URL and an unknown engine with a clear message', async () => {
    await expect(loadConfig(await writeConfig(dir, '{ engine: postgres }'))).rejects.toThrow(
      /no URL is given: set warehouse.url, or ARLENS_PG_URL=/,
    );
    await expect(
      loadConfig(await writeConfig(dir, "{ engine: postgres, url: 'mysql://u@h/db' }")),
    ).rejects.toThrow(/must start with postgres:\/\/ or postgresql:\/\/ \(it starts with mysql:\/\/\)/);
    await expect(
      loadConfig(await writeConfig(dir, "{ engine: postgres, url: 'db.example' }")),
    ).rejects.toThrow(/is not a URL: expected postgres:\/\//);
    await expect(
      loadConfig(await writeConfig(dir, "{ engine: postgres, url: 'postgres://u@db.example:5432' }")),
    ).rejects.toThrow(/names no database/);
    await expect(loadConfig(await writeConfig(dir, '{ engine: oracle, dir: x }'))).rejects.toThrow(
      /Config .* is not valid:\n {2}- warehouse/,
    );
    await expect(
      loadConfig(await writeConfig(dir, "{ engine: duckdb, dir: x, url: 'postgres://u@h/db' }")),
    ).rejects.toThrow(/is not valid/);
    expect(checkPgUrl('postgres://arlens@/db?host=/tmp/s', 'x')).toBe('postgres://arlens@/db?host=/tmp/s');
  });

  it('has every command reach the PostgreSQL server, naming an unreachable one without the password', async () => {
    const cfg = await writeConfig(
      dir,
      "{ engine: postgres, url: 'postgres://arlens:hunter2@db.invalid/arlens' }",
    );
    // `arlens status` reads PostgreSQL (tests/pg/commands.test.ts): an unreachable server is named, without the password.
    const failed = await run(process.execPath, [join(ROOT, 'bin', 'arlens.js'), '-c', cfg, 'status'], {
      env: { ...process.env, ARLENS_PG_URL: '' },
    }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).not.toBe(0);
    expect(failed?.stderr).toMatch(
      /Cannot connect to the PostgreSQL warehouse at postgres:\/\/arlens:\*\*\*@db\.invalid\/arlens: .*Check that the server is running/,
    );
    expect(failed?.stderr).not.toContain('hunter2');
    // `arlens train` runs its DuckDB job on a copy taken from PostgreSQL (tests/pg/jobs.test.ts): the
    // same message, not stale DuckDB files from the directory.
    const train = await run(process.execPath, [join(ROOT, 'bin', 'arlens.js'), '-c', cfg, 'train'], {
      env: { ...process.env, ARLENS_PG_URL: '' },
    }).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(train?.code).not.toBe(0);
    expect(train?.stderr).toMatch(
      /Cannot connect to the PostgreSQL warehouse at postgres:\/\/arlens:\*\*\*@db\.invalid/,
    );
    expect(train?.stderr).not.toContain('hunter2');
  }, 60_000);

  it('names an unreachable server without showing the password', async () => {
    const err = await PgSession.connect('postgres://arlens:hunter2@127.0.0.1:1/arlens').then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(
      /^Cannot connect to the PostgreSQL warehouse at postgres:\/\/arlens:\*\*\*@127\.0\.0\.1:1\/arlens: .*ECONNREFUSED.*Check that the server is running/s,
    );
    expect(err?.message).not.toContain('hunter2');
  });
});

async function duckText(conn: DuckDBConnection, sql: string): Promise<(string | null)[][]> {
  return (await conn.runAndReadAll(sql)).getRows() as (string | null)[][];
}

/** A run id (warehouse/store.ts sortableRunId) replaced by RUN. */
const sameRun = (line: string) => line.replace(/\d{8}T\d{9}Z-\d{7}/g, 'RUN');

const sortedLines = (rows: (string | null)[][]) => rows.map((r) => JSON.stringify(r)).sort();

/** Raw rows without the load id (run ids differ per engine), as text, in a stable order. */
function rawSql(entity: string, cast: (col: string) => string): string {
  const cols = [...CONTRACT[entity as keyof typeof CONTRACT].fields.map((f) => f.name), '_source_row'];
  return `SELECT ${cols.map((c) => cast(`"${c}"`)).join(', ')} FROM raw."${entity}"`;
}

const QUARANTINE_SQL = (cast: (c: string) => string) =>
  `SELECT ${[
    'file_name',
    'entity',
    'row_number',
    'column_name',
    'reason_code',
    'reason',
    'value',
    'row_values',
  ]
    .map(cast)
    .join(', ')} FROM meta.quarantine`;

/** A file of rows each engine must judge the same way: references, ledger rules, duplicates, text. */
const HOSTILE_APPLICATIONS = [
  'receipt_id,invoice_id,applied_date,applied_amount',
  'RCPT-0000001,INV-9999999,2024-01-01,1.00', // no such invoice
  'RCPT-0000003,INV-0000001,2023-06-01,1.00', // before the invoice was issued
  'RCPT-0000001,INV-0000001,2023-08-01,999999999.00', // more than the invoice and the payment
  'RCPT-0000005,INV-0000002,2023-08-10,1.00',
  'RCPT-0000005,INV-0000002,2023-08-10,1.00', // duplicate key in the file
  '"RCPT-\'; DROP TABLE raw.invoices; --",INV-0000002,2023-08-10,1.00', // hostile key: no such receipt
  '"RCPT-""q"",\nx",INV-0000002,2023-08-10,1.00', // quotes, comma, newline through COPY
].join('\n');

const HOSTILE_CUSTOMERS = [
  'customer_id,customer_name,region,country,segment,industry,salesperson,credit_controller,credit_limit,payment_terms_days,currency,status',
  '0000199001,"O\'Brien, ""Quoted"" Ltd.\nsecond line",EMEA,IE,SMB,Retail,Javier Ortega,Lucía Fernández,1000.00,30,EUR,active',
  '0000199002,"",EMEA,IE,SMB,Retail,Javier Ortega,Lucía Fernández,1000.00,30,EUR,active',
  '0000199003,Ünïcødé 株式会社 \\N,APAC,JP,SMB,Retail,Javier Ortega,Lucía Fernández,98765432.10,30,JPY,active',
].join('\n');

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('ingest and build on PostgreSQL equal DuckDB', () => {
  const db = pgDatabase();
  const cliDb = pgDatabase();
  let root: string;
  let demo: string;
  let hostile: string;
  let duckConfig: Config;
  let pgConfig: Config;
  let client: pg.Client;

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'arlens-engine-'));
    demo = join(root, 'demo');
    hostile = join(root, 'hostile');
    await generateDemo({ seed: 5, invoices: 1500, asOf: '2026-06-30', outDir: demo });
    await fs.mkdir(hostile);
    await fs.writeFile(join(hostile, 'customers_extra.csv'), HOSTILE_CUSTOMERS);
    await fs.writeFile(join(hostile, 'payment_applications_extra.csv'), HOSTILE_APPLICATIONS);
    duckConfig = await loadConfig(await writeConfig(root, 'duck'));
    pgConfig = await loadConfig(
      await writeConfig(root, `{ engine: postgres, url: '${db.url}', dir: pgdir }`),
    );
    const sources = [
      { path: demo, profile: 'canonical' },
      { path: hostile, profile: 'canonical' },
    ];
    for (const c of [duckConfig, pgConfig]) {
      await runIngest(c, sources, false);
      await runBuild(c, { asOf: chosenAsOf(c, undefined, LATEST) });
    }
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  }, 600_000);

  afterAll(async () => {
    await client?.end();
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('builds every staging, intermediate and mart relation equal, row for row', async () => {
    await withPublished(duckConfig.warehouse, async (conn) => {
      const relations = (
        await duckText(
          conn,
          `SELECT table_schema || '.' || table_name FROM information_schema.tables
           WHERE table_schema IN ('staging', 'intermediate', 'marts') ORDER BY 1`,
        )
      ).map(([r]) => String(r));
      expect(relations).toHaveLength(36);
      expect(relations).toContain('marts.mart_ar_kpis_monthly');
      const pgRelations = (
        await pgTextQuery(client)(
          `SELECT table_schema || '.' || table_name FROM information_schema.tables
           WHERE table_schema IN ('staging', 'intermediate', 'marts') ORDER BY (table_schema || '.' || table_name) COLLATE "C"`,
        )
      ).map(([r]) => String(r));
      expect(pgRelations).toEqual(relations);
      const unequal: {
        relation: string;
        onlyDuckdb: string[];
        onlyPostgres: string[];
        columns: string | null;
      }[] = [];
      let rows = 0;
      for (const r of relations) {
        const diff = await compareRelation(conn, pgTextQuery(client), r);
        rows += diff.duckdbRows;
        // Load ids carry each run's own id: the same unit of the same files differs only in it.
        const duck = diff.onlyDuckdb.map(sameRun).sort();
        const post = diff.onlyPostgres.map(sameRun).sort();
        if (diff.columnMismatch !== null || JSON.stringify(duck) !== JSON.stringify(post)) {
          unequal.push({
            relation: r,
            onlyDuckdb: duck.slice(0, 3),
            onlyPostgres: post.slice(0, 3),
            columns: diff.columnMismatch,
          });
        }
      }
      expect(unequal).toEqual([]);
      expect(rows).toBeGreaterThan(10_000);
    });
  });

  it('lands the same raw rows and quarantines the same rows with the same reasons', async () => {
    await withPublished(duckConfig.warehouse, async (conn) => {
      for (const entity of LOAD_ORDER) {
        const duck = await duckText(
          conn,
          rawSql(entity, (c) => `CAST(${c} AS VARCHAR)`),
        );
        const pgRows = await pgTextQuery(client)(rawSql(entity, (c) => `${c}::text`));
        expect(sortedLines(pgRows), entity).toEqual(sortedLines(duck));
      }
      const duckQ = await duckText(
        conn,
        QUARANTINE_SQL((c) => `CAST(${c} AS VARCHAR)`),
      );
      const pgQ = await pgTextQuery(client)(QUARANTINE_SQL((c) => `${c}::text`));
      expect(sortedLines(pgQ)).toEqual(sortedLines(duckQ));
      const codes = new Set(pgQ.map((r) => r[4]));
      // The hostile file reached every check that reads the ledger in PostgreSQL.
      for (const code of [
        'unknown_reference',
        'rule:applied_before_invoice',
        'rule:exceeds_invoice',
        'duplicate_key',
      ]) {
        expect(codes.has(code), code).toBe(true);
      }
      const loads = (
        await pgTextQuery(client)('SELECT count(*), sum(rows_loaded), sum(rows_quarantined) FROM meta.loads')
      )[0];
      const duckLoads = (
        await duckText(
          conn,
          'SELECT CAST(count(*) AS VARCHAR), CAST(sum(rows_loaded) AS VARCHAR), CAST(sum(rows_quarantined) AS VARCHAR) FROM meta.loads',
        )
      )[0];
      expect(loads).toEqual(duckLoads);
    });
    const [hostileName] = (
      await pgTextQuery(client)(`SELECT customer_name FROM raw.customers WHERE customer_id = '0000199001'`)
    )[0] ?? [null];
    expect(hostileName).toBe('O\'Brien, "Quoted" Ltd.\nsecond line');
    // Text columns sort byte-wise whatever the database locale, as DuckDB does.
    const [collation] = (
      await pgTextQuery(client)(
        `SELECT collation_name FROM information_schema.columns
         WHERE table_schema = 'raw' AND table_name = 'invoices' AND column_name = 'invoice_id'`,
      )
    )[0] ?? [null];
    expect(collation).toBe('C');
  });

  it('adds nothing when the same files are ingested again, skipped or forced', async () => {
    const before = await Promise.all(
      LOAD_ORDER.map((e) => pgTextQuery(client)(rawSql(e, (c) => `${c}::text`))),
    );
    const [loadsBefore] = (await pgTextQuery(client)('SELECT count(*) FROM meta.loads'))[0] ?? [];
    const sources = [
      { path: demo, profile: 'canonical' },
      { path: hostile, profile: 'canonical' },
    ];
    const skipped = await runIngest(pgConfig, sources, false);
    expect(skipped.published).toBe(false);
    expect(skipped.skipped.length).toBeGreaterThanOrEqual(12);
    expect((await pgTextQuery(client)('SELECT count(*) FROM meta.loads'))[0]?.[0]).toBe(loadsBefore);
    const forced = await runIngest(pgConfig, sources, true);
    expect(forced.published).toBe(true);
    expect(forced.loads.reduce((n, l) => n + l.inserted + l.updated, 0)).toBe(0);
    expect(forced.loads.reduce((n, l) => n + l.unchanged, 0)).toBeGreaterThan(1500);
    const after = await Promise.all(
      LOAD_ORDER.map((e) => pgTextQuery(client)(rawSql(e, (c) => `${c}::text`))),
    );
    expect(after.map(sortedLines)).toEqual(before.map(sortedLines));
  }, 300_000);

  it('rolls the whole ingest back when it fails midway: PostgreSQL is as it was', async () => {
    const count = async () =>
      (
        await pgTextQuery(client)(
          `SELECT (SELECT count(*) FROM raw.invoices) || '/' || (SELECT count(*) FROM raw.customers)
             || '/' || (SELECT count(*) FROM meta.loads) || '/' || (SELECT count(*) FROM meta.quarantine)`,
        )
      )[0]?.[0];
    const before = await count();
    const extra = join(root, 'extra');
    await fs.mkdir(extra, { recursive: true });
    await fs.writeFile(
      join(extra, 'customers_more.csv'),
      HOSTILE_CUSTOMERS.replaceAll('019900', '019800').replace('0000198002,""', '0000198002,"Named"'),
    );
    await expect(
      ingest([{ path: extra, profile: 'canonical' }], {
        warehouseDir: pgConfig.warehouse,
        pgUrl: db.url,
        afterUnit: async () => {
          throw new Error('killed after the first unit');
        },
      }),
    ).rejects.toThrow(/killed after the first unit/);
    expect(await count()).toBe(before);
    // The job lock went with the failed job: the next ingest runs, and loads the file.
    const report = await ingest([{ path: extra, profile: 'canonical' }], {
      warehouseDir: pgConfig.warehouse,
      pgUrl: db.url,
    });
    expect(report.loads.map((l) => [l.rowsLoaded, l.inserted])).toEqual([[3, 3]]);
  });

  it('refuses an ingest while another job (a build) holds the warehouse, naming it, and writes nothing', async () => {
    const [before] = (await pgTextQuery(client)('SELECT count(*) FROM meta.loads'))[0] ?? [];
    await withPgJob(db.url, 'build', 'run-7', async () => {
      await expect(
        ingest([{ path: hostile, profile: 'canonical' }], {
          warehouseDir: pgConfig.warehouse,
          pgUrl: db.url,
          force: true,
        }),
      ).rejects.toThrow(/Another ARLens job is running on this warehouse: arlens build run-7/);
    });
    expect((await pgTextQuery(client)('SELECT count(*) FROM meta.loads'))[0]?.[0]).toBe(before);
  });

  it('runs the onPublish hook inside the publish transaction: it sees the new marts, and its failure publishes nothing', async () => {
    const runs = async () =>
      (await pgTextQuery(client)('SELECT count(DISTINCT run_id) FROM meta.model_runs'))[0]?.[0];
    const before = await runs();
    let seen = '';
    const vars = { as_of_date: '2026-06-30' };
    const projectDir = join(ROOT, 'models');
    await buildOnPostgres({
      projectDir,
      url: db.url,
      vars,
      onPublish: async (s) => {
        const [row] = await s.rows(
          `SELECT (SELECT count(*) FROM marts.fct_invoices) AS n,
                  (SELECT count(*) FROM pg_namespace WHERE nspname = 'marts__next') AS next`,
        );
        seen = `${String(row?.['n'])}/${String(row?.['next'])}`;
      },
    });
    expect(seen).toBe('1500/0');
    const published = await runs();
    expect(Number(published)).toBe(Number(before) + 1);
    await expect(
      buildOnPostgres({
        projectDir,
        url: db.url,
        vars,
        onPublish: async () => {
          throw new Error('grants could not be applied');
        },
      }),
    ).rejects.toThrow(/grants could not be applied/);
    expect(await runs()).toBe(published);
    const schemas = (
      await pgTextQuery(client)(`SELECT nspname FROM pg_namespace WHERE nspname LIKE '%\\_\\_%'`)
    ).map(([n]) => n);
    expect(schemas).toEqual([]);
  }, 120_000);

  it('copies the worklist into PostgreSQL as into DuckDB, values exact, and replaces it', async () => {
    const rows: Partial<Record<WorklistTable, WorklistRow[]>> = {
      collection_activities: [
        {
          id: 9007199254740993n,
          customer_id: '0000100001',
          invoice_id: null,
          kind: 'call',
          outcome: 'promise',
          note: 'He said "Friday", then: \'maybe\',\nnew line, \\N and a tab\t',
          activity_date: '2026-06-29',
          ref_id: 7,
          user_name: 'ｃｏｌｌｅｃｔｏｒ',
          created_at: '2026-06-29 10:00:00',
        },
        {
          ...Object.fromEntries(WORKLIST_TABLES.collection_activities.map(([c]) => [c, null])),
          id: 2,
          note: '',
        },
      ],
      payment_promises: [
        {
          id: 1,
          customer_id: '0000100002',
          invoice_ids: '["INV-0000001","INV-0000002"]',
          promised_date: '2026-07-03',
          amount: '12345678901234.56',
          currency_code: 'EUR',
          status: 'open',
          created_by: 'c',
          created_at: '2026-06-29 10:00:00',
        },
      ],
    };
    const session = await PgSession.connect(db.url);
    try {
      await replaceWorklistTablesPg(session, rows);
      await withInstance(':memory:', {}, async (conn) => {
        await replaceWorklistTables(conn, rows);
        for (const table of Object.keys(WORKLIST_TABLES) as WorklistTable[]) {
          const cols = WORKLIST_TABLES[table].map(([c]) => `"${c}"`);
          const duck = await duckText(
            conn,
            `SELECT ${cols.map((c) => `CAST(${c} AS VARCHAR)`).join(', ')} FROM worklist."${table}"`,
          );
          const post = await pgTextQuery(client)(
            `SELECT ${cols.map((c) => `${c}::text`).join(', ')} FROM worklist."${table}"`,
          );
          expect(sortedLines(post), table).toEqual(sortedLines(duck));
          expect(post.length, table).toBe(rows[table]?.length ?? 0);
        }
      });
      const [note] =
        (await pgTextQuery(client)('SELECT note FROM worklist.collection_activities WHERE id = 2'))[0] ?? [];
      expect(note).toBe('');
      // A second copy replaces the rows (the published staging views keep reading the same tables).
      await replaceWorklistTablesPg(session, {});
      expect((await pgTextQuery(client)('SELECT count(*) FROM worklist.collection_activities'))[0]?.[0]).toBe(
        '0',
      );
    } finally {
      await session.close();
    }
  });

  it('runs `arlens -c <config> ingest` then `build` from the command line on a fresh database', async () => {
    const cfg = await writeConfig(
      root,
      `{ engine: postgres, dir: clidir }\nsources:\n  - { path: '${demo}', profile: canonical }\n`,
    );
    const env = { ...process.env, ARLENS_PG_URL: cliDb.url };
    const bin = join(ROOT, 'bin', 'arlens.js');
    const ingested = await run(process.execPath, [bin, '-c', cfg, 'ingest'], { env, cwd: root });
    expect(ingested.stdout).toMatch(/Published run/);
    const built = await run(process.execPath, [bin, '-c', cfg, 'build'], {
      env,
      cwd: root,
      maxBuffer: 1 << 26,
    });
    expect(built.stdout).toMatch(/Published run/);
    expect(built.stderr).toMatch(/worklist from the operational store: 0 activities/);
    const check = new pg.Client({ connectionString: cliDb.url });
    await check.connect();
    try {
      const [n] = (await pgTextQuery(check)('SELECT count(*) FROM marts.fct_invoices'))[0] ?? [];
      expect(Number(n)).toBe(1500);
      const [runs] = (await pgTextQuery(check)('SELECT count(*) FROM meta.model_runs'))[0] ?? [];
      expect(Number(runs)).toBeGreaterThan(0);
      // The BI door (docs/bi.md): once set up, every build re-applies row-level security to the tables
      // it replaced, inside its publish transaction.
      const setup = await run(process.execPath, [bin, '-c', cfg, 'bi', 'setup'], { env, cwd: root });
      expect(setup.stdout).toMatch(/policies of \d+ table\(s\) are in place/);
      const policies = async () =>
        (
          await pgTextQuery(check)(
            "SELECT count(*) FROM pg_policies WHERE schemaname = 'marts' AND tablename = 'fct_invoices'",
          )
        )[0]?.[0];
      expect(Number(await policies())).toBe(5);
      const rebuilt = await run(process.execPath, [bin, '-c', cfg, 'build', '--full-refresh'], {
        env,
        cwd: root,
        maxBuffer: 1 << 26,
      });
      expect(rebuilt.stderr).toMatch(/BI row-level security applied to \d+ table\(s\)/);
      expect(Number(await policies())).toBe(5);
      const [rls] =
        (
          await pgTextQuery(check)(
            "SELECT relrowsecurity::text FROM pg_class WHERE oid = 'marts.fct_invoices'::regclass",
          )
        )[0] ?? [];
      expect(rls).toBe('true');
    } finally {
      await check.end();
    }
  }, 300_000);
});
