/**
 * The networks: a small multilayer perceptron (the risk model) and, with no hidden layer, a
 * logistic regression (a baseline), both TF.js LayersModels trained the same way:
 *
 * - inputs: the standardised feature matrix (features.ts);
 * - binary cross-entropy with class weights (defaults are rare), L2 on the kernels, Adam;
 * - each epoch visits the training rows in an order drawn from a seeded generator, in batches, with
 *   our own loop (optimizer.minimize on the batch loss; 2x faster than LayersModel.fit here);
 * - after each epoch the class-weighted loss on the validation rows decides early stopping, and the
 *   best epoch's weights are kept.
 *
 * Initialisers take seeds derived from the run's seed, dropout is not used, and TF.js' own
 * shuffling is off, so the same seed on the same backend gives the same weights.
 */
import type { Matrix } from './features.ts';
import { rocAuc } from './metrics.ts';
import { SeededRandom } from '../core/random.ts';
import { tf } from './tf.ts';

export interface NetworkSpec {
  readonly inputs: number;
  /** Hidden layer sizes; [] = logistic regression. */
  readonly hidden: readonly number[];
  /**
   * Add a linear term of the inputs to the hidden layers' output before the sigmoid ("wide and
   * deep"): the network then contains logistic regression as a special case and the hidden layers
   * model what a linear score misses.
   */
  readonly linearSkip: boolean;
  readonly seed: number;
}

export function buildNetwork(spec: NetworkSpec): tf.LayersModel {
  const seeds = new SeededRandom(spec.seed, 17);
  const dense = (units: number, activation: 'relu' | 'linear' | 'sigmoid', name: string) =>
    tf.layers.dense({
      units,
      activation,
      kernelInitializer:
        activation === 'relu'
          ? tf.initializers.heNormal({ seed: seeds.nextUint32() })
          : tf.initializers.glorotUniform({ seed: seeds.nextUint32() }),
      biasInitializer: 'zeros',
      name,
    });
  const input = tf.input({ shape: [spec.inputs], name: 'features' });
  let h: tf.SymbolicTensor = input;
  spec.hidden.forEach((units, i) => {
    h = dense(units, 'relu', `hidden_${i + 1}`).apply(h) as tf.SymbolicTensor;
  });
  let output: tf.SymbolicTensor;
  if (spec.linearSkip && spec.hidden.length > 0) {
    const deep = dense(1, 'linear', 'deep_score').apply(h) as tf.SymbolicTensor;
    const wide = dense(1, 'linear', 'linear_score').apply(input) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'score' }).apply([wide, deep]) as tf.SymbolicTensor;
    output = tf.layers
      .activation({ activation: 'sigmoid', name: 'default_probability' })
      .apply(sum) as tf.SymbolicTensor;
  } else {
    output = dense(1, 'sigmoid', 'default_probability').apply(h) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: output, name: spec.hidden.length > 0 ? 'risk_mlp' : 'logistic' });
}

export interface Labelled {
  readonly x: Matrix;
  /** 0/1 per row. */
  readonly y: Float32Array;
}

export interface TrainOptions {
  readonly learningRate: number;
  /** L2 penalty on the kernels (not the biases): l2 × Σ w². */
  readonly l2: number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  readonly patience: number;
  /** Weight of each class in the loss. */
  readonly classWeight: { readonly 0: number; readonly 1: number };
  readonly seed: number;
  /**
   * What early stopping watches on the validation rows: 'auc' (ROC AUC, higher is better) or 'loss'
   * (class-weighted log loss, lower is better).
   */
  readonly monitor: 'auc' | 'loss';
  /**
   * Rows one epoch visits at most (default: all). Above it, each epoch takes every default and a
   * fresh seeded sample of the other rows, reweighted so the epoch's weighted loss is an unbiased
   * estimate of the full data's: large data trains in bounded time per epoch while every row is
   * still seen over the epochs. Early stopping then watches a fixed sample of the validation rows
   * of the same size (every default and a seeded sample of the others; ROC AUC is unbiased under it).
   */
  readonly maxRowsPerEpoch?: number;
  readonly onEpoch?: (e: EpochLog) => void;
}

export interface EpochLog {
  readonly epoch: number;
  readonly loss: number;
  readonly validationLoss: number;
  readonly validationAuc: number;
}

export interface TrainResult {
  readonly epochs: number;
  readonly bestEpoch: number;
  /** The monitored validation figure at the best epoch. */
  readonly bestValidation: number;
  readonly history: EpochLog[];
  readonly seconds: number;
}

/** Steps per epoch above which batches grow (batchSizeFor). */
const STEPS_PER_EPOCH = 32;

/**
 * The batch size for `rows` training rows per epoch: the configured size, doubled until an epoch
 * takes at most 32 steps, capped at 8,192. Small data keeps the configured batches; large data is
 * not trained 256 rows at a time (per-step overhead would dominate).
 */
