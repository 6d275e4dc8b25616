/**
 * npm run bench:ml — the default-risk model (docs/ml.md).
 *
 * - train_seconds: training the MLP (default settings, at most BENCH_ML_EPOCHS epochs with early
 *   stopping) on 50,000 customers × 24 monthly snapshots. The feature matrix is synthetic (same
 *   columns as the model's, standardised, a 1 % default rate from a non-linear rule): this measures
 *   the network's training, not feature SQL. 16 snapshots train, 4 validate; rows × epochs in the note.
 * - wasm_vs_cpu: the same network, data and epochs (100,000 rows, 3 epochs) on the WebAssembly
 *   backend over the plain-JavaScript cpu backend.
 * - score_customers_per_s: scoring 50,000 synthetic customers (PD, calibration, occlusion
 *   explanations of every feature, top-5 JSON), model side only; score_demo_seconds is the whole
 *   `score` job on the demo warehouse (feature SQL, model, explanations, write, publish).
 * - auc_model, auc_logistic, auc_rule, brier_model: the test-period evaluation on the demo data
 *   (seed 42, 20,000 invoices, as of 2026-10-31), as `arlens train` reports it.
 * Knobs: BENCH_ML_CUSTOMERS (50000), BENCH_ML_SNAPSHOTS (24), BENCH_ML_EPOCHS (20).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { ingest } from '../../ingest/load.ts';
import { build } from '../../models/runner/index.ts';
import { applyPlatt } from '../../ml/calibrate.ts';
import { DEFAULT_CONFIG } from '../../ml/config.ts';
import { occlusion, topContributions } from '../../ml/explain.ts';
import {
  CATEGORICAL_FEATURES,
  NUMERIC_FEATURES,
  columnGroups,
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
import { scoreRiskModel, trainRiskModel } from '../../ml/risk.server.ts';
import { SeededRandom } from '../../core/random.ts';
import { LOGISTIC_NAME, MODEL_NAME, RULE_NAME } from '../../ml/train.server.ts';
import { useBackend } from '../../ml/tf.ts';
import { metric, writeResults, type Metric } from './report.ts';

const customers = Number(process.env['BENCH_ML_CUSTOMERS'] ?? 50_000);
const snapshots = Number(process.env['BENCH_ML_SNAPSHOTS'] ?? 24);
const maxEpochs = Number(process.env['BENCH_ML_EPOCHS'] ?? 20);
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

function slice(d: Labelled, from: number, to: number): Labelled {
  return {
    x: { data: d.x.data.subarray(from * cols, to * cols), rows: to - from, cols },
    y: d.y.subarray(from, to),
  };
}

async function timeTraining(
  backend: 'wasm' | 'cpu',
  train: Labelled,
  validation: Labelled,
  epochs: number,
  patience: number,
) {
  await useBackend(backend);
  const model = buildNetwork({
    inputs: cols,
    hidden: DEFAULT_CONFIG.hiddenUnits,
    linearSkip: DEFAULT_CONFIG.linearSkip,
    seed: 1,
  });
  const result = await trainNetwork(model, train, validation, {
    learningRate: DEFAULT_CONFIG.learningRate,
    l2: DEFAULT_CONFIG.l2,
    batchSize: batchSizeFor(train.x.rows, DEFAULT_CONFIG.batchSize),
    maxEpochs: epochs,
    patience,
    classWeight: classWeights(train.y, DEFAULT_CONFIG.classWeighting),
    seed: 1,
    monitor: DEFAULT_CONFIG.monitor,
  });
  return { model, result };
}

const metrics: Metric[] = [];
const root = await fs.mkdtemp(join(tmpdir(), 'arlens-bench-ml-'));
try {
  // ---- training time on 50,000 customers × 24 snapshots (synthetic matrix)
  const rows = customers * snapshots;
  const all = synthetic(rows, 7);
  const trainRows = customers * Math.round((snapshots * 2) / 3);
  const valRows = customers * Math.round(snapshots / 6);
  const train = slice(all, 0, trainRows);
  const validation = slice(all, trainRows, trainRows + valRows);
  console.log(`synthetic matrix: ${rows.toLocaleString('en-US')} rows × ${cols} columns`);
  const big = await timeTraining('wasm', train, validation, maxEpochs, DEFAULT_CONFIG.patience);
  const epochs = big.result.epochs;
  metrics.push(
    metric(
      'train_seconds',
      big.result.seconds,
      's',
      null,
      120,
      `${trainRows.toLocaleString('en-US')} rows × ${epochs} epochs (batch ${batchSizeFor(trainRows, DEFAULT_CONFIG.batchSize)}), wasm, synthetic features`,
    ),
  );

  // ---- scoring throughput, model side: PD + occlusion + top-5 JSON for 50,000 customers
  const scoreX: Matrix = { data: all.x.data.subarray(0, customers * cols), rows: customers, cols };
  const platt = { a: 1, b: -1 };
  const groups = columnGroups(preprocessor);
  let t = performance.now();
  const pdOf = (x: Matrix) => Float64Array.from(predict(big.model, x), (p) => applyPlatt(platt, p));
  const pd = pdOf(scoreX);
  const contributions = occlusion(scoreX, groups, pdOf);
  let bytes = 0;
  for (let i = 0; i < customers; i++) {
    bytes +=
      JSON.stringify(topContributions(contributions[i] ?? [], groups, () => 0, 5)).length +
      String(pd[i]).length;
  }
  const scoreSeconds = (performance.now() - t) / 1000;
  big.model.dispose();
  metrics.push(
    metric(
      'score_customers_per_s',
      customers / scoreSeconds,
      'customers/s',
      null,
      null,
      `${customers.toLocaleString('en-US')} customers, ${groups.length} occlusions each (${(bytes / 1e6).toFixed(1)} MB JSON), model side only`,
    ),
  );

  // ---- wasm vs cpu: same network, same 100,000 rows, 3 epochs
  const small = slice(all, 0, 100_000);
  const smallVal = slice(all, trainRows, trainRows + 20_000);
  const wasm = await timeTraining('wasm', small, smallVal, 3, 100);
  wasm.model.dispose();
  const cpu = await timeTraining('cpu', small, smallVal, 3, 100);
  cpu.model.dispose();
  metrics.push(
    metric(
      'wasm_vs_cpu',
      wasm.result.seconds,
      's',
      cpu.result.seconds,
      1,
      '100,000 rows × 3 epochs; baseline = cpu backend',
    ),
  );
  await useBackend('wasm');

  // ---- evaluation on the demo data's test period
  const exports = join(root, 'exports');
  const wh = join(root, 'wh');
  await generateDemo({ seed: 42, invoices: 20_000, asOf: '2026-10-31', outDir: exports });
  await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
  await build({ projectDir: join(ROOT, 'models'), warehouseDir: wh });
  t = performance.now();
  const report = await trainRiskModel({
    warehouseDir: wh,
    modelDir: join(root, 'models'),
    log: (m) => console.log(m),
  });
  const demoTrain = (performance.now() - t) / 1000;
  const test = report.evaluation.test;
  const auc = (name: string) => test[name]?.rocAuc ?? Number.NaN;
  const periods = `test ${report.evaluation.periods.test.from}..${report.evaluation.periods.test.to}, ${test[MODEL_NAME]?.rows} rows, ${test[MODEL_NAME]?.positives} defaults`;
  metrics.push(
    metric(
      'auc_model',
      auc(MODEL_NAME),
      'ROC AUC',
      auc(RULE_NAME),
      null,
      `${periods}; baseline = rule; ${report.published ? 'published' : 'NOT published: ' + report.reason}`,
    ),
    metric('auc_logistic', auc(LOGISTIC_NAME), 'ROC AUC', null, null, periods),
    metric('auc_rule', auc(RULE_NAME), 'ROC AUC', null, null, `${periods}; max days past due over 12 months`),
    metric(
      'brier_model',
      test[MODEL_NAME]?.brier ?? Number.NaN,
      'Brier',
      test[RULE_NAME]?.brier ?? null,
      null,
      `${periods}; baseline = rule`,
    ),
    metric(
      'demo_train_seconds',
      demoTrain,
      's',
      null,
      null,
      'arlens train on the demo warehouse: features, MLP, logistic, evaluation, artefacts, publish',
    ),
  );
  t = performance.now();
  const summary = await scoreRiskModel({
    warehouseDir: wh,
    modelDir: join(root, 'models'),
    version: report.version,
  });
  metrics.push(
    metric(
      'score_demo_seconds',
      (performance.now() - t) / 1000,
      's',
      null,
      null,
      `arlens score on the demo warehouse: ${summary.customers} customers end to end`,
    ),
  );
  await writeResults('ml', metrics);
} finally {
  await fs.rm(root, { recursive: true, force: true });
}
