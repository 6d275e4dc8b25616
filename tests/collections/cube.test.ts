/**
 * Cube serves dunning runs, letters sent, tasks and promises (issue 18, Deliver 6) through the
 * warehouse: a dunning run approved with `arlens dunning run --approve`, a promise recorded through
 * the worklist service, then `arlens build` copies them from the operational store into the marts,
 * and the Cube views answer under row-level security — a sales lead sees only their region's rows,
 * a collector only their portfolio's.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityContext } from '../../auth/tokens.ts';
import { addPromise } from '../../collections/worklist.store.ts';
import { openOpsStore, opsStorePath } from '../../ops/store.ts';
import { DEMO_AS_OF, demoWarehouse, startCubeHarness, type CubeHarness } from '../cube/harness.ts';
import { cliArgs } from '../helpers.ts';

let h: CubeHarness;

function arlens(
  cwd: string,
  config: string,
  ...args: string[]
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, cliArgs('-c', config, ...args), { cwd });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

beforeAll(async () => {
  h = await startCubeHarness(async (root) => {
    const wh = await demoWarehouse(root);
    const config = join(root, 'arlens.config.yaml');
    await fs.writeFile(config, `warehouse: ${JSON.stringify(wh)}\n`);
    const run = await arlens(root, config, 'dunning', 'run', '--date', '2026-07-01', '--approve');
    expect(run.code, `${run.out}\n${run.err}`).toBe(0);
    // A promise recorded through the worklist by the collector of one customer.
    const store = openOpsStore(opsStorePath(wh));
    try {
      const c = store.db
        .prepare(
          'SELECT customer_id, credit_controller FROM dunning_run_customers ORDER BY customer_id LIMIT 1',
        )
        .get() as { customer_id: string; credit_controller: string };
      addPromise(
        store,
        {
          actor: { id: 3, name: 'collector', address: null },
          role: 'collector',
          portfolio: c.credit_controller,
        },
        { customerId: c.customer_id, creditController: c.credit_controller, currencyCode: 'EUR' },
        { today: '2026-06-20', date: '2026-06-25', amount: '10.00' },
      );
    } finally {
      store.close();
    }
    const built = await arlens(root, config, 'build', '--as-of', DEMO_AS_OF);
    expect(built.code, `${built.out}\n${built.err}`).toBe(0);
    return wh;
  });
}, 600_000);

afterAll(async () => {
  await h?.close();
});

type Row = Record<string, unknown>;
const CFO: SecurityContext = { role: 'cfo' };

/** Rows of `view` by region and controller, with `measures`. */
const byRegionAndController = (view: string, measures: string[]) => ({
  measures: measures.map((m) => `${view}.${m}`),
  dimensions: [`${view}.region`, `${view}.credit_controller`],
});

describe('Cube serves dunning runs, letters, tasks and promises under row-level security', () => {
  it('everything from the store reached the warehouse and Cube (CFO: all rows)', async () => {
    const [counts] = await h.sql(
      `SELECT (SELECT count(*) FROM marts.fct_dunning_letters)::int AS letters,
              (SELECT count(*) FROM marts.fct_collection_tasks)::int AS tasks,
              (SELECT count(DISTINCT run_id) FROM marts.fct_dunning_run_customers)::int AS runs,
              (SELECT count(*) FROM marts.fct_collection_activities WHERE source_system = 'arlens' AND is_promise)::int AS promises`,
    );
    expect(counts!['letters']).toBeGreaterThan(10);
    expect(counts!['tasks']).toBeGreaterThan(0);
    expect(counts).toMatchObject({ runs: 1, promises: 1 });
    const total = (rows: Row[], m: string) => rows.reduce((s, r) => s + Number(r[m]), 0);
    const letters = await h.load(CFO, byRegionAndController('dunning_letters_sent', ['count']));
    expect(total(letters, 'dunning_letters_sent.count')).toBe(counts!['letters']);
    const tasks = await h.load(
      CFO,
      byRegionAndController('collection_tasks_log', ['count', 'tasks_overdue']),
    );
    expect(total(tasks, 'collection_tasks_log.count')).toBe(counts!['tasks']);
    const runs = await h.load(CFO, { measures: ['dunning_run_log.runs', 'dunning_run_log.approved_runs'] });
    expect(runs[0]).toMatchObject({ 'dunning_run_log.runs': '1', 'dunning_run_log.approved_runs': '1' });
    const promises = await h.load(CFO, {
      measures: ['collection_log.promises'],
      filters: [{ member: 'collection_log.recorded_in', operator: 'equals', values: ['arlens'] }],
    });
    expect(promises[0]).toMatchObject({ 'collection_log.promises': '1' });
  });

  it('a sales lead sees only their region, a collector only their portfolio — even when asking for others', async () => {
    const [one] = await h.sql(
      `SELECT region, credit_controller FROM marts.fct_dunning_letters
       GROUP BY ALL HAVING count(*) > 0 ORDER BY count(*) DESC LIMIT 1`,
    );
    const region = one!['region'] as string;
    const controller = one!['credit_controller'] as string;
    const lead: SecurityContext = { role: 'sales_lead', regions: [region] };
    const collector: SecurityContext = { role: 'collector', portfolio: controller };
    for (const view of ['dunning_letters_sent', 'collection_tasks_log', 'dunning_run_log']) {
      const all = await h.load(CFO, byRegionAndController(view, ['count']));
      expect(new Set(all.map((r) => r[`${view}.region`])).size, view).toBeGreaterThan(1);
      const leads = await h.load(lead, byRegionAndController(view, ['count']));
      expect(leads.length, view).toBeGreaterThan(0);
      expect(
        leads.every((r) => r[`${view}.region`] === region),
        view,
      ).toBe(true);
      const mine = await h.load(collector, byRegionAndController(view, ['count']));
      expect(
        mine.every((r) => r[`${view}.credit_controller`] === controller),
        view,
      ).toBe(true);
      // Asking for everyone else's rows only narrows: nothing comes back.
      const others = await h.load(collector, {
        ...byRegionAndController(view, ['count']),
        filters: [{ member: `${view}.credit_controller`, operator: 'notEquals', values: [controller] }],
      });
      expect(others, view).toEqual([]);
    }
    // The letters of the collector's portfolio are exactly the warehouse's for it.
    const [expected] = await h.sql(
      `SELECT count(*)::int AS n FROM marts.fct_dunning_letters WHERE credit_controller = '${controller.replaceAll("'", "''")}'`,
    );
    const mine = await h.load(collector, { measures: ['dunning_letters_sent.count'] });
    expect(Number(mine[0]!['dunning_letters_sent.count'])).toBe(expected!['n']);
  });
});
