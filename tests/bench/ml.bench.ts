/**
 * npm run bench:ml — the default-risk model (docs/ml.md).
 *
 * - train_seconds: the whole candidate family (logistic-regression path, network search and seeds,
 *   calibration choice, evaluation and selection) on 50,000 customers × 24 monthly snapshots: 16
 *   snapshots train (800,000 rows), 4 validate, 4 test. The feature matrix is synthetic (the model's
 *   columns, standardised, a ~1 % default rate from a non-linear rule): this measures the models,
 *   not the feature SQL.
 * - score_customers_per_s: scoring 50,000 synthetic customers with the network (PD, calibration,
 *   occlusion explanations of every feature, top-5 JSON), model side only.
 * - wasm_vs_cpu: the same network and data (100,000 rows, 3 epochs) on the WebAssembly backend over
 *   the plain-JavaScript cpu backend.
 * - fresh_start_scored_share: fresh starts (demo data generated, loaded and built, then what
 *   `npm start` runs: ensureRiskScores with an empty model folder) over demo seeds × as-of dates that
 *   end with every customer scored.
 * - auc_model (the serving candidate), auc_network, auc_logistic, auc_rule: mean test ROC AUC over
 *   those fresh starts (spread in the note); ece_model: the serving candidate's mean expected
 *   calibration error on test; demo_train_seconds: the mean time of those fresh starts' risk step.
 * Knobs: BENCH_ML_CUSTOMERS (50000), BENCH_ML_SNAPSHOTS (24), BENCH_ML_RUNS (10), BENCH_ML_INVOICES (20000).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { readMetadata } from '../../ml/artefacts.server.ts';
import { applyPlatt } from '../../ml/calibrate.ts';
import { DEFAULT_CONFIG } from '../../ml/config.ts';
import { occlusion, topContributions } from '../../ml/explain.ts';
import { fitFamily, type Period } from '../../ml/family.ts';
import {
  CATEGORICAL_FEATURES,
  NUMERIC_FEATURES,
  columnGroups,
  columnNames,
  type Matrix,
  type Preprocessor,
} from '../../ml/features.ts';
import {
  batchSizeFor,
  buildNetwork,
  classWeights,
  predict,
  trainNetwork,
  type Labelled,
} from '../../ml/network.ts';
import { meanScores } from '../../ml/model.ts';
import { ensureRiskScores } from '../../ml/risk.server.ts';
import { SeededRandom } from '../../core/random.ts';
import { familySettings, LOGISTIC_NAME, MODEL_NAME, RULE_NAME } from '../../ml/train.server.ts';
import { useBackend } from '../../ml/tf.ts';
import { metric, writeResults, type Metric } from './report.ts';

const customers = Number(process.env['BENCH_ML_CUSTOMERS'] ?? 50_000);
const snapshots = Number(process.env['BENCH_ML_SNAPSHOTS'] ?? 24);
const runs = Number(process.env['BENCH_ML_RUNS'] ?? 10);
const invoices = Number(process.env['BENCH_ML_INVOICES'] ?? 20_000);
const ROOT = join(import.meta.dirname, '..', '..');

/** The model's column layout with made-up category values (4 regions, 3 segments, 7 industries). */
const preprocessor: Preprocessor = {
  numeric: NUMERIC_FEATURES.map((f) => ({ name: f.name, mean: 0, sd: 1 })),
  categorical: CATEGORICAL_FEATURES.map((f, k) => {
    const n = [4, 3, 7][k] as number;
    return {
      name: f.name,
      values: Array.from({ length: n }, (_, i) => `${f.name}_${i}`),
      shares: Array(n).fill(1 / n),
    };
  }),
  clip: 5,
};
const numeric = preprocessor.numeric.length;
const cols = numeric + preprocessor.categorical.reduce((a, c) => a + c.values.length, 0);

/** rows × cols standardised features and a ~1 % default label from a non-linear rule. */
function synthetic(rows: number, seed: number): Labelled {
  const rng = new SeededRandom(seed);
  const data = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < numeric; j++) data[base + j] = rng.normal();
    let col = numeric;
    for (const c of preprocessor.categorical) {
      data[base + col + rng.int(c.values.length)] = 1;
      col += c.values.length;
    }
    const lateness = data[base + 1] as number;
    const dpd = data[base + 5] as number;
    const z =
      -5.6 +
      1.2 * dpd +
      0.6 * lateness * lateness +
      0.8 * (data[base + numeric] as number) +
      0.5 * rng.normal();
    y[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { x: { data, rows, cols }, y };
}

/** Rows from..to of the synthetic matrix; row i belongs to customer i mod customers. */
function period(d: Labelled, from: number, to: number): Period {
  return {
    x: { data: d.x.data.subarray(from * cols, to * cols), rows: to - from, cols },
    y: d.y.subarray(from, to),
    clusters: Array.from({ length: to - from }, (_, k) => String((from + k) % customers)),
  };
}

