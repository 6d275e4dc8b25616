/**
 * npm run bench:credit — the credit check on a warehouse of 1,000,000 demo invoices.
 *
 * - Single checks: POST /api/credit-checks over loopback (keep-alive, a system user's token) at a
 *   fixed arrival rate of 100 and 400 requests/s (open loop: a slow answer does not slow the
 *   sender) for BENCH_SECONDS each, sent from a load generator in its own thread
 *   (http-load.worker.mjs) so it does not share the server's event loop; p50 and p99 of the answer
 *   time (target p99 <= 25 ms).
 *   Baseline, same run, same rates: the exposure query alone (credit/facts.ts EXPOSURE_SQL: one
 *   customer's exposure, limit and oldest overdue invoice) on the server's own DuckDB.
 * - Batch: 100,000 open orders from a CSV (credit/orders-file.ts) checked and stored with their audit
 *   entries (checkOrders; target <= 10 s). Baseline: the exposure of those orders' customers as one
 *   DuckDB query over the same CSV.
 * Knobs: BENCH_INVOICES (default 1000000), BENCH_SECONDS (default 10), BENCH_BATCH (default 100000).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { signToken } from '../../auth/tokens.ts';
import { addUser } from '../../auth/users.ts';
import { checkOrders } from '../../credit/checks.store.ts';
import { EXPOSURE_SQL } from '../../credit/facts.ts';
import { readOrdersCsv } from '../../credit/orders-file.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { SeededRandom } from '../../core/random.ts';
import { startServer } from '../../server/index.ts';
import { metric, writeBenchDemo, writeResults, type Metric } from './report.ts';

const invoices = Number(process.env['BENCH_INVOICES'] ?? 1_000_000);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 10);
const batchSize = Number(process.env['BENCH_BATCH'] ?? 100_000);
const ROOT = join(import.meta.dirname, '..', '..');
const SECRET = 'bench-secret-bench-secret-bench-secret-0123';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

/** Failed requests, reported beside the metrics (a failed request has no latency). */
const failures: string[] = [];

