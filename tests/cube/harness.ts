/**
 * A demo warehouse with the marts built and the ARLens server (Cube included) on a free port, for
 * the semantic-layer tests. One per test file; everything is closed in `close()`.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import cube, { type CubeApi, type Query } from '@cubejs-client/core';
import { signToken, type SecurityContext } from '../../cube/security.ts';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import type { Row } from '../../warehouse/convert.ts';
import { published, ROOT, TEST_SECRET, tempDir } from '../helpers.ts';

export const DEMO_AS_OF = '2026-06-30';

export interface CubeHarness {
  readonly root: string;
  readonly wh: string;
  readonly server: RunningServer;
  /** A @cubejs-client/core API signed in as `context`. */
  client(context: SecurityContext): Promise<CubeApi>;
  /** Rows of /v1/load for `context` (measures as strings, as Cube returns them). */
  load(context: SecurityContext, query: Query): Promise<Row[]>;
  /** SQL on the published warehouse (the independent side of every comparison). */
  sql(sql: string): Promise<Row[]>;
  close(): Promise<void>;
}

export async function demoWarehouse(root: string, invoices = 3000): Promise<string> {
  const wh = join(root, 'wh');
  const exports = join(root, 'exports');
  await fs.mkdir(exports, { recursive: true });
  await generateDemo({ seed: 5, invoices, asOf: DEMO_AS_OF, outDir: exports });
  await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
  return wh;
}

export async function startCubeHarness(
  prepare: (root: string) => Promise<string> = demoWarehouse,
): Promise<CubeHarness> {
  const root = await tempDir('arlens-cube-');
  const wh = await prepare(root);
  const server = await startServer({ warehouseDir: wh, host: '127.0.0.1', port: 0, apiSecret: TEST_SECRET });
  const client = async (context: SecurityContext) =>
    cube(await signToken(TEST_SECRET, context), { apiUrl: `${server.url}cubejs-api/v1` });
  return {
    root,
    wh,
    server,
    client,
    load: async (context, query) => (await (await client(context)).load(query)).rawData() as Row[],
    sql: (sql) => published(wh, sql),
    close: async () => {
      await server.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

/** A number from Cube or DuckDB (strings for DECIMAL), or null. */
export function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v);
  if (Number.isNaN(n)) throw new Error(`not a number: ${String(v)}`);
  return n;
}

/** Rows keyed by `key(row)`, to compare two result sets regardless of order. */
export function byKey(rows: Row[], key: (r: Row) => string): Map<string, Row> {
  return new Map(rows.map((r) => [key(r), r]));
}
