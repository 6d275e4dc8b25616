/**
 * Rewrite tests/fixtures/compiled-duckdb-main/ (the DuckDB SQL of every model, which
 * portable-duckdb.test.ts holds the models to): `npx tsx tests/models/compiled-baseline.ts`.
 * Run it only after a model changed on purpose and its new SQL was proven (the marts equal, the
 * suite green), then empty REWRITTEN in portable-duckdb.test.ts: the baseline is main again.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../models/runner/compile.ts';
import { ROOT } from '../helpers.ts';

export const BASELINE_DIR = join(ROOT, 'tests', 'fixtures', 'compiled-duckdb-main');

export async function writeBaseline(): Promise<number> {
  const { nodes } = await compile(join(ROOT, 'models'));
  await fs.rm(BASELINE_DIR, { recursive: true, force: true });
  await fs.mkdir(BASELINE_DIR, { recursive: true });
  const models = nodes.filter((n) => n.kind === 'model');
  for (const n of models) await fs.writeFile(join(BASELINE_DIR, `${n.name}.sql`), `${n.sql ?? ''}\n`);
  return models.length;
}

if (process.argv[1] === import.meta.filename) {
  console.log(`${await writeBaseline()} models written to ${BASELINE_DIR}`);
}
