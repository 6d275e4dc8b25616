/**
 * The generator and the evaluation: same seed, same statements; the engine beats the exact-reference
 * baseline by a wide margin without giving up precision on a small synthetic ledger (a regression
 * floor; the benchmark measures the demo ledger).
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../cashapp/evaluate.ts';
import { generateStatements, syntheticLedger } from '../../cashapp/generate.ts';

describe('statements with known truth', () => {
  const { items, customers } = syntheticLedger(3, 120, 1200);
  const truth = generateStatements(3, items, customers, '2026-07-01');

  it('is deterministic and has the mess it promises', () => {
    expect(generateStatements(3, items, customers, '2026-07-01')).toEqual(truth);
    const kinds = new Set(truth.map((t) => t.kind.replace('+fx', '')));
    for (const k of ['clean', 'noisy_ref', 'no_ref', 'bundle_refs', 'partial', 'fee', 'non_customer']) {
      expect(kinds, k).toContain(k);
    }
    expect(truth.some((t) => t.duplicate)).toBe(true);
    expect(truth.some((t) => t.line.instructedCurrency !== null)).toBe(true);
  });

  it('the engine applies far more than the baseline, at least as precisely', () => {
    const e = evaluate(truth, items, customers);
    expect(e.duplicatesRemoved).toBe(truth.filter((t) => t.duplicate).length);
    expect(e.autoMatchPrecision).toBeGreaterThanOrEqual(0.995);
    expect(e.autoMatchRate).toBeGreaterThan(0.8);
    expect(e.autoMatchRate).toBeGreaterThan(e.baselineAutoMatchRate + 0.3);
    expect(e.reviewTop1Accuracy).toBeGreaterThan(0.6);
  });
});
