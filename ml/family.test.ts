import { beforeAll, describe, expect, it } from 'vitest';
import { applyCalibrator } from './calibrate.ts';
import {
  bestRuleColumn,
  bootstrapRounds,
  fitFamily,
  validationHalves,
  type FamilySettings,
  type Period,
} from './family.ts';
import { margin } from './model.ts';
import { SeededRandom } from '../core/random.ts';
import { useBackend } from './tf.ts';

const SETTINGS: FamilySettings = {
  seed: 42,
  networkSeeds: 2,
  network: { hidden: [8], l2: 1e-3, learningRate: 1e-2 },
  search: { l2: [1e-2], hidden: [], learningRate: [] },
  linearSkip: true,
  batchSize: 256,
  maxEpochs: 40,
  patience: 5,
  monitor: 'auc',
  classWeighting: 'sqrt',
  maxRowsPerEpoch: 65_536,
  searchRowVisits: 10_000_000,
  logisticL2: [1e-1, 1e-2, 1e-3],
  bootstrapRounds: 200,
  minDefaultingCustomers: 20,
};

/**
 * 4 columns; the rule column is 0. `signal`: 'rule' = the label depends on column 0 only (as the
 * rule scores it); 'more' = also on columns 1 and 2 (the rule misses them). 5 rows per customer.
 */
function period(rows: number, seed: number, signal: 'rule' | 'more', shift = 0): Period {
  const rng = new SeededRandom(seed);
  const cols = 4;
  const data = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) data[i * cols + j] = rng.normal();
    const x = (j: number) => data[i * cols + j] as number;
    const z = -3 + shift + 1.2 * x(0) + (signal === 'more' ? 1.5 * x(1) - 1.2 * x(2) : 0);
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return {
    x: { data, rows, cols },
    y,
    clusters: Array.from({ length: rows }, (_, i) => `${seed}-${Math.floor(i / 5)}`),
  };
}

function data(signal: 'rule' | 'more', shift = 0) {
  const test = period(3000, 3, signal, shift);
  return {
    columns: ['c0', 'c1', 'c2', 'c3'],
    train: period(4000, 1, signal),
    validation: period(3000, 2, signal),
    test,
    recent: test,
    rule: { name: 'rule_c0', column: 0 },
  };
}

describe('the candidate family', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('serves a model when it beats the rule beyond noise on validation, and it beats it on test too', async () => {
    const r = await fitFamily(data('more'), SETTINGS);
    expect(r.candidates.map((c) => c.name)).toEqual(['rule_c0', 'logistic_regression', 'risk_mlp']);
    expect(r.selection.publishable).toContain('logistic_regression');
    // The decision half of 600 validation customers: far more than 20 defaulted.
    expect(r.selection.evidence.defaultingCustomers).toBeGreaterThan(50);
    expect(r.selection.served).not.toBe('rule_c0');
    // The labels are linear in the columns: the network is not better beyond noise, so the simpler
    // logistic regression serves (or logistic regression is simply the best).
    expect(r.selection.served).toBe('logistic_regression');
    const served = r.candidates.find((c) => c.name === r.selection.served);
    expect(served?.vsRule?.validation.low).toBeGreaterThan(0);
    expect(served?.vsRule?.test.low).toBeGreaterThan(0);
    // Converged, with the search and the seeds recorded.
    expect(r.logistic.converged).toBe(true);
    expect(r.search.map((t) => t.setting.l2)).toEqual([1e-3, 1e-2]);
    expect(r.networkMembers).toHaveLength(2);
    for (const m of r.networkMembers) m.dispose();
  });

  it('serves the rule when nothing adds to it beyond noise', async () => {
    const r = await fitFamily(data('rule'), SETTINGS);
    expect(r.selection).toMatchObject({ served: 'rule_c0', reason: 'no_model_beats_rule', publishable: [] });
    expect(r.served.model).toEqual({ kind: 'rule', column: 0, sign: 1 });
    for (const m of r.networkMembers) m.dispose();
  });

  it('refits the served calibration on the most recent rows, so PDs follow their default rate', async () => {
    // The recent (test) period defaults about three times as often as the validation period.
    const d = data('more', 1.2);
    const r = await fitFamily(d, SETTINGS);
    const served = r.candidates.find((c) => c.name === r.selection.served);
    const m = margin(r.served.model, d.recent.x);
    const mean = (f: (s: number) => number) => m.reduce((a, s) => a + f(s), 0) / m.length;
    const recentRate = d.recent.y.reduce((a, b) => a + b, 0) / d.recent.y.length;
    const refitted = mean((s) => applyCalibrator(r.served.calibration, s));
    const fromValidation = mean((s) => applyCalibrator(served?.calibration ?? r.served.calibration, s));
    expect(Math.abs(refitted - recentRate)).toBeLessThan(0.01);
    expect(fromValidation).toBeLessThan(recentRate * 0.7);
    expect(r.served.calibration.method).toBe(served?.calibrationChoice.method);
    for (const mm of r.networkMembers) mm.dispose();
  });

  it('serves the rule when too few customers defaulted in the decision half', async () => {
    const r = await fitFamily(data('more'), { ...SETTINGS, minDefaultingCustomers: 1000 });
    expect(r.selection).toMatchObject({ served: 'rule_c0', reason: 'too_few_defaults' });
    for (const m of r.networkMembers) m.dispose();
  });

  it('tunes on one half of the validation customers and decides on the other', () => {
    const clusters = Array.from({ length: 1000 }, (_, i) => `c${i % 200}`);
    const h = validationHalves(clusters, 42);
    expect(h.tuning.length + h.decision.length).toBe(1000);
    const tuningCustomers = new Set(Array.from(h.tuning, (i) => clusters[i]));
    expect(Array.from(h.decision, (i) => clusters[i]).some((c) => tuningCustomers.has(c))).toBe(false);
    expect(tuningCustomers.size).toBeGreaterThan(70);
    expect(tuningCustomers.size).toBeLessThan(130);
  });

  it('finds the rule column on a plain matrix: the best training AUC, either direction', () => {
    const p = period(2000, 9, 'more');
    // Column 1 has the strongest effect; negate it and the rule takes it with sign −1.
    const flipped = Float32Array.from(p.x.data, (v, i) => (i % 4 === 1 ? -v : v));
    expect(bestRuleColumn({ ...p.x, data: flipped }, p.y)).toEqual({ column: 1, sign: -1 });
  });

  it('resamples at most as much as 500 rounds on 100,000 rows, never fewer than 200 rounds', () => {
    expect(bootstrapRounds(500, 4_000)).toBe(500);
    expect(bootstrapRounds(500, 200_000)).toBe(250);
    expect(bootstrapRounds(500, 2_000_000)).toBe(200);
  });
});
