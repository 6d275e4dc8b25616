import { beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel, ModelMetadata } from './artefacts.server.ts';
import { applyCalibrator, logit, type Calibrator } from './calibrate.ts';
import type { Matrix } from './features.ts';
import { margin, meanScores, probabilities } from './model.ts';
import { buildNetwork, predict } from './network.ts';
import { SeededRandom } from '../core/random.ts';
import { pdFunction } from './score.server.ts';
import { useBackend } from './tf.ts';

function matrix(rows: number, cols: number, seed: number): Matrix {
  const rng = new SeededRandom(seed);
  return { data: Float32Array.from({ length: rows * cols }, () => rng.normal()), rows, cols };
}

describe('scoring models', () => {
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

  it("a network's raw score is the logit of its seeds' mean probability; the PD calibrates it", () => {
    const x = matrix(50, 6, 1);
    const a = buildNetwork({ inputs: 6, hidden: [8], linearSkip: true, seed: 42 });
    const b = buildNetwork({ inputs: 6, hidden: [8], linearSkip: true, seed: 43 });
    const pa = predict(a, x);
    const pb = predict(b, x);
    const m = margin({ kind: 'network', members: [a, b] }, x);
    for (let i = 0; i < 50; i++) {
      expect(m[i]).toBeCloseTo(logit(((pa[i] as number) + (pb[i] as number)) / 2), 10);
    }
    const calibration: Calibrator = { method: 'platt', a: 0.8, b: -1.5 };
    const model = {
      metadata: { served: { calibration } } as unknown as ModelMetadata,
      scoring: { kind: 'network', members: [a, b] },
    } as LoadedModel;
    const pd = pdFunction(model)(x);
    for (let i = 0; i < 50; i++) expect(pd[i]).toBe(applyCalibrator(calibration, m[i] as number));
    a.dispose();
    b.dispose();
  });

  it("a logistic regression's raw score is its linear predictor, the rule's its column (with its sign)", () => {
    const x: Matrix = { data: Float32Array.from([1, 2, -1, 0.5]), rows: 2, cols: 2 };
    expect([...margin({ kind: 'logistic', intercept: -1, coefficients: [0.5, 2] }, x)]).toEqual([
      -1 + 0.5 + 4,
      -1 - 0.5 + 1,
    ]);
    expect([...margin({ kind: 'rule', column: 1, sign: -1 }, x)]).toEqual([-2, -0.5]);
    expect(() => margin({ kind: 'rule', column: 2, sign: 1 }, x)).toThrow(/not in the matrix/);
    const steps: Calibrator = { method: 'isotonic', steps: { thresholds: [-1, 0], values: [0.01, 0.2] } };
    expect([...probabilities({ kind: 'rule', column: 0, sign: 1 }, steps, x)]).toEqual([0.2, 0.01]);
  });
});
