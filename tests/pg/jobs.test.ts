/**
 * The DuckDB-SQL jobs on a PostgreSQL warehouse (warehouse/pg-snapshot.ts, plan §14.5): the risk
 * model and the cash forecast run unchanged on a DuckDB copy of the published relations and publish
 * the ml schema back.
 *
 * - the copy is exact both ways for every type the marts and ml.* use (hostile text, 2^53+1, cents of
 *   12345678901234.56, NaN and ∞, JSON, arrays, dates under TZ=Asia/Tokyo);
 * - one demo (3,000 invoices, seed 5, plus customers with hostile names) ingested and built through
 *   the real entry points on both engines; train + score and the forecast with a backtest on both:
 *   every ml.* table equal row for row (only run times and the model version, which hashes the load
 *   ids, differ); the CLI's forecast CSV byte for byte; `ensureRiskScores` finds the scores current;
 * - a failing job publishes nothing, a second job is refused while one runs, a read that straddles a
 *   publish is taken again, and the BI door's policies are re-applied in the publish.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chosenAsOf, LATEST, runBuild } from '../../cli/commands/build.ts';
import { runIngest } from '../../cli/commands/ingest.ts';
import { loadConfig, type Config } from '../../cli/config.ts';
import { jobEngine } from '../../cli/engine.ts';
import { refreshForecast } from '../../forecast/store.server.ts';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { defaultModelDir, ensureRiskScores, trainRiskModel } from '../../ml/risk.server.ts';
import { queryRows, type Row } from '../../warehouse/convert.ts';
import { withPublishedOn, type WarehouseEngine } from '../../warehouse/engine.ts';
import { WarehouseBusyError, withPgJob } from '../../warehouse/pg-publish.ts';
import { duckdbTypeOf, pgTypeOf, withPgSnapshot, withPgSnapshotJob } from '../../warehouse/pg-snapshot.ts';
import { PgSession } from '../../warehouse/session.ts';
import { startServer } from '../../server/index.ts';
import { ROOT, sessionCookie, TEST_SECRET, tempDir } from '../helpers.ts';
import { PG_URL, pgDatabase } from './database.ts';

const run = promisify(execFile);

describe('the type map between the engines', () => {
  it('maps every PostgreSQL type the marts use to its exact DuckDB twin, and back', () => {
    const pairs: [string, string][] = [
      ['numeric(18,2)', 'DECIMAL(18, 2)'],
      ['numeric(38,8)', 'DECIMAL(38, 8)'],
      ['character varying', 'VARCHAR'],
      ['character varying(12)', 'VARCHAR'],
      ['text', 'VARCHAR'],
      ['integer', 'INTEGER'],
      ['bigint', 'BIGINT'],
      ['double precision', 'DOUBLE'],
      ['boolean', 'BOOLEAN'],
      ['date', 'DATE'],
      ['timestamp without time zone', 'TIMESTAMP'],
      ['timestamp with time zone', 'TIMESTAMPTZ'],
      ['json', 'JSON'],
      ['integer[]', 'INTEGER[]'],
      ['numeric(18,2)[]', 'DECIMAL(18, 2)[]'],
      ['text[]', 'VARCHAR[]'],
    ];
    for (const [pg, duck] of pairs) expect(duckdbTypeOf(pg), pg).toBe(duck);
    // No exact twin: refused, never approximated (a caller turns it into a clear error).
    expect(duckdbTypeOf('numeric(60,2)')).toBeNull();
    expect(duckdbTypeOf('money')).toBeNull();
    expect(duckdbTypeOf('numeric')).toBeNull(); // sized from the data by the copy
    expect(pgTypeOf('DECIMAL(18,2)')).toBe('numeric(18,2)');
    expect(pgTypeOf('HUGEINT')).toBe('numeric(38,0)');
    expect(pgTypeOf('TIMESTAMP')).toBe('timestamp');
    expect(pgTypeOf('DOUBLE')).toBe('double precision');
    expect(pgTypeOf('INTEGER[]')).toBeNull();
    expect(pgTypeOf('STRUCT(a INTEGER)')).toBeNull();
  });
});

/**
 * Doubles to 10 significant digits. Model metrics and probabilities are sums of doubles, which
 * DuckDB adds in whatever order its threads finish: two runs on the same engine can differ in the
 * 15th digit (seen in CI). Money is DECIMAL text and compared exactly.
 */
