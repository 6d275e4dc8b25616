/**
 * The critical hole of issue 11: Cube 0.35 writes `query.timezone` verbatim into SQL. A signed-in
 * LATAM sales lead sent a timezone that closed the string and selected from other regions' rows and
 * from files on disk. These tests replay that attack (and its variants) and must never see data.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, type SecurityContext } from '../../cube/security.ts';
import { TEST_SECRET } from '../helpers.ts';
import { startCubeHarness, type CubeHarness } from '../cube/harness.ts';

let h: CubeHarness;
let canary: string;
const LATAM: SecurityContext = { role: 'sales_lead', regions: ['LATAM'] };
const CANARY_TEXT = 'arlens-canary-7f3a9c';

beforeAll(async () => {
  h = await startCubeHarness();
  canary = join(h.root, 'arlens.secret');
  await fs.writeFile(canary, `${CANARY_TEXT}\n`);
}, 240_000);
afterAll(async () => {
  await h?.close();
});

async function load(query: unknown, context: SecurityContext = LATAM) {
  const url = new URL(`${h.server.url}cubejs-api/v1/load`);
  url.searchParams.set('query', JSON.stringify(query));
  const res = await fetch(url, { headers: { authorization: await signToken(TEST_SECRET, context) } });
  return { status: res.status, text: await res.text() };
}

const MISS_ROLLUPS = {
  measures: ['analyst.count'],
  dimensions: ['analyst.country'],
  timeDimensions: [{ dimension: 'analyst.issue_date', granularity: 'year' }],
};

describe('the timezone injection (issue 11, critical)', () => {
  it('cannot count every region’s invoices', async () => {
    const res = await load({
      ...MISS_ROLLUPS,
      timezone: `UTC')) "analyst__issue_date_year", (SELECT count(*) FROM marts.fct_invoices) "analyst__count" --`,
    });
    const [all] = await h.sql('SELECT count(*) AS n FROM marts.fct_invoices');
    expect(res.status).toBe(400);
    expect(res.text).not.toContain(String(all!['n']));
    expect(res.text).toMatch(/timezone/i);
  });

  it('cannot read a file on the server', async () => {
    const res = await load({
      ...MISS_ROLLUPS,
      timezone: `UTC')) "analyst__issue_date_year", (SELECT content FROM read_text('${canary}')) "analyst__count" --`,
    });
    expect(res.status).toBe(400);
    expect(res.text).not.toContain(CANARY_TEXT);
  });

  it('a real IANA time zone still works', async () => {
    const res = await load({ ...MISS_ROLLUPS, timezone: 'Asia/Tokyo' });
    expect(res.status).toBe(200);
  });
});

describe('the serving DuckDB, should SQL ever get past the query guard', () => {
  it.each([
    ['read a file', (f: string) => `SELECT content FROM read_text('${f}')`],
    ['scan a file as CSV', () => `SELECT * FROM read_csv('/etc/hostname')`],
    ['write a file', (f: string) => `COPY (SELECT 1) TO '${f}.out'`],
    ['attach another database', (f: string) => `ATTACH '${f}.db' AS x`],
    ['turn file access back on', () => 'SET enable_external_access = true'],
    ['widen the allowed paths', (f: string) => `SET allowed_paths = ['${f}']`],
  ])('cannot %s', async (_name, sql) => {
    await expect(h.server.warehouse.query(sql(canary))).rejects.toThrow(/disabled by configuration|locked/);
  });

  it('still serves the published warehouse, and follows a swap', async () => {
    const [row] = await h.server.warehouse.query('SELECT count(*) AS n FROM marts.fct_invoices');
    expect(Number(row!['n'])).toBeGreaterThan(0);
  });
});
