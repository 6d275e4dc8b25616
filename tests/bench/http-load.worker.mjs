// A load generator for the benchmarks, in its own thread: it sends requests at a fixed arrival rate
// (open loop: a slow answer does not slow the sender) and reports each answer time. In the server's
// thread it would compete with the server it measures for one event loop.
import { parentPort, workerData } from 'node:worker_threads';

/** @type {{ url: string, token: string, rate: number, seconds: number, customers: string[], prefix: string, seed: number }} */
const job = workerData;

// xorshift32: the order of customers, fixed by the seed (the same in every run).
let state = job.seed >>> 0 || 1;
const next = () => {
  state ^= state << 13;
  state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5;
  state >>>= 0;
  return state / 4294967296;
};

const total = Math.round(job.rate * job.seconds);
const interval = 1000 / job.rate;
/** @type {number[]} */
const latencies = [];
/** @type {Map<string, number>} */
const failures = new Map();
/** @type {Promise<void>[]} */
const running = [];
const start = performance.now();
for (let i = 0; i < total; i++) {
  const due = start + i * interval;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  const customer = job.customers[Math.floor(next() * job.customers.length)];
  const t0 = performance.now();
  running.push(
    fetch(job.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        customer_id: customer,
        amount: '125.50',
        currency: 'USD',
        order_id: `${job.prefix}-${i}`,
      }),
    })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        latencies.push(performance.now() - t0);
      })
      .catch((e) => {
        const m = String(e?.message ?? e);
        failures.set(m, (failures.get(m) ?? 0) + 1);
      }),
  );
}
await Promise.all(running);
parentPort?.postMessage({ latencies, failures: [...failures] });
