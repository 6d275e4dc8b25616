/**
 * A job's DuckDB (ingest, build, train, score) reaches only the files it was given: its own copy of
 * the warehouse and, for ingest, the export files and its scratch folder. SQL that ran in a job,
 * whatever its origin, cannot read the API secret, write elsewhere, or attach another database.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withNextGeneration } from '../../warehouse/store.ts';
import { tempDir } from '../helpers.ts';

let root: string;
let secret: string;
let allowed: string;

beforeAll(async () => {
  root = await tempDir('arlens-job-access-');
  secret = join(root, 'arlens.secret');
  allowed = join(root, 'exports', 'invoices.csv');
  await fs.writeFile(secret, 'job-canary\n');
  await fs.mkdir(join(root, 'exports'));
  await fs.writeFile(allowed, 'a,b\n1,2\n');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const wh = () => join(root, 'wh');

describe("a job's DuckDB", () => {
  it.each([
    ['read the API secret', () => `SELECT content FROM read_text('${secret}')`],
    [
      'read an export it was not given',
      () => `SELECT * FROM read_csv('${join(root, 'exports', '..', 'arlens.secret')}')`,
    ],
    ['write a file', () => `COPY (SELECT 1) TO '${join(root, 'out.csv')}'`],
    ['attach another database', () => `ATTACH '${join(root, 'other.duckdb')}' AS o`],
    ['turn file access back on', () => 'SET enable_external_access = true'],
    ['widen what it may read', () => `SET allowed_paths = ['${secret}']`],
  ])('cannot %s', async (_name, sql) => {
    await expect(
      withNextGeneration(wh(), 'test', async (conn) => conn.run(sql()), { access: { files: [allowed] } }),
    ).rejects.toThrow(/disabled|Cannot/);
  });

  it('reads the files it was given and writes its own warehouse, which is then published', async () => {
    await withNextGeneration(
      wh(),
      'test',
      async (conn) => {
        await conn.run(`CREATE TABLE t AS SELECT * FROM read_csv('${allowed}')`);
      },
      { access: { files: [allowed] } },
    );
    await expect(fs.stat(join(wh(), 'current.duckdb'))).resolves.toBeTruthy();
  });
});
