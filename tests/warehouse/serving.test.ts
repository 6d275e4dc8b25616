import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { CUSTOMERS_HEADER, ROOT, TEST_SECRET, cliArgs, sessionCookie, tempDir } from '../helpers.ts';

/** Write customers.csv and invoices.csv with `customers` and `invoices` rows (amount = `amount`). */
async function writeExports(dir: string, customers: number, invoices: number, amount: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await conn.run(
      `COPY (SELECT 'C' || i AS customer_id, 'Customer ' || i AS customer_name, 'EMEA' AS region, 'DE' AS country,
                    'SMB' AS segment, 'Retail' AS industry, 'Anna' AS salesperson, 'Bob' AS credit_controller,
                    '1000.00' AS credit_limit, 30 AS payment_terms_days, 'EUR' AS currency, 'active' AS status
             FROM range(${customers}) t(i)) TO '${join(dir, 'customers.csv')}' (HEADER)`,
    );
    await conn.run(
      `COPY (SELECT 'I' || i AS invoice_id, 'C' || (i % ${customers}) AS customer_id, DATE '2024-01-01' + (i % 300)::INT AS issue_date,
                    DATE '2024-01-31' + (i % 300)::INT AS due_date, '${amount}' AS amount, 'EUR' AS currency,
                    'Hardware' AS product_line, NULL AS sales_order_id, NULL AS shipment_batch, NULL AS salesperson
             FROM range(${invoices}) t(i)) TO '${join(dir, 'invoices.csv')}' (HEADER)`,
    );
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  const head = (await fs.readFile(join(dir, 'customers.csv'), 'utf8')).split('\n')[0];
  expect(head).toBe(CUSTOMERS_HEADER);
}

function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cliArgs(...args), {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('serving while jobs write', () => {
  let root: string;
  let server: RunningServer;
  beforeAll(async () => {
    root = await tempDir();
  });
  afterAll(async () => {
    await server?.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('a client hammering the server sees zero errors and never a mix of old and new data', async () => {
    const wh = join(root, 'warehouse');
    const states = [
      { dir: join(root, 'v1'), customers: 100, invoices: 40_000, amount: '1.00' },
      { dir: join(root, 'v2'), customers: 120, invoices: 60_000, amount: '2.00' },
      { dir: join(root, 'v3'), customers: 150, invoices: 80_000, amount: '3.00' },
    ];
    for (const s of states) await writeExports(s.dir, s.customers, s.invoices, s.amount);
    await ingest([{ path: states[0]!.dir, profile: 'canonical' }], { warehouseDir: wh });
    server = await startServer({ warehouseDir: wh, host: '127.0.0.1', port: 0, apiSecret: TEST_SECRET });
    // /api/status needs the session (or a token) of a role that may see it.
    const headers = await sessionCookie(server, { role: 'analyst' });

    // The published states as (customers, invoices); later exports are supersets, loads upsert.
    const expected = new Set(['100|40000', '120|60000', '150|80000']);
    const seen = new Map<string, number>();
    const errors: string[] = [];
    let stop = false;
    const deadline = Date.now() + 120_000;
    const client = async () => {
      while (!stop && Date.now() < deadline) {
        const res = await fetch(`${server.url}api/status`, { headers }).catch((e: unknown) => e as Error);
        if (res instanceof Error) {
          errors.push(res.message);
          continue;
        }
        if (res.status !== 200) {
          errors.push(`${res.status} ${await res.text()}`);
          continue;
        }
        // The row counts come from one SQL statement, so they must come from one generation.
        const body = (await res.json()) as { tables: { entity: string; rows: number }[] };
        const rows = (e: string) => body.tables.find((t) => t.entity === e)?.rows;
        const key = `${rows('customers')}|${rows('invoices')}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
      }
    };
    const clients = Array.from({ length: 4 }, client);
    for (const s of states.slice(1)) {
      const r = await runCli(['--warehouse', wh, 'ingest', s.dir]);
      expect(r.code, r.out).toBe(0);
    }
    // Wait (bounded) until the server has swapped to the last file.
    while (server.warehouse.generation < 3 && Date.now() < deadline) {
      // The server also polls every second; refresh() just makes the swap prompt.
      await server.warehouse.refresh();
    }
    const until = server.warehouse.generation;
    await fetch(`${server.url}api/status`, { headers });
    stop = true;
    await Promise.all(clients);

    expect(errors).toEqual([]);
    expect(until).toBe(3);
    for (const key of seen.keys()) expect(expected).toContain(key);
    expect(seen.has('100|40000')).toBe(true);
    expect(seen.has('150|80000')).toBe(true);
    expect([...seen.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
  }, 180_000);
});

describe('a job killed mid-load', () => {
  it('leaves the published warehouse as it was; the next job cleans up and succeeds', async () => {
    const root = await tempDir();
    try {
      const wh = join(root, 'warehouse');
      await writeExports(join(root, 'v1'), 50, 1_000, '1.00');
      await ingest([{ path: join(root, 'v1'), profile: 'canonical' }], { warehouseDir: wh });
      const before = await fs.readFile(join(wh, 'current.duckdb'));
      await writeExports(join(root, 'big'), 500, 1_500_000, '7.00');

      // node --import tsx (not the tsx binary, which would run the job in a grandchild we cannot kill).
      const child = spawn(process.execPath, cliArgs('--warehouse', wh, 'ingest', join(root, 'big')), {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      // Readiness probe: the child says which file it is loading; kill it while it loads invoices.
      await new Promise<void>((resolve, reject) => {
        const onData = (d: Buffer) => {
          log += d.toString();
          if (log.includes('invoices.csv -> invoices')) resolve();
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) =>
          reject(new Error(`child exited (${code}) before loading invoices:\n${log}`)),
        );
      });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGKILL');
      await exited;

      expect(Buffer.compare(await fs.readFile(join(wh, 'current.duckdb')), before)).toBe(0);
      const leftovers = (await fs.readdir(wh)).filter((f) => f !== 'current.duckdb');
      expect(leftovers).toContain('job.lock'); // the dead job's lock and private file stay until the next job

      const ok = await ingest([{ path: join(root, 'big'), profile: 'canonical' }], { warehouseDir: wh });
      expect(ok.loads.find((l) => l.entity === 'invoices')).toMatchObject({
        rowsLoaded: 1_500_000,
        updated: 1_000,
      });
      expect((await fs.readdir(wh)).sort()).toEqual(['current.duckdb']);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  }, 180_000);
});
