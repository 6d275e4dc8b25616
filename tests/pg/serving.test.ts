/**
 * PgServingWarehouse (warehouse/pg-serving.ts): placeholders, values through convert-pg.ts, setup,
 * and following publishes (NOTIFY, and the poll when a notification was missed).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberPlaceholders, PgServingWarehouse, PUBLISH_CHANNEL } from '../../warehouse/pg-serving.ts';
import { PG_URL, pgDatabase } from './database.ts';

describe('numberPlaceholders', () => {
  it('numbers ? outside literals, quoted names, dollar quotes and comments', () => {
    expect(numberPlaceholders('SELECT * FROM t WHERE a = ? AND b IN (?, ?)')).toBe(
      'SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)',
    );
    expect(
      numberPlaceholders(`SELECT '?', 'it''s ?', "col?" , $$ ? $$, $tag$ ? $tag$ -- ?\n, ? /* ? */, ?`),
    ).toBe(`SELECT '?', 'it''s ?', "col?" , $$ ? $$, $tag$ ? $tag$ -- ?\n, $1 /* ? */, $2`);
  });

  it('leaves numbered and placeholder-free SQL alone', () => {
    expect(numberPlaceholders('SELECT $1::int, $2')).toBe('SELECT $1::int, $2');
    expect(numberPlaceholders("SELECT 'a' || col FROM t")).toBe("SELECT 'a' || col FROM t");
  });

  it('does not run away on unterminated quotes or comments', () => {
    expect(numberPlaceholders("SELECT '?")).toBe("SELECT '?");
    expect(numberPlaceholders('SELECT /* ?')).toBe('SELECT /* ?');
    expect(numberPlaceholders('SELECT $$ ?')).toBe('SELECT $$ ?');
  });
});

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('PgServingWarehouse', () => {
  const db = pgDatabase();
  let admin: pg.Client;
  let wh: PgServingWarehouse | undefined;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    await wh?.close();
    await admin?.end();
  });

  it('serves nothing before a publish, then follows NOTIFY and the poll', async () => {
    wh = new PgServingWarehouse({
      url: db.url,
      connections: 2,
      pollMs: 100,
      setup: ['CREATE SCHEMA IF NOT EXISTS arlens', 'CREATE TABLE IF NOT EXISTS public.setup_ran (x int)'],
    });
    await wh.open();
    expect(wh.engine).toBe('postgres');
    expect(wh.generation).toBe(0);
    expect(await wh.query('SELECT count(*) AS n FROM public.setup_ran')).toEqual([{ n: '0' }]);

    const first = new Promise<number>((resolve) => wh!.once('swap', resolve));
    await admin.query(`CREATE SCHEMA meta; CREATE TABLE meta.model_runs (run_id varchar, started_at timestamp);
      INSERT INTO meta.model_runs VALUES ('run-1', '2026-01-02 03:04:05')`);
    // No notification: the poll finds the publish.
    expect(await first).toBe(1);

    const second = new Promise<number>((resolve) => wh!.once('swap', resolve));
    await admin.query(`BEGIN; INSERT INTO meta.model_runs VALUES ('run-2', '2026-01-03 00:00:00');
      SELECT pg_notify('${PUBLISH_CHANNEL}', 'run-2'); COMMIT`);
    expect(await second).toBe(2);
    // A notification with no new build still moves the generation (an ingest publishes without a run).
    const third = new Promise<number>((resolve) => wh!.once('swap', resolve));
    await admin.query(`SELECT pg_notify('${PUBLISH_CHANNEL}', 'ingest run-3')`);
    expect(await third).toBe(3);
  });

  it('binds hostile values and gives DuckDB’s cell types', async () => {
    const hostile = "x'); DROP SCHEMA meta CASCADE; --";
    const rows = await wh!.query(
      `SELECT ? AS s, ?::numeric(18,2) AS money, ?::date AS d, 2::bigint AS big, 0.5::float8 AS f,
              true AS b, ?::int AS i`,
      [hostile, '12345678901234.56', '2024-01-01', 7],
    );
    expect(rows).toEqual([
      { s: hostile, money: '12345678901234.56', d: '2024-01-01', big: '2', f: 0.5, b: true, i: 7 },
    ]);
    expect(await wh!.query('SELECT count(*) AS n FROM meta.model_runs')).toEqual([{ n: '2' }]);
  });

  it('refuses to start when setup fails, naming the cause', async () => {
    const broken = new PgServingWarehouse({ url: db.url, setup: ['CREATE TABLE nowhere.x (y int)'] });
    await expect(broken.open()).rejects.toThrow(/Cannot prepare the PostgreSQL warehouse.*nowhere/);
    await broken.close();
  });
});
