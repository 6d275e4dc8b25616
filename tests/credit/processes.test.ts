/**
 * Two processes, one customer: two `arlens credit-check --file` batches started at once against the
 * same operational store, each holding an order that fits the headroom alone but not together. The
 * store's BEGIN IMMEDIATE transaction serialises them across processes: exactly one approves.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addUser } from '../../auth/users.ts';
import { loadSnapshot, type WarehouseCustomer } from '../../credit/facts.ts';
import { centsText, convertCents } from '../../credit/money.ts';
import { DEFAULT_POLICY } from '../../credit/policy.ts';
import { approveRequest, createRequest } from '../../credit/requests.store.ts';
import { openOpsStore, opsStorePath } from '../../ops/store.ts';
import { connQuery } from '../../warehouse/convert.ts';
import { withPublished } from '../../warehouse/store.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { cliArgs, ROOT, TEST_SECRET, tempDir } from '../helpers.ts';

let root: string;
let wh: string;
let C: WarehouseCustomer;
let each = 0;

beforeAll(async () => {
  root = await tempDir('arlens-credit-procs-');
  wh = await demoWarehouse(root, 400);
  const snap = await withPublished(wh, (conn) => loadSnapshot(connQuery(conn), 0));
  C = [...snap.customers.values()].find(
    (c) => !c.blocked && !c.blacklisted && (c.maxDaysPastDue ?? 0) <= 60 && snap.rates.has(c.currency),
  )!;
  const store = openOpsStore(opsStorePath(wh));
  try {
    const user = (username: string) => {
      const u = addUser(
        store,
        { id: null, name: 't', address: null },
        { username, role: 'credit_manager', passwordHash: null },
      );
      return { id: u.id, name: username, address: null, role: 'credit_manager' as const };
    };
    const carl = user('carl');
    const cora = user('cora');
    // A limit of exposure + about 10,000 (reporting currency), set through the SoD flow.
    const rate = snap.rates.get(C.currency)!;
    const limit = Math.ceil(((C.exposureRcCents + 10_000_00) * 1e8) / Number(rate) / 100) * 100;
    const r = createRequest(store, carl, DEFAULT_POLICY, snap, {
      customerId: C.customerId,
      newLimit: centsText(limit),
      reason: 'test',
    });
    approveRequest(store, cora, r.id);
    const headroom = convertCents(limit, rate) - C.exposureRcCents;
    each = Math.ceil(headroom * 0.6);
  } finally {
    store.close();
  }
}, 240_000);
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function run(file: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      cliArgs('-w', wh, 'credit-check', '--user', 'carl', '--file', file),
      {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', ARLENS_API_SECRET: TEST_SECRET },
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

it('serialises two processes checking the same customer: one approves, one holds', async () => {
  const files = await Promise.all(
    ['a', 'b'].map(async (n) => {
      const f = join(root, `${n}.csv`);
      await fs.writeFile(
        f,
        `order_id,customer_id,amount,currency\nSO-${n},${C.customerId},${centsText(each)},USD\n`,
      );
      return f;
    }),
  );
  const results = await Promise.all(files.map(run));
  for (const r of results) expect(r.code, r.err).toBe(0);
  const outcomes = results.map((r) => r.out.trim().split('\t')[4]).sort();
  expect(outcomes).toEqual(['approve', 'hold']);
}, 120_000);
