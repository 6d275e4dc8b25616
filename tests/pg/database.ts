/**
 * The PostgreSQL side of a test file: the test cluster's URL (provided by tests/global-setup.ts) and a
 * database of the file's own. Suites guard themselves with `describe.skipIf(!PG_URL)`.
 */
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { databaseUrl } from './cluster.ts';

let counter = 0;

/** The test cluster's URL, or null when PostgreSQL is unavailable (the global setup printed why). */
export const PG_URL: string | null = inject('pgUrl');

/**
 * A database of this test file's own, created before its tests and dropped after them:
 * `db.url` is valid inside tests and hooks (not at collection time). Call at the top of a
 * `describe.skipIf(!PG_URL)` block.
 */
export function pgDatabase(): { readonly url: string; readonly name: string } {
  const state = { url: '', name: '' };
  beforeAll(async () => {
    if (!PG_URL)
      throw new Error('pgDatabase() needs the test cluster; guard the suite with describe.skipIf(!PG_URL)');
    state.name = `t_${process.pid}_${++counter}_${Date.now().toString(36)}`;
    await admin(PG_URL, `CREATE DATABASE "${state.name}" TEMPLATE template0`);
    state.url = databaseUrl(PG_URL, state.name);
  });
  afterAll(async () => {
    if (PG_URL && state.name) await admin(PG_URL, `DROP DATABASE IF EXISTS "${state.name}" WITH (FORCE)`);
  });
  return state;
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