/** Start `task` `rate` times a second for `secs` seconds (open loop); the latencies in ms. */
async function atRate(rate: number, secs: number, task: (i: number) => Promise<void>): Promise<number[]> {
  const total = Math.round(rate * secs);
  const interval = 1000 / rate;
  const start = performance.now();
  const latencies: number[] = [];
  const running: Promise<void>[] = [];
  let errors = 0;
  const messages = new Map<string, number>();
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    running.push(
      task(i).then(
        () => void latencies.push(performance.now() - t0),
        (e: unknown) => {
          errors++;
          const m = `${(e as Error).message}${(e as Error).cause ? `: ${String((e as Error).cause)}` : ''}`;
          messages.set(m, (messages.get(m) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(running);
  if (errors > 0) {
    console.error(`${errors} of ${total} failed: ${JSON.stringify([...messages].slice(0, 5))}`);
    failures.push(`${errors}/${total} failed`);
  }
  return latencies;
}

/**
 * `rate` credit checks a second for `secs` seconds from a load generator in its own thread
 * (http-load.worker.mjs), so the server's event loop serves requests only; the answer times in ms.
 */
async function checksAtRate(
  job: { url: string; token: string; customers: string[]; prefix: string; seed: number },
  rate: number,
  secs: number,
): Promise<number[]> {
  const worker = new Worker(new URL('./http-load.worker.mjs', import.meta.url), {
    workerData: { ...job, rate, seconds: secs },
  });
  const out = await new Promise<{ latencies: number[]; failures: [string, number][] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  const failed = out.failures.reduce((n, [, k]) => n + k, 0);
  if (failed > 0) {
    console.error(
      `${failed} of ${Math.round(rate * secs)} failed: ${JSON.stringify(out.failures.slice(0, 5))}`,
    );
    failures.push(`${failed}/${Math.round(rate * secs)} failed`);
  }
  return out.latencies;
}

const root = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-credit-'));
try {
  const exports = join(root, 'exports');
  const wh = join(root, 'wh');
  let t = performance.now();
  writeBenchDemo(exports, invoices);
  await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
  console.log(
    `data: ${invoices} invoices generated, loaded and built in ${((performance.now() - t) / 1000).toFixed(0)} s`,
  );
  const server = await startServer({ warehouseDir: wh, host: '127.0.0.1', port: 0, apiSecret: SECRET });
  try {
    const user = addUser(
      server.ops,
      { id: null, name: 'bench', address: null },
      { username: 'erp-bench', role: 'credit_manager', passwordHash: null },
    );
    const token = await signToken(SECRET, { role: 'credit_manager', uid: user.id, name: user.username });
    t = performance.now();
    const snap = await server.credit.snapshot();
    console.log(`snapshot of ${snap.customers.size} customers in ${(performance.now() - t).toFixed(0)} ms`);
    const ids = [...snap.customers.keys()];
    const rng = new SeededRandom(11);
    const pick = () => ids[Math.floor(rng.next() * ids.length)]!;
    const url = new URL('/api/credit-checks', server.url);
    const exposure = async () => {
      await server.warehouse.query(EXPOSURE_SQL, [pick()]);
    };
    // Warm-up: connections, the JIT, DuckDB's caches.
    const job = { url: url.href, token, customers: ids, seed: 11 };
    await checksAtRate({ ...job, prefix: 'WARM' }, 100, 2);
    await atRate(100, 2, exposure);

    const metrics: Metric[] = [];
    for (const rate of [100, 400]) {
      failures.length = 0;
      const base = await atRate(rate, seconds, exposure);
      const baseFailures = failures.join(', ');
      failures.length = 0;
      const lat = await checksAtRate({ ...job, prefix: `B${rate}` }, rate, seconds);
      const note = `baseline: exposure query alone${failures.length ? `; checks: ${failures.join(', ')}` : ''}${baseFailures ? `; baseline: ${baseFailures}` : ''}`;
      console.log(`${rate}/s: ${lat.length} checks, exposure query ${base.length} times`);
      metrics.push(
        metric(`check_p50_ms_${rate}rps`, pct(lat, 50), 'ms', pct(base, 50), null, note),
        metric(`check_p99_ms_${rate}rps`, pct(lat, 99), 'ms', pct(base, 99), 25, note),
      );
    }

    // Batch: a CSV of open orders, read and checked in-process as `arlens credit-check --file` does.
    const csv = join(root, 'orders.csv');
    const lines = ['order_id,customer_id,amount,currency'];
    for (let i = 0; i < batchSize; i++)
      lines.push(`BATCH-${i},${pick()},${(100 + (i % 900)).toFixed(2)},USD`);
    await fs.writeFile(csv, lines.join('\n') + '\n');
    t = performance.now();
    const orders = await readOrdersCsv(csv);
    const decisions = checkOrders(
      server.ops,
      { id: user.id, name: user.username, address: 'bench', role: 'credit_manager' },
      server.credit.policy,
      snap,
      orders,
    );
    const batch = (performance.now() - t) / 1000;
    if (decisions.length !== batchSize) throw new Error('batch lost orders');
    t = performance.now();
    await server.warehouse.query(
      `SELECT o.customer_id, any_value(e.exposure_rc), any_value(e.credit_limit_amount_rc), sum(o.amount::DECIMAL(18, 2))
       FROM (SELECT unnest(from_json($1::JSON, '[{"customer_id":"VARCHAR","amount":"VARCHAR"}]'), recursive := true)) AS o
       JOIN marts.fct_credit_exposure AS e USING (customer_id) GROUP BY o.customer_id`,
      [
        JSON.stringify(
          orders.map((o) => ({ customer_id: o.customerId, amount: (o.amountCents / 100).toFixed(2) })),
        ),
      ],
    );
    const batchBase = (performance.now() - t) / 1000;
    metrics.push(
      metric(
        batchSize === 100_000 ? 'batch_100k_orders_s' : `batch_${batchSize}_orders_s`,
        batch,
        's',
        batchBase,
        10,
        'baseline: exposure of the orders’ customers as one DuckDB query',
      ),
    );
    await writeResults('credit', metrics);
    console.log(`invoices: ${invoices}; customers: ${snap.customers.size}; seconds per rate: ${seconds}`);
  } finally {
    await server.close();
  }
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