const roughly = (v: unknown) =>
  typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(10)) : v;

/** Rows as comparable JSON lines, sorted, without the columns that may differ between the runs. */
function canonical(rows: Row[], without: readonly string[]): string[] {
  return rows
    .map((r) =>
      JSON.stringify(
        Object.fromEntries(
          Object.entries(r)
            .filter(([k]) => !without.includes(k))
            .map(([k, v]) => [k, roughly(v)]),
        ),
      ),
    )
    .sort();
}

const HOSTILE_TEXT = `O'Brien, "Quoted" Ltd.\nline two; DROP TABLE ml.x; -- 株式会社 \\N`;

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('copying between PostgreSQL and a DuckDB job', () => {
  const db = pgDatabase();
  let session: PgSession;
  let scratch: string;

  beforeAll(async () => {
    scratch = await tempDir('arlens-pg-snapshot-');
    session = await PgSession.connect(db.url);
    await session.run('CREATE SCHEMA marts');
    await session.run(
      `CREATE TABLE marts.every_type (
         id integer, amount numeric(18,2), rate numeric(18,8), total numeric, big bigint, ratio double precision,
         flag boolean, day date, at timestamp, at_tz timestamptz, name text, note character varying,
         doc json, days integer[], sales numeric(18,2)[], tags text[])`,
    );
    await session.run(
      `INSERT INTO marts.every_type VALUES
         (1, 12345678901234.56, 0.00000001, 123456789012345678901234567890, 9007199254740993, 0.1,
          true, '2024-01-01', '2024-01-01 00:00:00', '2024-01-01 00:00:00+00', $1, '', '{"a": [1, "x"]}',
          '{1,2,3}', '{1.50,-2.25}', ARRAY[$1, NULL, '']),
         (2, -0.01, NULL, 2.5, -1, 'NaN', false, '1999-12-31', '2026-06-30 23:59:59.123456',
          '2026-06-30 15:00:00+09', NULL, NULL, NULL, '{}', NULL, '{}'),
         (3, NULL, 1, NULL, NULL, '-Infinity', NULL, NULL, NULL, NULL, '株式会社テスト', 'x', 'null', NULL, '{}', NULL)`,
      [HOSTILE_TEXT],
    );
  });

  afterAll(async () => {
    await session?.close();
    if (scratch) await fs.rm(scratch, { recursive: true, force: true });
  });

  it('gives the DuckDB job every value exactly as PostgreSQL holds it', async () => {
    const fromPg = await session.rows('SELECT * FROM marts.every_type ORDER BY id');
    const { rows, types } = await withPgSnapshot(
      db.url,
      async (conn) => ({
        rows: await queryRows(conn, 'SELECT * FROM marts.every_type ORDER BY id'),
        types: await queryRows(
          conn,
          `SELECT column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'marts' AND table_name = 'every_type' ORDER BY ordinal_position`,
        ),
      }),
      { scratchDir: scratch, only: ['marts.every_type'] },
    );
    expect(Object.fromEntries(types.map((t) => [t['column_name'], t['data_type']]))).toMatchObject({
      amount: 'DECIMAL(18,2)',
      total: 'DECIMAL(38,1)',
      big: 'BIGINT',
      doc: 'JSON',
      sales: 'DECIMAL(18,2)[]',
    });
    // The unconstrained numeric takes the largest scale it holds (2.5 → one place).
    expect(rows.map((r) => r['total'])).toEqual(['123456789012345678901234567890.0', '2.5', null]);
    // The same instant; DuckDB's boundary writes it in the process's zone (Asia/Tokyo here), as it
    // does for the DuckDB warehouse.
    const instant = (v: Row[keyof Row] | undefined) =>
      v === null ? null : Date.parse(String(v).replace(' ', 'T'));
    expect(rows.map((r) => instant(r['at_tz']))).toEqual(fromPg.map((r) => instant(r['at_tz'])));
    const exact = (r: Row) => ({ ...r, total: undefined, doc: undefined, at_tz: undefined });
    expect(rows.map(exact)).toEqual(fromPg.map(exact));
    expect(rows[0]?.['name']).toBe(HOSTILE_TEXT);
    expect(rows[0]?.['note']).toBe(''); // an empty string stays an empty string, not NULL
    expect(rows[1]?.['note']).toBeNull();
    expect(JSON.parse(String(rows[0]?.['doc']))).toEqual({ a: [1, 'x'] });
    // Nothing of the copy is left behind.
    expect(await fs.readdir(scratch)).toEqual([]);
  });

  it('publishes what a job wrote, exactly, in one swap; a failed job publishes nothing', async () => {
    const engine: WarehouseEngine = { kind: 'postgres', url: db.url };
    const published: string[] = [];
    await withPgSnapshotJob(
      db.url,
      'test-job',
      async (conn) => {
        await conn.run('CREATE SCHEMA IF NOT EXISTS ml');
        await conn.run(
          `CREATE TABLE ml.out AS SELECT id, amount, big, ratio, flag, day, "at", name, CAST(big AS HUGEINT) AS huge
           FROM marts.every_type WHERE id < 3`,
        );
      },
      {
        writes: ['ml'],
        only: ['marts.every_type'],
        scratchDir: scratch,
        onPublish: async (s) => {
          published.push(String((await s.rows('SELECT count(*)::text AS n FROM ml.out'))[0]?.['n']));
        },
      },
    );
    expect(published).toEqual(['2']); // the hook ran inside the publish, seeing the new tables
    const back = await session.rows('SELECT * FROM ml.out ORDER BY id');
    const source = await session.rows(
      `SELECT id, amount, big, ratio, flag, day, "at", name, big::numeric(38,0) AS huge
       FROM marts.every_type WHERE id < 3 ORDER BY id`,
    );
    expect(back).toEqual(source);
    const schemas = async () =>
      (await session.rows(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ml%' ORDER BY 1`)).map(
        (r) => r['nspname'],
      );
    expect(await schemas()).toEqual(['ml']);

    await expect(
      withPgSnapshotJob(
        db.url,
        'test-job',
        async (conn) => {
          await conn.run('DROP TABLE ml.out');
          throw new Error('the job failed');
        },
        { writes: ['ml'], scratchDir: scratch },
      ),
    ).rejects.toThrow('the job failed');
    expect(await session.rows('SELECT count(*)::int AS n FROM ml.out')).toEqual([{ n: 2 }]);
    expect(await schemas()).toEqual(['ml']);

    // A second job while one runs is refused, naming the first; the read path does not need the lock.
    await withPgJob(db.url, 'build', 'held', async () => {
      await expect(
        withPgSnapshotJob(db.url, 'score', async () => undefined, { writes: ['ml'], scratchDir: scratch }),
      ).rejects.toThrow(WarehouseBusyError);
      expect(
        await withPublishedOn(scratch, engine, async (conn) =>
          queryRows(conn, 'SELECT count(*) AS n FROM ml.out'),
        ),
      ).toEqual([{ n: '2' }]);
    });
  });

  it('takes the copy again when a publish happened while it was taken', async () => {
    const attempts: number[] = [];
    const rows = await withPgSnapshot(
      db.url,
      async (conn) => queryRows(conn, 'SELECT id FROM marts.every_type ORDER BY id'),
      {
        scratchDir: scratch,
        only: ['marts.every_type'],
        afterCopy: async (attempt) => {
          attempts.push(attempt);
          if (attempt > 1) return;
          // What a build's publish does: the schema replaced by a new one (another OID).
          await session.transaction(async () => {
            await session.run('ALTER SCHEMA marts RENAME TO marts__old_t');
            await session.run('CREATE SCHEMA marts');
            await session.run(
              'CREATE TABLE marts.every_type AS SELECT * FROM marts__old_t.every_type WHERE id = 1',
            );
          });
        },
      },
    );
    expect(attempts).toEqual([1, 2]);
    expect(rows).toEqual([{ id: 1 }]); // the second copy, of the new generation only
  });
});

const HOSTILE_CUSTOMERS = [
  'customer_id,customer_name,region,country,segment,industry,salesperson,credit_controller,credit_limit,payment_terms_days,currency,status',
  `0000299001,"${HOSTILE_TEXT.replace(/"/g, '""')}",APAC,JP,SMB,Retail,Javier Ortega,Lucía Fernández,5000.00,30,JPY,active`,
  '0000299002,"",EMEA,IE,SMB,Retail,Javier Ortega,Lucía Fernández,,30,EUR,active',
].join('\n');

/** The ml.* tables and the columns that hold a run's time or its model version (they may differ). */
const ML_TABLES: [string, string[]][] = [
  ['customer_risk_scores', ['scored_at', 'model_version']],
  ['risk_status', ['updated_at', 'model_version']],
  ['model_evaluations', ['evaluated_at', 'model_version']],
  ['model_calibration', ['model_version']],
  ['model_selection', ['evaluated_at', 'model_version']],
  ['cash_forecast_intervals', []],
  ['cash_forecast_items', ['forecast_at']],
  ['cash_forecast_lines', ['forecast_at']],
  ['cash_forecast_status', ['forecast_at']],
  ['cash_forecast_evaluation', ['evaluated_at']],
  ['cash_forecast_backtest', ['evaluated_at']],
];

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('risk scores and the cash forecast on PostgreSQL equal DuckDB', () => {
  const db = pgDatabase();
  let root: string;
  let duck: Config;
  let post: Config;
  /** The config file of each config. */
  const files = new Map<Config, string>();

  async function config(name: string, warehouse: string): Promise<Config> {
    const file = join(root, `${name}.yaml`);
    await fs.writeFile(file, `warehouse: ${warehouse}\nas_of: '2026-06-30'\n`);
    const c = await loadConfig(file);
    files.set(c, file);
    return c;
  }

  beforeAll(async () => {
    root = await tempDir('arlens-pg-jobs-');
    const demo = join(root, 'demo');
    await generateDemo({ seed: 5, invoices: 3000, asOf: '2026-06-30', outDir: demo });
    const extra = join(root, 'extra');
    await fs.mkdir(extra);
    await fs.writeFile(join(extra, 'customers_extra.csv'), HOSTILE_CUSTOMERS);
    duck = await config('duck', 'duck');
    post = await config('post', `{ engine: postgres, url: '${db.url}', dir: post }`);
    for (const c of [duck, post]) {
      await runIngest(
        c,
        [
          { path: demo, profile: 'canonical' },
          { path: extra, profile: 'canonical' },
        ],
        false,
      );
      await runBuild(c, { asOf: chosenAsOf(c, undefined, LATEST) });
      await trainRiskModel({ warehouseDir: c.warehouse, engine: jobEngine(c) });
      await refreshForecast(c.warehouse, { engine: jobEngine(c), backtestOrigins: 2 });
    }
  }, 900_000);

  afterAll(async () => {
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('writes every ml table equal, row for row', async () => {
    const read = (c: Config) =>
      withPublishedOn(c.warehouse, jobEngine(c), async (conn) => {
        const out: Record<string, string[]> = {};
        for (const [table, without] of ML_TABLES) {
          out[table] = canonical(await queryRows(conn, `SELECT * FROM ml.${table}`), without);
        }
        return out;
      });
    const fromDuck = await read(duck);
    const fromPg = await read(post);
    expect(fromDuck['customer_risk_scores']!.length).toBeGreaterThan(100);
    expect(fromDuck['cash_forecast_items']!.length).toBeGreaterThan(100);
    expect(fromDuck['cash_forecast_evaluation']!.length).toBeGreaterThan(0);
    for (const [table] of ML_TABLES) expect(fromPg[table], table).toEqual(fromDuck[table]);
    // The hostile customer is scored on both, its name untouched in the forecast.
    expect(fromPg['cash_forecast_items']!.join('\n')).not.toContain('0000299002');
    expect(fromPg['customer_risk_scores']!.some((r) => r.includes('0000299001'))).toBe(true);
  });

  it('reads the same forecast CSV through the CLI on both engines', async () => {
    const cli = (c: Config, ...args: string[]) =>
      run(process.execPath, [join(ROOT, 'bin', 'arlens.js'), '-c', files.get(c)!, ...args], {
        env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env['PATH'] ?? ''}` },
        maxBuffer: 64 * 1024 * 1024,
      });
    for (const args of [
      ['forecast', '--no-refresh'],
      ['forecast', '--no-refresh', '--items'],
    ]) {
      const [a, b] = [await cli(duck, ...args), await cli(post, ...args)];
      expect(b.stdout.length, args.join(' ')).toBeGreaterThan(1000);
      expect(b.stdout, args.join(' ')).toBe(a.stdout);
    }
  });

  it('shows the same risk, cash and overview pages on both servers', async () => {
    // One server at a time (the dashboard's server side is one per process), on one operational
    // store, so the same session signs in to both.
    const opsStore = join(root, 'ops-pages.db');
    let headers: { cookie: string } | undefined;
    const pages = async (c: Config) => {
      const server = await startServer({
        host: '127.0.0.1',
        port: 0,
        apiSecret: TEST_SECRET,
        opsStore,
        warehouseDir: c.warehouse,
        ...(c.engine.kind === 'postgres' ? { postgres: { url: c.engine.url } } : {}),
      });
      try {
        headers ??= await sessionCookie(server, { role: 'cfo' });
        const [top] = await server.warehouse.query(
          `SELECT customer_id FROM ml.customer_risk_scores ORDER BY probability_of_default DESC, customer_id LIMIT 1`,
        );
        const out: Record<string, string> = {};
        for (const path of ['/risk', '/cash', '', `/customers/${String(top?.['customer_id'])}`]) {
          const res = await fetch(new URL(`${path}/__data.json`, server.url), { headers });
          expect(res.status, path).toBe(200);
          out[path || '/'] = (await res.text())
            .replace(/pd-\d{4}-\d\d-\d\d-[0-9a-f]+/g, '<model version>')
            .replace(/\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?Z?/g, '<run time>')
            // Unquoted doubles (metrics, probabilities) to 10 significant digits, as in canonical().
            .replace(/(?<=[,:[])-?\d+\.\d{6,}(e-?\d+)?(?=[,\]}])/g, (n) => String(roughly(Number(n))));
        }
        return out;
      } finally {
        await server.close();
      }
    };
    const fromDuck = await pages(duck);
    const fromPg = await pages(post);
    for (const [path, body] of Object.entries(fromDuck)) {
      expect(body, path).not.toMatch(/"type":"(error|redirect)"/);
      expect(fromPg[path], path).toEqual(body);
    }
    // The pages carry the scores and the forecast, not their empty placeholders.
    expect(fromPg['/risk']).toMatch(/in default|high|medium/);
  }, 300_000);

  it('finds the scores current on PostgreSQL, and leaves no job schema behind', async () => {
    const r = await ensureRiskScores({
      warehouseDir: post.warehouse,
      modelDir: defaultModelDir(post.warehouse),
      engine: jobEngine(post),
    });
    expect(r.message).toMatch(/^risk scores are current/);
    expect(r.scored).toBe(false);
    const session = await PgSession.connect(db.url);
    try {
      const left = await session.rows(
        `SELECT nspname FROM pg_namespace WHERE nspname LIKE '%\\_\\_next' OR nspname LIKE '%\\_\\_old\\_%'`,
      );
      expect(left).toEqual([]);
    } finally {
      await session.close();
    }
  });
});