export function batchSizeFor(rows: number, configured: number): number {
  let size = configured;
  while (size < 8192 && rows / size > STEPS_PER_EPOCH) size *= 2;
  return Math.max(configured, Math.min(size, 8192));
}

/**
 * Class weights, normalised so the average row weighs 1: 'balanced' makes both classes weigh the
 * same in total (default weight n_neg / n_pos times a non-default's), 'sqrt' uses the square root of
 * that ratio (a milder correction), 'none' weighs every row 1.
 */
export function classWeights(
  y: ArrayLike<number>,
  mode: 'balanced' | 'sqrt' | 'none',
): { 0: number; 1: number } {
  let pos = 0;
  for (let i = 0; i < y.length; i++) pos += y[i] as number;
  const neg = y.length - pos;
  if (mode === 'none' || pos === 0 || neg === 0) return { 0: 1, 1: 1 };
  const ratio = mode === 'balanced' ? neg / pos : Math.sqrt(neg / pos);
  const w0 = y.length / (neg + ratio * pos);
  return { 0: w0, 1: ratio * w0 };
}

/** Class-weighted mean binary cross-entropy. */
export function weightedLogLoss(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  w: { readonly 0: number; readonly 1: number },
): number {
  let sum = 0;
  let weight = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i] as number));
    const yi = y[i] as number;
    const wi = yi === 1 ? w[1] : w[0];
    sum += -wi * (yi * Math.log(q) + (1 - yi) * Math.log(1 - q));
    weight += wi;
  }
  return weight > 0 ? sum / weight : Number.NaN;
}

/**
 * The rows an epoch visits and each one's weight multiplier: all rows (multiplier 1) when there are
 * at most `cap`; otherwise every positive and a seeded sample of the negatives, with multipliers
 * (m / n for positives, m / (n · rate) for sampled negatives) that make the mean weighted loss over
 * the m sampled rows an unbiased estimate of the mean over all n. Pure.
 */
export function epochSample(
  y: ArrayLike<number>,
  cap: number,
  rng: SeededRandom,
): { rows: Int32Array; multiplier: Float32Array } {
  const n = y.length;
  if (n <= cap) return { rows: rng.permutation(n), multiplier: new Float32Array(n).fill(1) };
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < n; i++) ((y[i] as number) > 0.5 ? positives : negatives).push(i);
  const keep = Math.max(1, Math.min(negatives.length, cap - positives.length));
  for (let k = 0; k < keep; k++) {
    const j = k + rng.int(negatives.length - k);
    const t = negatives[k] as number;
    negatives[k] = negatives[j] as number;
    negatives[j] = t;
  }
  const chosen = [...positives, ...negatives.slice(0, keep)];
  const m = chosen.length;
  const order = rng.permutation(m);
  const rows = new Int32Array(m);
  const multiplier = new Float32Array(m);
  const positiveMultiplier = m / n;
  const negativeMultiplier = (m / n) * (negatives.length / keep);
  for (let k = 0; k < m; k++) {
    const row = chosen[order[k] as number] as number;
    rows[k] = row;
    multiplier[k] = (y[row] as number) > 0.5 ? positiveMultiplier : negativeMultiplier;
  }
  return { rows, multiplier };
}

/** A fixed subsample of labelled rows (every positive, seeded negatives) of at most `cap` rows. */
export function subsample(d: Labelled, cap: number, seed: number): Labelled {
  if (d.x.rows <= cap) return d;
  const { rows } = epochSample(d.y, cap, new SeededRandom(seed, 61));
  const sorted = Int32Array.from(rows).sort();
  const cols = d.x.cols;
  const data = new Float32Array(sorted.length * cols);
  const y = new Float32Array(sorted.length);
  sorted.forEach((row, k) => {
    data.set(d.x.data.subarray(row * cols, (row + 1) * cols), k * cols);
    y[k] = d.y[row] as number;
  });
  return { x: { data, rows: sorted.length, cols }, y };
}

export function predict(model: tf.LayersModel, x: Matrix, batchSize = 65_536): Float32Array {
  const out = new Float32Array(x.rows);
  for (let start = 0; start < x.rows; start += batchSize) {
    const end = Math.min(x.rows, start + batchSize);
    const part = tf.tidy(() => {
      const xs = tf.tensor2d(x.data.subarray(start * x.cols, end * x.cols), [end - start, x.cols], 'float32');
      // apply(), not predict(): predict() splits its input into batches of 32 rows by default.
      return (model.apply(xs) as tf.Tensor).dataSync();
    });
    out.set(part, start);
  }
  return out;
}

/**
 * The batch loss: class-weighted mean binary cross-entropy plus l2 × Σ kernel² (the bias terms are
 * not penalised), as Keras computes it with class weights and L2 kernel regularisers.
 */
