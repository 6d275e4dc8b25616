/**
 * warehouse/session.ts on both engines: the same statements give the same rows through each engine's
 * conversion boundary (money exact, dates that no time zone shifts), describe and relationKind agree,
 * and hostile identifiers and values stay identifiers and values.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ident } from '../../warehouse/duckdb.ts';
import { DuckDbSession, PgSession, type SqlSession } from '../../warehouse/session.ts';
import { PG_URL, pgDatabase } from './database.ts';

const HOSTILE_SCHEMA = `we"ird; DROP SCHEMA public; --`;
const HOSTILE_TABLE = `Ta"ble 'x' ü`;
const HOSTILE_VALUE = `'); DROP TABLE t; -- "x" \\ ü`;

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('SqlSession on PostgreSQL and DuckDB', () => {
  const db = pgDatabase();
  let pgs: PgSession;
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  let duck: DuckDbSession;

  beforeAll(async () => {
    pgs = await PgSession.connect(db.url, { applicationName: 'arlens session test' });
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
    duck = new DuckDbSession(conn);
  });
  afterAll(async () => {
    await pgs?.close();
    conn?.closeSync();
    instance?.closeSync();
  });

  const both = (): [string, SqlSession][] => [
    ['duckdb', duck],
    ['postgres', pgs],
  ];

  it('sets the job session up: UTC whatever the server says, ISO dates, no JIT, its name', async () => {
    // The test cluster itself runs in Asia/Tokyo (tests/pg/cluster.ts), as Vitest does.
    const rows = await pgs.rows(
      `SELECT current_setting('TimeZone') AS tz, current_setting('DateStyle') AS ds,
              current_setting('jit') AS jit, current_setting('application_name') AS app`,
    );
    expect(rows).toEqual([{ tz: 'UTC', ds: 'ISO, YMD', jit: 'off', app: 'arlens session test' }]);
  });

  it('gives the same rows on both engines: money exact, dates and timestamps as text, counts as strings', async () => {
    expect(process.env.TZ).toBe('Asia/Tokyo'); // a JS Date of 2024-01-01 would be 2023-12-31 in UTC
    const create = `CREATE TABLE t (
      id INTEGER, amount DECIMAL(18,2), rate DECIMAL(18,8), big BIGINT, ratio DOUBLE PRECISION,
      ok BOOLEAN, label VARCHAR, d DATE, ts TIMESTAMP)`;
    const insert = 'INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)';
    const values = [
      [
        1,
        '12345678901234.56',
        '0.00000001',
        '9007199254740993',
        0.1,
        true,
        HOSTILE_VALUE,
        '2024-01-01',
        '2024-01-01 00:00:00',
      ],
      [2, '-0.10', '1.23456789', null, 1e-300, false, 'ü日本', '1999-12-31', '2026-03-29 23:59:59.123456'],
      [3, null, null, '-42', null, null, null, null, null],
    ];
    const results = [];
    for (const [, s] of both()) {
      await s.run(create.replace('DOUBLE PRECISION', s.dialect === 'duckdb' ? 'DOUBLE' : 'DOUBLE PRECISION'));
      for (const v of values) expect(await s.run(insert, v)).toBe(1);
      results.push(
        await s.rows(
          'SELECT t.*, count(*) OVER () AS n, sum(amount) OVER () AS total, d + 1 AS next_day FROM t ORDER BY id',
        ),
      );
    }
    const [fromDuck, fromPg] = results;
    expect(fromPg).toEqual(fromDuck);
    expect(fromPg![0]).toEqual({
      id: 1,
      amount: '12345678901234.56',
      rate: '0.00000001',
      big: '9007199254740993',
      ratio: 0.1,
      ok: true,
      label: HOSTILE_VALUE,
      d: '2024-01-01',
      ts: '2024-01-01 00:00:00',
      n: '3',
      total: '12345678901234.46',
      next_day: '2024-01-02',
    });
    expect(fromPg![1]).toMatchObject({ d: '1999-12-31', ts: '2026-03-29 23:59:59.123456', ratio: 1e-300 });
    expect(fromPg![2]).toMatchObject({ amount: null, big: '-42', d: null, ts: null, ok: null });
  });

  it('keeps exact arrays: numeric[] and bigint[] as strings, integer[] as numbers, date[] as text', async () => {
    const rows = await pgs.rows(
      `SELECT ARRAY[1.50, 2.25]::numeric(18,2)[] AS money, ARRAY[9007199254740993]::bigint[] AS big,
              ARRAY[31, 29, NULL]::int[] AS days, ARRAY[DATE '2024-02-29']::date[] AS dates,
              '{"a": 1}'::json AS doc, interval '1 day' AS span`,
    );
    expect(rows).toEqual([
      {
        money: ['1.50', '2.25'],
        big: ['9007199254740993'],
        days: [31, 29, null],
        dates: ['2024-02-29'],
        doc: '{"a": 1}',
        span: '1 day',
      },
    ]);
    const [duckRow] = await duck.rows(
      `SELECT [1.50, 2.25]::DECIMAL(18,2)[] AS money, [31, 29, NULL]::INTEGER[] AS days, [DATE '2024-02-29'] AS dates`,
    );
    expect(duckRow).toEqual({ money: rows[0]!['money'], days: rows[0]!['days'], dates: rows[0]!['dates'] });
  });

  it('describes relations and queries with castable type names, and tells tables from views', async () => {
    for (const [name, s] of both()) {
      const schema = ident(HOSTILE_SCHEMA);
      const table = `${schema}.${ident(HOSTILE_TABLE)}`;
      await s.run(`CREATE SCHEMA ${schema}`);
      await s.run(`CREATE TABLE ${table} ("a""b" DECIMAL(18,2), "when" DATE, n INTEGER[])`);
      await s.run(`CREATE VIEW ${schema}."v" AS SELECT * FROM ${table}`);
      const described = await s.describe(table);
      expect(
        described.map((c) => c.name),
        name,
      ).toEqual(['a"b', 'when', 'n']);
      const types = described.map((c) => c.type);
      expect(types, name).toEqual(
        s.dialect === 'duckdb'
          ? ['DECIMAL(18,2)', 'DATE', 'INTEGER[]']
          : ['numeric(18,2)', 'date', 'integer[]'],
      );
      // The names can be cast to: a value bound as text and cast to each type round-trips.
      const cast = await s.rows(`SELECT cast($1 as ${types[0]}) AS m, cast($2 as ${types[1]}) AS d`, [
        '1.5',
        '2024-01-31',
      ]);
      expect(cast, name).toEqual([{ m: '1.50', d: '2024-01-31' }]);
      const query = await s.describe(`(SELECT count(*) AS n, 1.5 / 3 AS r FROM ${table})`);
      expect(
        query.map((c) => c.name),
        name,
      ).toEqual(['n', 'r']);
      expect(await s.relationKind(HOSTILE_SCHEMA, HOSTILE_TABLE), name).toBe('table');
      expect(await s.relationKind(HOSTILE_SCHEMA, 'v'), name).toBe('view');
      expect(await s.relationKind(HOSTILE_SCHEMA, 'nope'), name).toBeNull();
      expect(await s.relationKind('main', HOSTILE_TABLE), name).toBeNull();
    }
    // The hostile schema name did not drop anything.
    expect(await pgs.relationKind('public', 'nope')).toBeNull();
    expect((await pgs.rows(`SELECT 1 AS one FROM pg_namespace WHERE nspname = 'public'`)).length).toBe(1);
  });

  it('describes a query with bound parameters, and a temp table by its bare name', async () => {
    const cols = await pgs.describe('SELECT cast($1 as numeric(18,2)) AS m, cast($2 as date) AS d', [
      '1',
      '2024-01-01',
    ]);
    expect(cols).toEqual([
      { name: 'm', type: 'numeric(18,2)' },
      { name: 'd', type: 'date' },
    ]);
    await pgs.run('CREATE TEMP TABLE "tmp x" AS SELECT 1::bigint AS k');
    expect(await pgs.describe('"tmp x"')).toEqual([{ name: 'k', type: 'bigint' }]);
  });

  it('counts the rows a statement changed the same way, CREATE TABLE … AS included', async () => {
    await pgs.run('CREATE TABLE c AS SELECT g AS k FROM generate_series(1, 5) AS g');
    expect(await pgs.run('UPDATE c SET k = k + 1 WHERE k > 2')).toBe(3);
    expect(await pgs.run('DELETE FROM c WHERE k = $1', [6])).toBe(1);
    expect(await pgs.run('CREATE TABLE c2 AS SELECT * FROM c')).toBe(4);
    expect(
      await pgs
        .run('INSERT INTO c SELECT 100 UNION ALL SELECT $1::int', [9007199254740993n.toString()])
        .catch((e: Error) => e.message),
    ).toMatch(/out of range/);
    expect(await pgs.run('INSERT INTO c VALUES ($1)', [BigInt(7)])).toBe(1);
  });

  it('rolls a failed transaction back and reports the database error', async () => {
    await pgs.run('CREATE TABLE tx (k int PRIMARY KEY)');
    await expect(
      pgs.transaction(async () => {
        await pgs.run('INSERT INTO tx VALUES (1)');
        await pgs.run('INSERT INTO tx VALUES (1)');
      }),
    ).rejects.toThrow(/duplicate key/);
    expect(await pgs.rows('SELECT count(*) AS n FROM tx')).toEqual([{ n: '0' }]);
    await pgs.transaction(() => pgs.run('INSERT INTO tx VALUES (2)'));
    expect(await pgs.rows('SELECT k FROM tx')).toEqual([{ k: 2 }]);
  });
});