async function timeTraining(backend: 'wasm' | 'cpu', train: Labelled, validation: Labelled) {
  await useBackend(backend);
  const model = buildNetwork({ inputs: cols, hidden: [32], linearSkip: true, seed: 1 });
  const result = await trainNetwork(model, train, validation, {
    learningRate: DEFAULT_CONFIG.learningRate,
    l2: DEFAULT_CONFIG.l2,
    batchSize: batchSizeFor(train.x.rows, DEFAULT_CONFIG.batchSize),
    maxEpochs: 3,
    patience: 100,
    classWeight: classWeights(train.y, DEFAULT_CONFIG.classWeighting),
    seed: 1,
    monitor: DEFAULT_CONFIG.monitor,
  });
  model.dispose();
  return result.seconds;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: readonly number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
const spread = (xs: readonly number[]) =>
  xs.length === 0
    ? 'no runs'
    : `${xs.length} runs: sd ${sd(xs).toFixed(4)}, min ${Math.min(...xs).toFixed(4)}, max ${Math.max(...xs).toFixed(4)}`;

const metrics: Metric[] = [];
const root = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-ml-'));
try {
  // ---- the candidate family on 50,000 customers × 24 snapshots (synthetic matrix)
  const all = synthetic(customers * snapshots, 7);
  const trainSnaps = Math.round((snapshots * 2) / 3);
  const valSnaps = Math.round(snapshots / 6);
  const train = period(all, 0, customers * trainSnaps);
  const validation = period(all, customers * trainSnaps, customers * (trainSnaps + valSnaps));
  const test = period(all, customers * (trainSnaps + valSnaps), customers * snapshots);
  console.log(`synthetic matrix: ${(customers * snapshots).toLocaleString('en-US')} rows × ${cols} columns`);
  await useBackend('wasm');
  let t = performance.now();
  const cpuBefore = process.cpuUsage();
  const family = await fitFamily(
    {
      columns: columnNames(preprocessor),
      train,
      validation,
      test,
      recent: test,
      rule: { name: RULE_NAME, column: 5 },
    },
    familySettings(DEFAULT_CONFIG),
    (m) => console.log(`  ${m}`),
  );
  const trainSeconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const tried = family.search.filter((s) => s.tuningAuc !== null).length;
  const auc = (name: string) => family.candidates.find((c) => c.name === name)?.test.rocAuc ?? Number.NaN;
  metrics.push(
    metric(
      'train_seconds',
      trainSeconds,
      's',
      null,
      60,
      `${cpuSeconds.toFixed(1)} s of CPU (wall time counts other processes on a shared machine); ` +
        `${train.x.rows.toLocaleString('en-US')} training rows; logistic path of ${DEFAULT_CONFIG.logisticL2.length}, ` +
        `${tried} of ${family.search.length} network settings tried, ${family.networkMembers.length} seeds; ` +
        `test AUC network ${auc(MODEL_NAME).toFixed(3)}, logistic ${auc(LOGISTIC_NAME).toFixed(3)}, rule ${auc(RULE_NAME).toFixed(3)}; ` +
        `serves ${family.selection.served}; wasm, synthetic features`,
    ),
  );

  // ---- scoring throughput, model side: PD + occlusion + top-5 JSON for 50,000 customers
  const scoreX: Matrix = { data: all.x.data.subarray(0, customers * cols), rows: customers, cols };
  const platt = { a: 1, b: -1 };
  const groups = columnGroups(preprocessor);
  t = performance.now();
  const pdOf = (x: Matrix) =>
    Float64Array.from(meanScores(family.networkMembers.map((m) => predict(m, x))), (p) =>
      applyPlatt(platt, p),
    );
  const pd = pdOf(scoreX);
  const contributions = occlusion(scoreX, groups, pdOf);
  let bytes = 0;
  for (let i = 0; i < customers; i++) {
    bytes +=
      JSON.stringify(topContributions(contributions[i] ?? [], groups, () => 0, 5)).length +
      String(pd[i]).length;
  }
  const scoreSeconds = (performance.now() - t) / 1000;
  for (const m of family.networkMembers) m.dispose();
  metrics.push(
    metric(
      'score_customers_per_s',
      customers / scoreSeconds,
      'customers/s',
      null,
      null,
      `${customers.toLocaleString('en-US')} customers, ${family.networkMembers.length}-seed network, ${groups.length} occlusions each (${(bytes / 1e6).toFixed(1)} MB JSON), model side only`,
    ),
  );

  // ---- wasm vs cpu: same network, same 100,000 rows, 3 epochs
  const small: Labelled = {
    x: { data: all.x.data.subarray(0, 100_000 * cols), rows: 100_000, cols },
    y: all.y.subarray(0, 100_000),
  };
  const smallVal: Labelled = { x: validation.x, y: validation.y };
  const wasm = await timeTraining('wasm', small, smallVal);
  const cpuBackend = await timeTraining('cpu', small, smallVal);
  metrics.push(
    metric('wasm_vs_cpu', wasm, 's', cpuBackend, 1, '100,000 rows × 3 epochs; baseline = cpu backend'),
  );
  await useBackend('wasm');

  // ---- fresh starts over demo seeds × as-of dates
  const dates = ['2026-10-31', '2026-06-30', '2026-03-31', '2025-12-31', '2025-09-30'];
  const plan = Array.from({ length: runs }, (_, k) => ({
    seed: k === 0 ? 42 : k,
    asOf: dates[k % dates.length] as string,
  }));
  const outcomes: {
    seed: number;
    asOf: string;
    scored: boolean;
    served: string | null;
    seconds: number;
    auc: Record<string, number>;
    ece: number;
  }[] = [];
  for (const { seed, asOf } of plan) {
    const dir = join(root, `demo-${seed}-${asOf}`);
    const exports = join(dir, 'exports');
    const wh = join(dir, 'wh');
    await generateDemo({ seed, invoices, asOf, outDir: exports });
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
    const modelDir = join(dir, 'models');
    t = performance.now();
    const r = await ensureRiskScores({ warehouseDir: wh, modelDir });
    const seconds = (performance.now() - t) / 1000;
    const m = r.modelVersion === null ? undefined : await readMetadata(modelDir, r.modelVersion);
    const aucs = Object.fromEntries(
      Object.entries(m?.candidates ?? {}).map(([name, c]) => [name, c.test['roc_auc'] ?? Number.NaN]),
    );
    const served = m?.served.name ?? null;
    outcomes.push({
      seed,
      asOf,
      scored: r.scored,
      served,
      seconds,
      auc: aucs,
      ece: served === null ? Number.NaN : (m?.candidates[served]?.test['ece'] ?? Number.NaN),
    });
    console.log(
      `fresh start seed ${seed} as of ${asOf}: ${r.scored ? `scored, ${served} serves` : `NOT scored: ${r.message}`} ` +
        `(${seconds.toFixed(1)} s; test AUC ${Object.entries(aucs)
          .map(([k, v]) => `${k} ${v.toFixed(3)}`)
          .join(', ')})`,
    );
    await fs.rm(dir, { recursive: true, force: true });
  }
  const scored = outcomes.filter((o) => o.scored);
  const servedCounts = [RULE_NAME, LOGISTIC_NAME, MODEL_NAME]
    .map((n) => `${n} ${scored.filter((o) => o.served === n).length}`)
    .join(', ');
  metrics.push(
    metric(
      'fresh_start_scored_share',
      scored.length / outcomes.length,
      'share',
      null,
      1,
      `${scored.length} of ${outcomes.length} fresh starts (${invoices.toLocaleString('en-US')} demo invoices; seeds ` +
        `${plan.map((p) => p.seed).join(', ')}; as of ${dates.join(', ')}) ended with every customer scored; served: ${servedCounts}`,
    ),
  );
  const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
  const servedAuc = finite(
    scored.map((o) => (o.served === null ? Number.NaN : (o.auc[o.served] ?? Number.NaN))),
  );
  const candidateAuc = (name: string) => finite(scored.map((o) => o.auc[name] ?? Number.NaN));
  metrics.push(
    metric(
      'auc_model',
      mean(servedAuc),
      'ROC AUC',
      mean(candidateAuc(RULE_NAME)),
      null,
      `the serving candidate's test AUC, mean over ${spread(servedAuc)}; baseline = the rule`,
    ),
    metric(
      'auc_network',
      mean(candidateAuc(MODEL_NAME)),
      'ROC AUC',
      null,
      null,
      `test, mean over ${spread(candidateAuc(MODEL_NAME))}`,
    ),
    metric(
      'auc_logistic',
      mean(candidateAuc(LOGISTIC_NAME)),
      'ROC AUC',
      null,
      null,
      `test, mean over ${spread(candidateAuc(LOGISTIC_NAME))}`,
    ),
    metric(
      'auc_rule',
      mean(candidateAuc(RULE_NAME)),
      'ROC AUC',
      null,
      null,
      `test, mean over ${spread(candidateAuc(RULE_NAME))}`,
    ),
    metric(
      'ece_model',
      mean(finite(scored.map((o) => o.ece))),
      'ECE',
      null,
      null,
      `the serving candidate's expected calibration error on test (deciles), mean over ${spread(finite(scored.map((o) => o.ece)))}`,
    ),
    metric(
      'demo_train_seconds',
      mean(outcomes.map((o) => o.seconds)),
      's',
      null,
      null,
      `ensureRiskScores on a fresh demo warehouse (features, the candidate family, evaluation, artefacts, scoring), mean over ${outcomes.length}`,
    ),
  );
  // The table the issue asks for: each candidate's test AUC per fresh start.
  console.log('\nseed  as of       served               rule    logistic  network');
  for (const o of outcomes) {
    const a = (n: string) => (o.auc[n] ?? Number.NaN).toFixed(4).padStart(8);
    console.log(
      `${String(o.seed).padEnd(4)}  ${o.asOf}  ${(o.served ?? 'NOT SCORED').padEnd(19)}  ${a(RULE_NAME)}  ${a(LOGISTIC_NAME)}  ${a(MODEL_NAME)}`,
    );
  }
  await writeResults('ml', metrics);
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
