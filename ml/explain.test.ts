import { describe, expect, it } from 'vitest';
import { occlusion, topContributions } from './explain.ts';
import type { ColumnGroup, Matrix } from './features.ts';

// A linear "probability" so the contributions are known exactly: p = 0.5 + Σ w·x.
const w = [0.1, -0.05, 0.02, 0.03];
const linear = (x: Matrix) =>
  Float64Array.from(
    { length: x.rows },
    (_, i) => 0.5 + w.reduce((a, wj, j) => a + wj * (x.data[i * x.cols + j] ?? 0), 0),
  );

const groups: ColumnGroup[] = [
  { name: 'a', columns: [0], baseline: [0] },
  { name: 'b', columns: [1], baseline: [0] },
  { name: 'region', columns: [2, 3], baseline: [0.25, 0.75] },
];

describe('occlusion against the training mean', () => {
  it('gives each feature the change in probability when it is set to its mean', () => {
    const x: Matrix = { data: Float32Array.from([2, 1, 1, 0, -1, 0, 0, 1]), rows: 2, cols: 4 };
    const c = occlusion(x, groups, linear);
    expect(c).toHaveLength(2);
    expect(c[0]?.[0]).toBeCloseTo(0.2, 6); // 0.1 × (2 − 0)
    expect(c[0]?.[1]).toBeCloseTo(-0.05, 6); // −0.05 × (1 − 0)
    expect(c[0]?.[2]).toBeCloseTo(0.02 * (1 - 0.25) + 0.03 * (0 - 0.75), 6);
    expect(c[1]?.[0]).toBeCloseTo(-0.1, 6);
    expect(c[1]?.[2]).toBeCloseTo(0.02 * (0 - 0.25) + 0.03 * (1 - 0.75), 6);
  });

  it('gives the same answer whatever the chunk size', () => {
    const rows = 7;
    const data = Float32Array.from({ length: rows * 4 }, (_, i) => ((i * 37) % 11) / 5 - 1);
    const x: Matrix = { data, rows, cols: 4 };
    expect(occlusion(x, groups, linear, 3)).toEqual(occlusion(x, groups, linear, 100));
  });
});

describe('top contributions', () => {
  it('lists the largest by absolute value, signed, with the feature value', () => {
    const top = topContributions([0.01, -0.3, 0.2], groups, (f) => (f === 'region' ? 'LATAM' : 1), 2);
    expect(top).toEqual([
      { feature: 'b', value: 1, contribution: -0.3 },
      { feature: 'region', value: 'LATAM', contribution: 0.2 },
    ]);
  });

  it('leaves out features that changed nothing', () => {
    expect(topContributions([0, 0, 0.00004], groups, () => null, 5)).toEqual([
      { feature: 'region', value: null, contribution: 0 },
    ]);
  });
});
