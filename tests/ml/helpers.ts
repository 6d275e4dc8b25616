/** Warehouses for the risk-model tests: hand-written exports or demo data, loaded and built. */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { canonicalHeader, ROOT } from '../helpers.ts';

/** Load a folder of canonical exports into `warehouseDir` and build the marts. */
export async function loadAndBuild(exportsDir: string, warehouseDir: string): Promise<void> {
  await ingest([{ path: exportsDir, profile: 'canonical' }], { warehouseDir });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir });
}

/** Demo exports in `dir`/exports, loaded and built into `dir`/wh; returns the warehouse folder. */
export async function demoWarehouse(
  dir: string,
  o: { seed: number; invoices: number; asOf: string },
): Promise<{ exports: string; warehouse: string }> {
  const exports = join(dir, 'exports');
  const warehouse = join(dir, 'wh');
  await fs.mkdir(exports, { recursive: true });
  await generateDemo({ ...o, outDir: exports });
  await loadAndBuild(exports, warehouse);
  return { exports, warehouse };
}

/** Write `<entity>.csv` files (header + rows) into `dir`. */
export async function writeExports(dir: string, files: Record<string, string[]>): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const [entity, lines] of Object.entries(files)) {
    await fs.writeFile(join(dir, `${entity}.csv`), `${lines.join('\n')}\n`, 'utf8');
  }
}

export const HEADERS = Object.fromEntries(
  (
    [
      'customers',
      'invoices',
      'payments',
      'payment_applications',
      'credit_memos',
      'write_offs',
      'disputes',
      'collection_activities',
    ] as const
  ).map((e) => [e, canonicalHeader(e)]),
) as Record<
  | 'customers'
  | 'invoices'
  | 'payments'
  | 'payment_applications'
  | 'credit_memos'
  | 'write_offs'
  | 'disputes'
  | 'collection_activities',
  string
>;
