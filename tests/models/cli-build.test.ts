import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, cliArgs } from '../helpers.ts';
import { MINI, miniCopy, miniWarehouse } from './mini.ts';

function arlens(...args: string[]) {
  const r = spawnSync(process.execPath, cliArgs(...args), { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('arlens build', () => {
  it('prints a line per node and a summary, and publishes', async () => {
    const wh = await miniWarehouse();
    dirs.push(wh);
    const r = arlens(
      '-w',
      wh,
      'build',
      '--project',
      MINI,
      '--select',
      '+customer_balances',
      '--vars',
      '{min_amount: 0}',
    );
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/^ 5\/26 OK {4}model {5}stg_customers {2}view {2}\d+\.\d\ds$/m);
    expect(r.err).toMatch(/WARN {2}test {6}accepted_values_stg_invoices_status__open__paid {2}1 failing row/);
    expect(r.out).toContain('  model      5     0      0     0');
    expect(r.out).toMatch(/^Published run \d{8}T\d{9}Z-\d+ \(\d+\.\d s\)\.$/m);
  });

  it('exits 1 naming the failing node, its error and where to look', async () => {
    const wh = await miniWarehouse();
    const project = await miniCopy({ 'marts/finance/region_totals.sql': 'select * from nowhere' });
    dirs.push(wh, project);
    const r = arlens('-w', wh, 'build', '--project', project);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ERROR test|ERROR model {5}region_totals {2}Catalog Error/);
    expect(r.err).toContain(
      'arlens: Build failed:\nmodel region_totals (marts/finance/region_totals.sql): Catalog Error',
    );
    expect(r.err).toContain(`Every node's result: ${join(wh, 'run_results.json')}`);
    expect(r.out).toContain('ERROR model region_totals (marts/finance/region_totals.sql):');
  });

  it('--compile-only prints the SQL without a warehouse; --help explains the selectors', () => {
    const r = arlens('build', '--project', MINI, '--compile-only');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(
      '-- model stg_customers (staging/stg_customers.sql)\nwith source as (select * from "raw"."customers")',
    );
    expect(r.out).toContain(
      '-- unit_test balances_sum_open_invoices (marts/_marts.yml)\n-- (needs a warehouse)',
    );
    const help = arlens('build', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('+name (with ancestors)');
  });
});
