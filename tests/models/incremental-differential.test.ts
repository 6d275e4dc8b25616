/**
 * Incremental builds equal full rebuilds, on ledgers we did not shape. A seeded property test: for
 * each case a random small ledger (ledger-gen.ts), cut into loads in a random order (any entity
 * first, corrections, empty files), each load followed by an `arlens build` with an as-of date that
 * moves forward, backward or is left to the data. After every step, every table of the marts and
 * intermediate layers of the incremental warehouse must equal a full refresh of the same raw data,
 * row for row.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { build, BuildFailedError } from '../../models/runner/index.ts';
import { SeededRandom } from '../../core/random.ts';
import { queryRows } from '../../warehouse/convert.ts';
import { ROOT, tempDir } from '../helpers.ts';
import { csv, randomLedger, randomLoads } from './ledger-gen.ts';

const PROJECT = join(ROOT, 'models');
/** Cases and the seed they start from; every failure names its case seed and step to replay. */
const CASES = Number(process.env['ARLENS_DIFF_CASES'] ?? 6);
const FIRST_SEED = Number(process.env['ARLENS_DIFF_SEED'] ?? 1000);
const AGINGS = [
  { aging_basis: 'due_date', aging_buckets: [30, 60, 90, 180] },
  { aging_basis: 'document_date', aging_buckets: [30, 60, 90] },
  { aging_basis: 'due_date', aging_buckets: [15, 45, 120, 360, 720] },
];
/** Unit tests do not read the warehouse's data: they run in every other build test. */
const NO_UNIT_TESTS = ['resource_type:unit_test'];

let root: string;
beforeAll(async () => {
  root = await tempDir('arlens-diff-');
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Rows that differ between the two warehouses, per table (empty when equal). */
async function differences(a: string, b: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    await conn.run(`ATTACH '${a}' AS a (READ_ONLY)`);
    await conn.run(`ATTACH '${b}' AS b (READ_ONLY)`);
    const tables = await queryRows(
      conn,
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
       WHERE table_catalog = 'b' AND table_type = 'BASE TABLE' AND table_schema IN ('marts', 'intermediate')
       ORDER BY 1, 2`,
    );
    const out: string[] = [];
    for (const { s, t } of tables as { s: string; t: string }[]) {
      const name = `"${s}"."${t}"`;
      // Columns starting with _ (_watermark, _as_of_date) are the incremental models' bookkeeping: when
      // a row was last rebuilt, not what it says.
      const cols = (
        await queryRows(
          conn,
          `SELECT column_name AS c FROM information_schema.columns
           WHERE table_catalog = 'b' AND table_schema = $1 AND table_name = $2 AND NOT starts_with(column_name, '_')
           ORDER BY ordinal_position`,
          [s, t],
        )
      )
        .map((r) => `"${String(r['c'])}"`)
        .join(', ');
      const only = async (x: string, y: string) =>
        queryRows(
          conn,
          `SELECT * FROM (SELECT ${cols} FROM ${x}.${name} EXCEPT ALL SELECT ${cols} FROM ${y}.${name}) LIMIT 3`,
        );
      const extra = await only('a', 'b');
      const missing = await only('b', 'a');
      if (extra.length > 0 || missing.length > 0) {
        out.push(
          `${s}.${t}: incremental has ${JSON.stringify(extra)} that a full refresh does not; ` +
            `a full refresh has ${JSON.stringify(missing)} that incremental does not`,
        );
      }
    }
    return out;
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** What failed in a build, node by node. */
function failures(e: unknown): string {
  if (!(e instanceof BuildFailedError)) return String(e);
  return e.report.results
    .filter((r) => r.status === 'error')
    .map((r) => `${r.name}: ${r.message}`)
    .join('; ');
}

describe('incremental equals full refresh (seeded random ledgers and load orders)', () => {
  for (let k = 0; k < CASES; k++) {
    const seed = FIRST_SEED + k;
    it(`case seed ${seed}`, async () => {
      const ledger = randomLedger(seed);
      const steps = randomLoads(ledger, seed);
      const rng = new SeededRandom(seed, 13);
      const dir = join(root, String(seed));
      const incremental = join(dir, 'incremental');
      const full = join(dir, 'full');
      await fs.mkdir(full, { recursive: true });
      for (const [s, files] of steps.entries()) {
        const stepDir = join(dir, `step-${s}`);
        await fs.mkdir(stepDir, { recursive: true });
        for (const [i, f] of files.entries())
          await fs.writeFile(join(stepDir, `${f.entity}_${s}_${i}.csv`), csv(f));
        await ingest([{ path: stepDir, profile: 'canonical' }], { warehouseDir: incremental });
        // The as-of date: left to the data, or a date that moves forward and back across the ledger.
        const asOf =
          rng.next() < 0.35
            ? undefined
            : new Date(Date.UTC(2026, 0, 1) + rng.int(220) * 86_400_000).toISOString().slice(0, 10);
        // The aging configuration: mostly the default, sometimes another basis or other buckets (a
        // change rebuilds the aged rows).
        const aging = AGINGS[rng.next() < 0.7 ? 0 : 1 + rng.int(AGINGS.length - 1)]!;
        const vars = { ...aging, ...(asOf ? { as_of_date: asOf } : {}) };
        const label = `case ${seed}, step ${s} (${files.map((f) => `${f.entity}×${f.lines.length}`).join(', ')}; as-of ${asOf ?? 'from data'}; aging ${aging.aging_basis} ${aging.aging_buckets.join('/')})`;
        await build({ projectDir: PROJECT, warehouseDir: incremental, vars, exclude: NO_UNIT_TESTS }).catch(
          (e: unknown) => {
            throw new Error(`${label}: incremental build failed: ${failures(e)}`, { cause: e });
          },
        );
        await fs.copyFile(join(incremental, 'current.duckdb'), join(full, 'current.duckdb'));
        await build({
          projectDir: PROJECT,
          warehouseDir: full,
          vars,
          fullRefresh: true,
          exclude: NO_UNIT_TESTS,
        }).catch((e: unknown) => {
          throw new Error(`${label}: full refresh failed: ${failures(e)}`, { cause: e });
        });
        const diff = await differences(join(incremental, 'current.duckdb'), join(full, 'current.duckdb'));
        if (diff.length > 0) console.error(`${label}\n${diff.join('\n')}`);
        expect(diff.join('\n'), label).toBe('');
      }
    }, 300_000);
  }
});
