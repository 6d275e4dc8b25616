import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, riskBand, validateConfig } from './config.ts';
import { SeededRandom } from '../core/random.ts';

describe('risk bands', () => {
  it('puts a PD in the last band whose lower bound it reaches', () => {
    const b = DEFAULT_CONFIG.bands;
    expect([0, 0.0199, 0.02, 0.049, 0.05, 0.149, 0.15, 0.99].map((p) => riskBand(b, p))).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'very high',
      'very high',
    ]);
  });
});

describe('settings', () => {
  it('accepts the defaults and lists every problem of bad ones', () => {
    expect(() => validateConfig(DEFAULT_CONFIG)).not.toThrow();
    const bad = { ...DEFAULT_CONFIG, horizonDays: 0, learningRate: -1, bands: [{ name: 'x', minPd: 0.1 }] };
    expect(() => validateConfig(bad)).toThrow(/horizonDays[\s\S]*learningRate[\s\S]*bands/);
  });
});

describe('seeded random numbers', () => {
  it('repeat for a seed and differ between seeds and streams', () => {
    const draw = (seed: number, stream = 0) => {
      const r = new SeededRandom(seed, stream);
      return Array.from({ length: 5 }, () => r.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42, 1)).not.toEqual(draw(42, 0));
    expect(draw(42).every((u) => u >= 0 && u < 1)).toBe(true);
  });

  it('draws permutations', () => {
    const p = [...new SeededRandom(1).permutation(50)];
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
