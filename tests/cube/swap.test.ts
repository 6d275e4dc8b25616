/**
 * Cube while `arlens ingest` and `arlens build` publish new warehouse files from other processes:
 * clients hammering /v1/load see zero errors and every answer is the old state or the new one,
 * never a mix; afterwards the rollups are rebuilt on the new data.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Query } from '@cubejs-client/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../cube/security.ts';
import { kpiTilesQuery } from '../../web/lib/widgets/kpi-tiles/kpi-tiles.query.ts';
import { cliArgs, ROOT, TEST_SECRET } from '../helpers.ts';
import { startCubeHarness, type CubeHarness } from './harness.ts';

let h: CubeHarness;
beforeAll(async () => {
  h = await startCubeHarness();
}, 240_000);
afterAll(async () => {
  await h?.close();
});

function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cliArgs(...args), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const TOTALS: Query = { measures: ['analyst.count', 'analyst.invoiced', 'analyst.open_amount'] };
const ADDED = 400;

describe('Cube during ingest and build in other processes', () => {
  it('answers every request, each from one published state, and rebuilds rollups after', async () => {
    // New invoices for existing customers, issued in the as-of month and all still open.
    const customers = await h.sql(
      `SELECT customer_id, currency_code FROM marts.dim_customers ORDER BY 1 LIMIT 40`,
    );
    const extra = join(h.root, 'extra');
    await fs.mkdir(extra);
    const lines = [
      'invoice_id,customer_id,issue_date,due_date,amount,currency,product_line,sales_order_id,shipment_batch,salesperson',
    ];
    for (let i = 0; i < ADDED; i++) {
      const c = customers[i % customers.length]!;
      lines.push(
        `INV-X${String(i).padStart(6, '0')},${String(c['customer_id'])},2026-06-${String((i % 28) + 1).padStart(2, '0')},2026-07-31,1000.00,${String(c['currency_code'])},Services,,,`,
      );
    }
    await fs.writeFile(join(extra, 'invoices.csv'), `${lines.join('\n')}\n`);

    const token = await signToken(TEST_SECRET, { role: 'cfo' });
    const url = `${h.server.url}cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify(TOTALS))}`;
    const answer = async (): Promise<string> => {
      const res = await fetch(url, { headers: { authorization: token } });
      const body = (await res.json()) as { data?: Record<string, unknown>[]; error?: string };
      if (res.status !== 200 || !body.data) throw new Error(`${res.status} ${JSON.stringify(body)}`);
      return JSON.stringify(body.data);
    };
    const before = await answer();
    const tilesBefore = (await (await h.client({ role: 'cfo' })).load(kpiTilesQuery({}))).rawData();

    const seen = new Map<string, number>();
    const errors: string[] = [];
    let stop = false;
    const deadline = Date.now() + 150_000;
    const client = async () => {
      while (!stop && Date.now() < deadline) {
        try {
          const a = await answer();
          seen.set(a, (seen.get(a) ?? 0) + 1);
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    const ingest = await runCli(['--warehouse', h.wh, 'ingest', extra]);
    expect(ingest.code, ingest.out).toBe(0);
    const build = await runCli(['--warehouse', h.wh, 'build']);
    expect(build.code, build.out).toBe(0);

    // The new state, computed on the published file; wait (bounded) until Cube serves it.
    const [after] = await h.sql(
      `SELECT count(*) AS n, sum(invoice_amount_rc) AS invoiced, sum(open_amount_rc) AS open FROM marts.fct_invoices`,
    );
    const expectedAfter = JSON.stringify([
      {
        'analyst.count': after!['n'],
        'analyst.invoiced': after!['invoiced'],
        'analyst.open_amount': after!['open'],
      },
    ]);
    while (!seen.has(expectedAfter) && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    stop = true;
    await Promise.all(clients);

    expect(errors).toEqual([]);
    expect(Number(JSON.parse(before)[0]['analyst.count']) + ADDED).toBe(Number(after!['n']));
    expect([...seen.keys()].sort()).toEqual([before, expectedAfter].sort());
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(50);

    // Rollups: rebuilt after the swap (the server's refresh), and the tiles now show the new sales.
    await h.server.cube.refreshPreAggregations();
    const api = await h.client({ role: 'cfo' });
    const sql = (await api.sql(kpiTilesQuery({}))).rawQuery() as unknown as { preAggregations: unknown[] };
    expect(sql.preAggregations).toHaveLength(1);
    const tilesAfter = (await api.load(kpiTilesQuery({}))).rawData();
    const raw = (
      await api.load({
        ...kpiTilesQuery({}),
        filters: [{ member: 'cfo_overview.salesperson', operator: 'set' }],
      })
    ).rawData();
    expect(tilesAfter).toEqual(raw);
    expect(tilesAfter).not.toEqual(tilesBefore);
  }, 200_000);
});
