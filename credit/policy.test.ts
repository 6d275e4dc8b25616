import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, IN_DEFAULT_BAND } from '../ml/config.ts';
import { DEFAULT_POLICY, parsePolicy, PolicyError, thresholdsFor } from './policy.ts';

describe('the credit policy', () => {
  it("names the risk model's own bands, so a very high risk or a customer in default escalates", () => {
    const t = thresholdsFor(DEFAULT_POLICY, null, null);
    const bands = [...DEFAULT_CONFIG.bands.map((b) => b.name), IN_DEFAULT_BAND];
    expect([...t.holdRiskBands, ...t.escalateRiskBands].every((b) => bands.includes(b))).toBe(true);
    expect(t.escalateRiskBands).toEqual(['very high', 'in default']);
  });

  it('refuses a band the risk model does not have, naming the ones it has', () => {
    const text = `version: 1
approval: { credit_manager_max: "1000" }
defaults:
  overdue_days: 60
  hold_risk_bands: [high]
  escalate_risk_bands: [very_high]
  escalate_over_limit_share: 0.25
  missing_limit: escalate
`;
    expect(() => parsePolicy(text, 'policy.yaml')).toThrow(PolicyError);
    expect(() => parsePolicy(text, 'policy.yaml')).toThrow(
      'policy.yaml: defaults.escalate_risk_bands.0: not a risk band: use "low", "medium", "high", "very high", "in default"',
    );
  });
});