function batchLoss(
  model: tf.LayersModel,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  w: tf.Tensor2D,
  kernels: readonly tf.Variable[],
  l2: number,
): tf.Scalar {
  const p = tf.clipByValue(model.apply(x) as tf.Tensor2D, 1e-7, 1 - 1e-7);
  const bce = tf.neg(tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p)))));
  let loss = tf.mean(tf.mul(bce, w)) as tf.Scalar;
  if (l2 > 0) for (const k of kernels) loss = tf.add(loss, tf.mul(l2, tf.sum(tf.square(k))));
  return loss;
}

export async function trainNetwork(
  model: tf.LayersModel,
  train: Labelled,
  validation: Labelled,
  o: TrainOptions,
): Promise<TrainResult> {
  const started = performance.now();
  const optimizer = tf.train.adam(o.learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  // Kernels are the 2-D weights (biases are 1-D); layer-variable names get suffixes when several
  // models live in one process, so they are not a reliable way to tell.
  const kernels = model.trainableWeights
    .filter((w) => w.shape.length === 2)
    .map((w) => w.read() as tf.Variable);
  const order = new SeededRandom(o.seed, 29);
  const cap = o.maxRowsPerEpoch ?? Number.POSITIVE_INFINITY;
  const watched = Number.isFinite(cap) ? subsample(validation, cap, o.seed) : validation;
  const cols = train.x.cols;
  // Batches are assembled in JavaScript (row copies) rather than with tf.gather, which is several
  // times slower on the wasm backend for a large source tensor.
  const bx = new Float32Array(o.batchSize * cols);
  const by = new Float32Array(o.batchSize);
  const bw = new Float32Array(o.batchSize);
  const history: EpochLog[] = [];
  // Scores where higher is better: −loss or AUC.
  let best = { epoch: 0, score: Number.NEGATIVE_INFINITY, weights: [] as tf.Tensor[] };
  try {
    for (let epoch = 1; epoch <= o.maxEpochs; epoch++) {
      const { rows: permutation, multiplier } = epochSample(train.y, cap, order);
      const costs: tf.Scalar[] = [];
      for (let start = 0; start < permutation.length; start += o.batchSize) {
        const size = Math.min(o.batchSize, permutation.length - start);
        for (let k = 0; k < size; k++) {
          const row = permutation[start + k] as number;
          bx.set(train.x.data.subarray(row * cols, (row + 1) * cols), k * cols);
          const label = train.y[row] as number;
          by[k] = label;
          bw[k] = (label === 1 ? o.classWeight[1] : o.classWeight[0]) * (multiplier[start + k] as number);
        }
        const cost = tf.tidy((): tf.Scalar => {
          const xb = tf.tensor2d(bx.subarray(0, size * cols), [size, cols], 'float32');
          const yb = tf.tensor2d(by.subarray(0, size), [size, 1], 'float32');
          const wb = tf.tensor2d(bw.subarray(0, size), [size, 1], 'float32');
          const c = optimizer.minimize(() => batchLoss(model, xb, yb, wb, kernels, o.l2), true, variables);
          if (!c) throw new Error('internal: the optimizer returned no cost');
          return c;
        });
        costs.push(cost);
      }
      const total = tf.addN(costs);
      const loss = ((await total.data())[0] as number) / costs.length;
      total.dispose();
      for (const c of costs) c.dispose();
      const pv = predict(model, watched.x);
      const validationLoss = weightedLogLoss(pv, watched.y, o.classWeight);
      const validationAuc = rocAuc({ scores: pv, labels: watched.y });
      const log = { epoch, loss, validationLoss, validationAuc };
      history.push(log);
      o.onEpoch?.(log);
      const score = o.monitor === 'auc' ? validationAuc : -validationLoss;
      if (score > best.score + 1e-6) {
        for (const w of best.weights) w.dispose();
        best = { epoch, score, weights: model.getWeights().map((w) => w.clone()) };
      } else if (epoch - best.epoch >= o.patience) {
        break;
      }
    }
    if (best.weights.length > 0) model.setWeights(best.weights);
  } finally {
    for (const w of best.weights) w.dispose();
    optimizer.dispose();
  }
  return {
    epochs: history.length,
    bestEpoch: best.epoch,
    bestValidation: o.monitor === 'auc' ? best.score : -best.score,
    history,
    seconds: (performance.now() - started) / 1000,
  };
}

/** A trained network as plain data: what is written to model.json and weights.bin. */
export interface NetworkArtefacts {
  readonly modelTopology: object;
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
}

export async function serializeNetwork(model: tf.LayersModel): Promise<NetworkArtefacts> {
  let saved: NetworkArtefacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.modelTopology || !artifacts.weightSpecs || artifacts.weightData === undefined) {
        throw new Error('internal: TF.js saved a model without topology or weights');
      }
      saved = {
        modelTopology: artifacts.modelTopology as object,
        weightSpecs: artifacts.weightSpecs,
        weightData: tf.io.CompositeArrayBuffer.join(artifacts.weightData),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('internal: TF.js did not call the save handler');
  return saved;
}

export async function deserializeNetwork(a: NetworkArtefacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: a.modelTopology,
      weightSpecs: a.weightSpecs,
      weightData: a.weightData,
    }),
  );
}
