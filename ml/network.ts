/**
 * The networks: a small multilayer perceptron (the risk model) and, with no hidden layer, a
 * logistic regression (a baseline), both TF.js LayersModels trained the same way:
 *
 * - inputs: the standardised feature matrix (features.ts);
 * - binary cross-entropy with class weights (defaults are rare), L2 on the kernels, Adam;
 * - each epoch visits the training rows in an order drawn from a seeded generator, in batches;
 * - after each epoch the class-weighted loss on the validation rows decides early stopping, and the
 *   best epoch's weights are kept.
 *
 * Initialisers take seeds derived from the run's seed, dropout is not used, and TF.js' own
 * shuffling is off, so the same seed on the same backend gives the same weights.
 */
import type { Matrix } from './features.ts';
import { rocAuc } from './metrics.ts';
import { SeededRandom } from './rng.ts';
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
  readonly l2: number;
  readonly seed: number;
}

export function buildNetwork(spec: NetworkSpec): tf.LayersModel {
  const seeds = new SeededRandom(spec.seed, 17);
  const regularizer = spec.l2 > 0 ? tf.regularizers.l2({ l2: spec.l2 }) : undefined;
  const dense = (units: number, activation: 'relu' | 'linear' | 'sigmoid', name: string) =>
    tf.layers.dense({
      units,
      activation,
      kernelInitializer:
        activation === 'relu'
          ? tf.initializers.heNormal({ seed: seeds.nextUint32() })
          : tf.initializers.glorotUniform({ seed: seeds.nextUint32() }),
      biasInitializer: 'zeros',
      ...(regularizer ? { kernelRegularizer: regularizer } : {}),
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
    output = tf.layers.activation({ activation: 'sigmoid', name: 'default_probability' }).apply(sum) as tf.SymbolicTensor;
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

/**
 * Class weights, normalised so the average row weighs 1: 'balanced' makes both classes weigh the
 * same in total (default weight n_neg / n_pos times a non-default's), 'sqrt' uses the square root of
 * that ratio (a milder correction), 'none' weighs every row 1.
 */
export function classWeights(y: ArrayLike<number>, mode: 'balanced' | 'sqrt' | 'none'): { 0: number; 1: number } {
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

function tensor(x: Matrix): tf.Tensor2D {
  return tf.tensor2d(x.data, [x.rows, x.cols], 'float32');
}

export function predict(model: tf.LayersModel, x: Matrix, batchSize = 8192): Float32Array {
  const out = new Float32Array(x.rows);
  for (let start = 0; start < x.rows; start += batchSize) {
    const end = Math.min(x.rows, start + batchSize);
    const part = tf.tidy(() => {
      const xs = tf.tensor2d(x.data.subarray(start * x.cols, end * x.cols), [end - start, x.cols], 'float32');
      return (model.predict(xs) as tf.Tensor).dataSync();
    });
    out.set(part, start);
  }
  return out;
}

export async function trainNetwork(
  model: tf.LayersModel,
  train: Labelled,
  validation: Labelled,
  o: TrainOptions,
): Promise<TrainResult> {
  const started = performance.now();
  model.compile({ optimizer: tf.train.adam(o.learningRate), loss: 'binaryCrossentropy' });
  const order = new SeededRandom(o.seed, 29);
  const xs = tensor(train.x);
  const ys = tf.tensor2d(train.y, [train.y.length, 1], 'float32');
  const history: EpochLog[] = [];
  // Scores where higher is better: −loss or AUC.
  let best = { epoch: 0, score: Number.NEGATIVE_INFINITY, weights: [] as tf.Tensor[] };
  try {
    for (let epoch = 1; epoch <= o.maxEpochs; epoch++) {
      const idx = tf.tensor1d(order.permutation(train.x.rows), 'int32');
      const xe = tf.gather(xs, idx);
      const ye = tf.gather(ys, idx);
      idx.dispose();
      const h = await model.fit(xe, ye, {
        epochs: 1,
        batchSize: o.batchSize,
        shuffle: false,
        verbose: 0,
        classWeight: { 0: o.classWeight[0], 1: o.classWeight[1] },
      });
      xe.dispose();
      ye.dispose();
      const loss = Number(h.history['loss']?.[0]);
      const pv = predict(model, validation.x);
      const validationLoss = weightedLogLoss(pv, validation.y, o.classWeight);
      const validationAuc = rocAuc({ scores: pv, labels: validation.y });
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
    xs.dispose();
    ys.dispose();
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
    tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: a.weightData }),
  );
}
