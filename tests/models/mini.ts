/** The dbt-mini fixture project and the raw tables it reads, for the runner's integration tests. */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { withNextGeneration } from '../../warehouse/store.ts';
import { FIXTURES, tempDir } from '../helpers.ts';

export const MINI = join(FIXTURES, 'dbt-mini');

/** The raw data dbt-mini reads: three customers, four invoices (one 'void': the warn test). */
export const RAW_SQL = `
CREATE SCHEMA IF NOT EXISTS raw;
CREATE OR REPLACE TABLE raw.customers (customer_id VARCHAR, name VARCHAR, region VARCHAR);
INSERT INTO raw.customers VALUES ('C1', 'Acme', 'emea'), ('C2', ' Bento ', 'apac'), ('C3', 'Cobre', 'latam');
CREATE OR REPLACE TABLE raw.invoices (
  invoice_id VARCHAR, customer_id VARCHAR, amount_cents BIGINT, status VARCHAR, issue_date DATE, updated_at TIMESTAMP
);
INSERT INTO raw.invoices VALUES
  ('I1', 'C1', 10050, 'open', DATE '2024-01-10', TIMESTAMP '2024-01-10 09:00:00'),
  ('I2', 'C1', 2000, 'paid', DATE '2024-01-11', TIMESTAMP '2024-01-11 09:00:00'),
  ('I3', 'C2', 5000, 'open', DATE '2024-01-12', TIMESTAMP '2024-01-12 09:00:00'),
  ('I4', 'C3', 700, 'void', DATE '2024-01-13', TIMESTAMP '2024-01-13 09:00:00');
`;

/** Run SQL in a new published generation of the warehouse in `dir` (as an ingest would). */
export async function writeWarehouse(dir: string, sql: string): Promise<void> {
  await withNextGeneration(dir, 'test', async (conn) => {
    await conn.run(sql);
  });
}

/** A fresh warehouse holding the raw tables. */
export async function miniWarehouse(): Promise<string> {
  const dir = await tempDir('arlens-runner-');
  await writeWarehouse(dir, RAW_SQL);
  return dir;
}

/** A copy of dbt-mini to change: `files` maps paths in the project to new contents. */
export async function miniCopy(files: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir('arlens-dbt-mini-');
  await fs.cp(MINI, dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    await fs.mkdir(join(dir, path, '..'), { recursive: true });
    await fs.writeFile(join(dir, path), text, 'utf8');
  }
  return dir;
}
