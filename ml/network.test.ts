import { promises as fs } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Matrix } from './features.ts';
import { rocAuc } from './metrics.ts';
import {
  batchSizeFor,
  buildNetwork,
  classWeights,
  deserializeNetwork,
  epochSample,
  predict,
  serializeNetwork,
  trainNetwork,
  weightedLogLoss,
} from './network.ts';
import { SeededRandom } from '../core/random.ts';
import { tf, useBackend, wasmDir } from './tf.ts';

/** A small imbalanced problem with a non-linear boundary: default when x0² + x1 is large. */
function dataset(rows: number, seed: number): { x: Matrix; y: Float32Array } {
  const rng = new SeededRandom(seed);
  const cols = 6;
  const data = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = rng.normal();
    const x0 = data[i * cols] as number;
    const x1 = data[i * cols + 1] as number;
    y[i] = x0 * x0 + x1 + 0.5 * rng.normal() > 3 ? 1 : 0;
  }
  return { x: { data, rows, cols }, y };
}

const options = {
  learningRate: 0.01,
  l2: 1e-3,
  batchSize: 64,
  maxEpochs: 8,
  patience: 3,
  classWeight: { 0: 1, 1: 1 },
  monitor: 'auc' as const,
};

async function trained(seed: number) {
  const train = dataset(1500, 1);
  const validation = dataset(500, 2);
  const model = buildNetwork({ inputs: 6, hidden: [8], linearSkip: true, seed });
  const result = await trainNetwork(model, train, validation, { ...options, seed });
  const weights = model.getWeights().map((w) => [...w.dataSync()]);
  const p = predict(model, validation.x);
  return { model, result, weights, p, validation };
}

describe('the network (TF.js, wasm backend)', () => {
  let fetched: string[] = [];
  beforeAll(async () => {
    // Offline: initialising the backend must not fetch anything (the .wasm is read from disk).
    const realFetch = globalThis.fetch;
    globalThis.fetch = (input: string | URL | Request) => {
      fetched.push(String(input));
      return Promise.reject(new Error('no network in this test'));
    };
    try {
      expect(await useBackend('wasm')).toBe('wasm');
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('runs on the wasm backend, its binaries read from the package folder without the network', async () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(fetched).toEqual([]);
    expect(await fs.readdir(wasmDir())).toContain('tfjs-backend-wasm-simd.wasm');
    fetched = [];
  });

  it('trains reproducibly: same seed, identical weights and predictions; another seed differs', async () => {
    const a = await trained(42);
    const b = await trained(42);
    const c = await trained(7);
    expect(a.weights).toEqual(b.weights);
    expect([...a.p]).toEqual([...b.p]);
    expect(a.result.history).toEqual(b.result.history);
    expect(c.weights).not.toEqual(a.weights);
    expect(rocAuc({ scores: a.p, labels: a.validation.y })).toBeGreaterThan(0.9);
    for (const t of [a, b, c]) t.model.dispose();
  });

  it('keeps the best validation epoch when stopping early', async () => {
    const t = await trained(3);
    const best = t.result.history.find((h) => h.epoch === t.result.bestEpoch);
    expect(best?.validationAuc).toBe(Math.max(...t.result.history.map((h) => h.validationAuc)));
    expect(rocAuc({ scores: t.p, labels: t.validation.y })).toBeCloseTo(best?.validationAuc ?? 0, 6);
    t.model.dispose();
  });

  it('round-trips through save and load handlers with identical predictions', async () => {
    const t = await trained(5);
    const saved = await serializeNetwork(t.model);
    expect(saved.weightData.byteLength).toBe(
      saved.weightSpecs.reduce((a, s) => a + 4 * s.shape.reduce((x, y) => x * y, 1), 0),
    );
    const loaded = await deserializeNetwork(saved);
    expect([...predict(loaded, t.validation.x)]).toEqual([...t.p]);
    t.model.dispose();
    loaded.dispose();
  });

  it('is logistic regression without hidden layers', () => {
    const m = buildNetwork({ inputs: 6, hidden: [], linearSkip: true, seed: 1 });
    expect(m.getWeights().map((w) => w.shape)).toEqual([[6, 1], [1]]);
    m.dispose();
  });
});

describe('batch size', () => {
  it('keeps the configured size for small data and grows it to 32 steps per epoch, up to 8,192', () => {
    expect(batchSizeFor(7_105, 256)).toBe(256);
    expect(batchSizeFor(10_544, 256)).toBe(512);
    expect(batchSizeFor(65_536, 256)).toBe(2048);
    expect(batchSizeFor(1_200_000, 256)).toBe(8192);
    expect(batchSizeFor(100, 1024)).toBe(1024);
  });
});

describe('epochs capped in rows', () => {
  it('visit every row in a seeded order when under the cap', () => {
    const y = [0, 1, 0, 0, 1];
    const s = epochSample(y, 10, new SeededRandom(1));
    expect([...s.rows].sort()).toEqual([0, 1, 2, 3, 4]);
    expect([...s.multiplier]).toEqual([1, 1, 1, 1, 1]);
  });

  it('keep every default and a fresh sample of the others, weighted to estimate the full mean loss', () => {
    const n = 1000;
    const y = Array.from({ length: n }, (_, i) => (i % 50 === 0 ? 1 : 0));
    const loss = Array.from({ length: n }, (_, i) => ((i * 37) % 11) / 10);
    const fullMean = loss.reduce((a, b) => a + b, 0) / n;
    const rng = new SeededRandom(2);
    let estimate = 0;
    const epochs = 400;
    const seen = new Set<number>();
    for (let e = 0; e < epochs; e++) {
      const s = epochSample(y, 100, rng);
      expect(s.rows).toHaveLength(100);
      // Every default, every epoch.
      expect([...s.rows].filter((r) => y[r] === 1)).toHaveLength(20);
      let sum = 0;
      s.rows.forEach((r, k) => {
        sum += (s.multiplier[k] as number) * (loss[r] as number);
        seen.add(r);
      });
      estimate += sum / s.rows.length / epochs;
    }
    expect(estimate).toBeCloseTo(fullMean, 2);
    // Over the epochs the samples cover the data.
    expect(seen.size).toBe(n);
  });
});

describe('class weights and the weighted loss', () => {
  it('balance the classes, or take the square root of the ratio', () => {
    const y = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const b = classWeights(y, 'balanced');
    expect(b[1] / b[0]).toBeCloseTo(9, 12);
    expect(9 * b[0] + b[1]).toBeCloseTo(10, 12);
    const s = classWeights(y, 'sqrt');
    expect(s[1] / s[0]).toBeCloseTo(3, 12);
    expect(classWeights(y, 'none')).toEqual({ 0: 1, 1: 1 });
  });

  it('weights the log loss by class', () => {
    const l = weightedLogLoss([0.5, 0.5], [1, 0], { 0: 1, 1: 3 });
    expect(l).toBeCloseTo(Math.log(2), 12);
    const l2 = weightedLogLoss([0.9, 0.5], [1, 0], { 0: 1, 1: 3 });
    expect(l2).toBeCloseTo((3 * -Math.log(0.9) + Math.log(2)) / 4, 12);
  });
});
