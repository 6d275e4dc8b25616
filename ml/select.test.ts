import { describe, expect, it } from 'vitest';
import type { AucDifference } from './metrics.ts';
import { isPublishable, selectCandidate, type CandidateScore } from './select.ts';

const d = (difference: number, low: number, high: number): AucDifference => ({
  difference,
  low,
  high,
  shareAWins: 0.5,
  rounds: 500,
});
const rule: CandidateScore = { name: 'rule', complexity: 0, validationAuc: 0.88, vsRule: null };
const logistic = (auc: number, low: number): CandidateScore => ({
  name: 'logistic',
  complexity: 1,
  validationAuc: auc,
  vsRule: d(auc - 0.88, low, low + 0.08),
});
const network = (auc: number, low: number): CandidateScore => ({
  name: 'network',
  complexity: 2,
  validationAuc: auc,
  vsRule: d(auc - 0.88, low, low + 0.08),
});

describe('the publication rule', () => {
  it('is publishable only with the whole interval against the rule above zero', () => {
    expect(isPublishable(rule)).toBe(false);
    expect(isPublishable(logistic(0.93, 0.001))).toBe(true);
    expect(isPublishable(logistic(0.93, 0))).toBe(false);
    expect(isPublishable(logistic(0.93, -0.02))).toBe(false);
    expect(isPublishable({ ...rule, name: 'x', vsRule: d(Number.NaN, Number.NaN, Number.NaN) })).toBe(false);
  });

  it.for([
    // [case, logistic low, network low, network − logistic interval low, served, reason]
    ['nothing beats the rule beyond noise', -0.02, -0.01, 0.01, 'rule', 'no_model_beats_rule'],
    ['only logistic regression beats it', 0.01, -0.01, 0.01, 'logistic', 'best'],
    ['only the network beats it', -0.01, 0.02, 0.01, 'network', 'best'],
    ['both; the network is ahead beyond noise', 0.01, 0.02, 0.004, 'network', 'best'],
    ['both; the network is ahead within noise', 0.01, 0.02, -0.003, 'logistic', 'simpler_within_noise'],
  ] as const)('%s', ([, lrLow, nnLow, gapLow, served, reason]) => {
    const calls: string[] = [];
    const s = selectCandidate([rule, logistic(0.92, lrLow), network(0.94, nnLow)], (a, b) => {
      calls.push(`${a}-${b}`);
      return d(0.02, gapLow, gapLow + 0.05);
    });
    expect(s.served).toBe(served);
    expect(s.reason).toBe(reason);
    // The best is compared with a simpler publishable model only.
    expect(calls).toEqual(lrLow > 0 && nnLow > 0 ? ['network-logistic'] : []);
    expect(s.bestVsServed === null).toBe(reason !== 'simpler_within_noise');
  });

  it('serves the best on validation, the simpler one on an exact tie', () => {
    const s = selectCandidate([rule, logistic(0.95, 0.01), network(0.93, 0.01)], () => d(0, -1, 1));
    expect(s).toMatchObject({ served: 'logistic', reason: 'best', best: 'logistic' });
    const tie = selectCandidate([rule, network(0.93, 0.01), logistic(0.93, 0.01)], () => d(0, -1, 1));
    expect(tie.served).toBe('logistic');
  });

  it('serves the rule when too few customers defaulted in the decision data, whatever the intervals say', () => {
    const models = [rule, logistic(0.95, 0.03), network(0.97, 0.04)];
    const few = selectCandidate(models, () => d(0.02, 0.01, 0.03), { defaultingCustomers: 6, needed: 20 });
    expect(few).toMatchObject({
      served: 'rule',
      reason: 'too_few_defaults',
      publishable: [],
      evidence: { defaultingCustomers: 6, needed: 20 },
    });
    const enough = selectCandidate(models, () => d(0.02, 0.01, 0.03), {
      defaultingCustomers: 20,
      needed: 20,
    });
    expect(enough).toMatchObject({ served: 'network', reason: 'best' });
  });

  it('needs the rule among the candidates', () => {
    expect(() => selectCandidate([logistic(0.9, 0.1)], () => d(0, 0, 0))).toThrow(/no rule/);
  });
});
