import { describe, expect, it } from 'vitest';
import { decide, type CustomerFacts } from './decide.ts';
import {
  DEFAULT_POLICY,
  DEFAULT_POLICY_YAML as DEFAULT_POLICY_TEXT,
  parsePolicy,
  thresholdsFor,
} from './policy.ts';

const base: CustomerFacts = {
  known: true,
  region: 'EMEA',
  segment: 'SMB',
  exposureCents: 50_000_00,
  approvedSinceCents: 0,
  limitCents: 100_000_00,
  maxDaysPastDue: null,
  riskBand: 'low',
  blocked: false,
  blacklisted: false,
  prepaymentRequired: false,
};
const t = thresholdsFor(DEFAULT_POLICY, 'EMEA', 'SMB');
const run = (over: Partial<CustomerFacts>, order: number | null = 10_000_00) => {
  const d = decide({ ...base, ...over }, order, t);
  return [d.outcome, d.reasons.map((r) => `${r.code}:${r.effect}`)];
};

describe('decide', () => {
  it.each([
    ['fits', {}, 10_000_00, 'approve', []],
    ['exactly at the limit', {}, 50_000_00, 'approve', []],
    ['one cent over: hold', {}, 50_000_01, 'hold', ['over_limit:hold']],
    ['over by more than 25 %: escalate', {}, 76_000_00, 'escalate', ['over_limit:escalate']],
    [
      'approvals since the build count',
      { approvedSinceCents: 45_000_00 },
      10_000_00,
      'hold',
      ['over_limit:hold'],
    ],
    ['overdue beyond 60 days', { maxDaysPastDue: 61 }, 1_00, 'hold', ['overdue:hold']],
    ['overdue 60 days is allowed', { maxDaysPastDue: 60 }, 1_00, 'approve', []],
    ['high risk', { riskBand: 'high' }, 1_00, 'hold', ['risk_band:hold']],
    ['very high risk', { riskBand: 'very high' }, 1_00, 'escalate', ['risk_band:escalate']],
    ['no limit', { limitCents: null }, 1_00, 'escalate', ['missing_limit:escalate']],
    ['unknown customer', { known: false }, 1_00, 'escalate', ['unknown_customer:escalate']],
    ['unknown currency', {}, null, 'escalate', ['unknown_currency:escalate']],
    ['blocked in the ERP', { blocked: true }, 1_00, 'hold', ['blocked:hold']],
    ['prepayment required', { prepaymentRequired: true }, 1_00, 'hold', ['prepayment_required:hold']],
    ['large order', { limitCents: 10_000_000_00 }, 500_000_00, 'escalate', ['large_order:escalate']],
    [
      'blacklisted: held whatever else escalates',
      { blacklisted: true, riskBand: 'very high' },
      1_00,
      'hold',
      ['blacklisted:hold', 'risk_band:escalate'],
    ],
  ] as const)('%s', (_, over, order, outcome, reasons) => {
    expect(run(over, order)).toEqual([outcome, reasons]);
  });

  it('takes thresholds per region, then per segment', () => {
    const p = parsePolicy(`
version: 1
approval: { credit_manager_max: "1000" }
defaults: { overdue_days: 30, hold_risk_bands: [high], escalate_risk_bands: [], escalate_over_limit_share: 0.1, missing_limit: hold }
regions: { APAC: { overdue_days: 45 } }
segments: { Enterprise: { overdue_days: 90, missing_limit: escalate } }
`);
    expect(thresholdsFor(p, 'EMEA', 'SMB').overdueDays).toBe(30);
    expect(thresholdsFor(p, 'APAC', 'SMB').overdueDays).toBe(45);
    expect(thresholdsFor(p, 'APAC', 'Enterprise')).toMatchObject({
      overdueDays: 90,
      missingLimit: 'escalate',
    });
    expect(thresholdsFor(p, '__proto__', 'constructor').overdueDays).toBe(30);
    expect(p.approval.credit_manager_max).toBe(1000_00);
  });

  it('refuses a policy that is not valid, naming the key', () => {
    expect(() => parsePolicy('version: 2')).toThrow(/version/);
    expect(() => parsePolicy(DEFAULT_POLICY_TEXT.replace('overdue_days: 60', 'overdue_days: -1'))).toThrow(
      /defaults.overdue_days/,
    );
    expect(() =>
      parsePolicy(DEFAULT_POLICY_TEXT.replace('regions: {}', 'regions: { X: { typo: 1 } }')),
    ).toThrow(/regions.X/);
    expect(() => parsePolicy('{')).toThrow(/not valid YAML/);
  });
});
