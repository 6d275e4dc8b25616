/** The PostgreSQL test harness: the cluster the global setup started, and a database per test file. */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PG_URL, pgDatabase } from './database.ts';

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('the PostgreSQL test cluster', () => {
  const db = pgDatabase();

  it('gives this file a database of its own, UTF-8 with the C collation, on a private unix socket', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; enc: string; coll: string; addr: string | null }>(
        `SELECT current_database() AS db, pg_encoding_to_char(encoding) AS enc, datcollate AS coll,
                inet_server_addr()::text AS addr
           FROM pg_database WHERE datname = current_database()`,
      );
      expect(rows).toEqual([{ db: db.name, enc: 'UTF8', coll: 'C.UTF-8', addr: null }]);
      await client.query('CREATE TABLE t (id int PRIMARY KEY, label text)');
      await client.query('INSERT INTO t VALUES ($1, $2)', [1, 'one']);
      expect((await client.query('SELECT label FROM t')).rows).toEqual([{ label: 'one' }]);
      // The cluster runs in the pinned test time zone, so code that needs UTC must say so itself.
      expect((await client.query('SHOW TimeZone')).rows).toEqual([{ TimeZone: 'Asia/Tokyo' }]);
    } finally {
      await client.end();
    }
  });

  it('creates and drops databases on demand, and a dropped one is gone', async () => {
    const admin = new pg.Client({ connectionString: PG_URL! });
    await admin.connect();
    try {
      await admin.query('CREATE DATABASE "harness probe" TEMPLATE template0');
      const exists = async () =>
        (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', ['harness probe'])).rowCount;
      expect(await exists()).toBe(1);
      await admin.query('DROP DATABASE "harness probe" WITH (FORCE)');
      expect(await exists()).toBe(0);
    } finally {
      await admin.end();
    }
  });
});
