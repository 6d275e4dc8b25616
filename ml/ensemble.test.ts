import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel, ModelMetadata } from './artefacts.server.ts';
import { applyPlatt } from './calibrate.ts';
import { meanScores, predictEnsemble } from './ensemble.ts';
import type { Matrix } from './features.ts';
import { buildNetwork, predict } from './network.ts';
import { SeededRandom } from '../core/random.ts';
import { pdFunction } from './score.server.ts';
import { useBackend } from './tf.ts';

function matrix(rows: number, cols: number, seed: number): Matrix {
  const rng = new SeededRandom(seed);
  return { data: Float32Array.from({ length: rows * cols }, () => rng.normal()), rows, cols };
}

describe('the ensemble', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('averages equally long score vectors, and refuses none or mismatched ones', () => {
    expect([
      ...meanScores([
        [0.25, 0.5],
        [0.75, 0.25],
      ]),
    ]).toEqual([0.5, 0.375]);
    expect([...meanScores([[0.25, 1]])]).toEqual([0.25, 1]);
    expect(() => meanScores([])).toThrow(/at least one member/);
    expect(() => meanScores([[0.1], [0.1, 0.2]])).toThrow(/rows/);
  });

  it("predicts the mean of its members' probabilities before calibration; the PD calibrates that mean", () => {
    const x = matrix(50, 6, 1);
    const mlp = buildNetwork({ inputs: 6, hidden: [8], linearSkip: true, seed: 42 });
    const logistic = buildNetwork({ inputs: 6, hidden: [], linearSkip: true, seed: 44 });
    const a = predict(mlp, x);
    const b = predict(logistic, x);
    const mean = predictEnsemble([mlp, logistic], x);
    expect(mean).toHaveLength(50);
    for (let i = 0; i < 50; i++) expect(mean[i]).toBe(((a[i] as number) + (b[i] as number)) / 2);
    // The members differ, so the mean is neither of them.
    expect([...mean]).not.toEqual([...a].map(Number));
    const calibration = { a: 0.8, b: -1.5 };
    const model = { metadata: { calibration } as ModelMetadata, members: [mlp, logistic] } as LoadedModel;
    const pd = pdFunction(model)(x);
    for (let i = 0; i < 50; i++) expect(pd[i]).toBe(applyPlatt(calibration, mean[i] as number));
    mlp.dispose();
    logistic.dispose();
  });
});
