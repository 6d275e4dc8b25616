import { describe, expect, it } from 'vitest';
import { en, ja, translator } from '../i18n/messages.ts';
import type { CandidateReport, ModelReport } from '../../../ml/evaluations.ts';
import {
  calibrationText,
  candidateStatus,
  driverLine,
  emptyScoresText,
  EVALUATION_METRICS,
  intervalText,
  metricText,
  riskBands,
  riskCustomers,
  selectionText,
  shortfallText,
} from './risk.model.ts';

const t = translator('en');
const tJa = translator('ja');

describe('risk page model', () => {
  it('bands lowest risk first, money exact, an unknown band last', () => {
    const row = (band: string, n: string) => ({
      'customer_risk.risk_band': band,
      'customer_risk.scored_customers': n,
      'customer_risk.exposure': '1000.10',
      'customer_risk.expected_loss': '12.34',
    });
    expect(riskBands([row('ultra', '1'), row('in default', '2'), row('low', '30')])).toEqual([
      { band: 'low', customers: 30, exposure: '1000.10', expectedLoss: '12.34' },
      { band: 'in default', customers: 2, exposure: '1000.10', expectedLoss: '12.34' },
      { band: 'ultra', customers: 1, exposure: '1000.10', expectedLoss: '12.34' },
    ]);
  });

  it('customers with their first three drivers; unreadable drivers are none', () => {
    const drivers = JSON.stringify(
      ['a', 'b', 'c', 'd'].map((f, i) => ({ feature: f, value: i, contribution: 0.01 * (i - 1) })),
    );
    const [c, bad] = riskCustomers([
      {
        'customer_risk.customer_id': 'C1',
        'customer_risk.customer_name': '<img src=x>',
        'customer_risk.region': 'EMEA',
        'customer_risk.risk_band': 'high',
        'customer_risk.probability_of_default': 0.21,
        'customer_risk.exposure': '500.00',
        'customer_risk.expected_loss': '105.00',
        'customer_risk.top_features': drivers,
      },
      { 'customer_risk.customer_id': 'C2', 'customer_risk.top_features': '{' },
    ]);
    expect(c).toMatchObject({ id: 'C1', name: '<img src=x>', band: 'high', probabilityOfDefault: 0.21 });
    expect(c?.drivers.map((d) => d.feature)).toEqual(['a', 'b', 'c']);
    expect(bad).toMatchObject({ id: 'C2', name: 'C2', band: null, drivers: [] });
  });

  it('a driver in words, with its value and the points it adds or removes', () => {
    const d = { feature: 'max_dpd_12m', value: 95, contribution: 0.0312 };
    expect(driverLine(d, t, 'en-US')).toBe(
      'An invoice reached 95 days past due in the last 12 months +3.1 pt',
    );
    expect(driverLine({ ...d, contribution: -0.004 }, tJa, 'ja-JP')).toBe(
      '過去12か月に請求書が最長 95 日延滞 −0.4 ポイント',
    );
    expect(driverLine({ feature: 'region', value: 'LATAM', contribution: null }, t, 'en-US')).toBe(
      'Region: LATAM',
    );
    expect(driverLine({ feature: 'overdue_share', value: 0.49, contribution: 0.02 }, t, 'en-US')).toBe(
      '49% of open AR is past due +2.0 pt',
    );
    // A feature without a sentence keeps its label and value.
    expect(driverLine({ feature: 'balance_growth_3m', value: 0.4, contribution: 0.01 }, t, 'en-US')).toBe(
      'Balance growth (3 months) = 0.40 +1.0 pt',
    );
    expect(driverLine({ feature: 'new_thing', value: null, contribution: 0.01 }, t, 'en-US')).toBe(
      'new thing +1.0 pt',
    );
  });

  it('every evaluation metric has words in both languages', () => {
    expect(EVALUATION_METRICS.map((m) => metricText(t, m))).toEqual([
      'PR AUC',
      'Brier score',
      'Calibration error (ECE)',
    ]);
    expect(metricText(tJa, 'brier')).toBe('ブライアスコア');
    // The Risk page's words are all translated; only the two curve names are the same in Japanese.
    const same = Object.keys(en).filter(
      (k) => k.startsWith('risk.') && ja[k as keyof typeof ja] === en[k as keyof typeof en],
    );
    expect(same).toEqual(['risk.metric.roc_auc', 'risk.metric.pr_auc']);
    // Every model feature (and reason for default) but three has a sentence in business words.
    const sentences = Object.keys(en)
      .filter((k) => k.startsWith('risk.driver.'))
      .map((k) => k.slice(12));
    const features = Object.keys(en)
      .filter((k) => k.startsWith('risk.feature.'))
      .map((k) => k.slice(13));
    expect(features.filter((f) => !sentences.includes(f))).toEqual([
      'balance_growth_3m',
      'has_credit_limit',
      'invoice_amount_cv_12m',
    ]);
  });
});

describe('which model serves and why', () => {
  const rule: CandidateReport = {
    name: 'rule_max_dpd_12m',
    served: false,
    validationAuc: 0.884,
    validationVsRule: null,
    testAuc: 0.897,
    testVsRule: null,
    test: {},
  };
  const logistic: CandidateReport = {
    name: 'logistic_regression',
    served: true,
    validationAuc: 0.927,
    validationVsRule: { difference: 0.0428, low: 0.0061, high: 0.0892 },
    testAuc: 0.929,
    testVsRule: { difference: 0.0321, low: -0.0038, high: 0.067 },
    test: { brier: 0.0066 },
  };
  const network: CandidateReport = {
    ...logistic,
    name: 'risk_mlp',
    served: false,
    validationAuc: 0.937,
    validationVsRule: { difference: 0.0527, low: 0.0087, high: 0.0991 },
  };
  const report = (over: Partial<ModelReport>): ModelReport => ({
    status: { state: 'scored', modelVersion: 'pd-1', servedModel: 'logistic_regression' },
    version: 'pd-1',
    evaluatedAt: '',
    validationFrom: '2025-01-31',
    validationTo: '2025-05-31',
    periodFrom: '2025-11-30',
    periodTo: '2026-04-30',
    rows: 4468,
    positives: 35,
    selection: {
      served: 'logistic_regression',
      reason: 'simpler_within_noise',
      best: 'risk_mlp',
      bestVsServed: { difference: 0.0099, low: -0.004, high: 0.021 },
      calibrationMethod: 'isotonic',
      calibratedFrom: '2025-11-30',
      calibratedTo: '2026-04-30',
      calibrationRows: 4468,
      calibrationPositives: 35,
      defaultingCustomers: 31,
      defaultingCustomersNeeded: 20,
    },
    candidates: [rule, logistic, network],
    calibration: [],
    ...over,
  });

  it('names the serving candidate and the reason with its intervals, in both languages', () => {
    expect(selectionText(t, report({}), 'en')).toBe(
      'Scores come from: Logistic regression. Logistic regression beats the rule on the validation period by ' +
        '+0.043 ROC AUC (95 % interval +0.006 to +0.089). Neural network (average of several seeds) was ahead of ' +
        'it by +0.010 (95 % interval −0.004 to +0.021), within noise, so the simpler model serves.',
    );
    expect(selectionText(tJa, report({}), 'ja')).toContain('スコアの算出元：ロジスティック回帰。');
    const ruleServes = report({
      selection: {
        ...(report({}).selection as NonNullable<ModelReport['selection']>),
        served: 'rule_max_dpd_12m',
        reason: 'no_model_beats_rule',
        best: null,
        bestVsServed: null,
      },
    });
    expect(selectionText(t, ruleServes, 'en')).toMatch(
      /^Scores come from: Days-past-due rule \(max days past due, 12 months\)\. No model beat the rule beyond noise/,
    );
    const few = report({
      selection: {
        ...(report({}).selection as NonNullable<ModelReport['selection']>),
        served: 'rule_max_dpd_12m',
        reason: 'too_few_defaults',
        best: null,
        bestVsServed: null,
        defaultingCustomers: 6,
      },
    });
    expect(selectionText(t, few, 'en')).toBe(
      'Scores come from: Days-past-due rule (max days past due, 12 months). Only 6 customers defaulted in the part ' +
        'of the validation period that decides; at least 20 are needed to tell a model from the rule beyond chance, ' +
        'so the rule serves. A larger portfolio or more history lets a model prove itself.',
    );
    expect(selectionText(tJa, few, 'ja')).toContain('貸倒れとなった得意先は 6 社のみ');
    expect(calibrationText(t, report({}), 'en')).toBe(
      'Probabilities calibrated by isotonic regression on the latest labelled months, Nov 30, 2025 – Apr 30, 2026 ' +
        '(4,468 customer-months, 35 defaults), so they follow the current default rate.',
    );
    expect(selectionText(t, report({ selection: null }), 'en')).toBeNull();
  });

  it('gives each candidate a status and its intervals in words', () => {
    expect([rule, logistic, network].map(candidateStatus)).toEqual(['reference', 'serves', 'publishable']);
    expect(
      candidateStatus({ ...network, validationVsRule: { difference: 0.05, low: -0.01, high: 0.1 } }),
    ).toBe('noise');
    expect(intervalText(t, logistic.validationVsRule, 'en')).toBe('+0.043 (+0.006 to +0.089)');
    expect(intervalText(tJa, logistic.testVsRule, 'ja')).toBe('+0.032（−0.004 ～ +0.067）');
    expect(intervalText(t, null, 'en')).toBe('—');
  });

  it('says how much history is missing, in numbers, and never to run a command', () => {
    const status: ModelReport['status'] = {
      state: 'not_enough_history',
      have: 11,
      needed: 19,
      firstInvoiceDate: '2025-01-02',
      asOfDate: '2026-10-31',
      horizonDays: 180,
    };
    const r = report({ status, version: null, selection: null, candidates: [] });
    const text = shortfallText(t, status, 'en');
    expect(text).toBe(
      'Not enough history for the risk model: it needs 19 month-ends with a complete 180-day outcome window, and ' +
        'the data (invoices from Jan 2, 2025 to Oct 31, 2026) has 11. 8 more months of invoice history are needed.',
    );
    expect(emptyScoresText(t, r, 'en')).toBe(`No risk scores: ${text}`);
    expect(shortfallText(tJa, status, 'ja')).toContain('あと 8 か月分');
    const defaults: ModelReport['status'] = {
      state: 'not_enough_defaults',
      period: 'validation',
      from: '2025-01-31',
      to: '2025-05-31',
      defaults: 0,
      needed: 1,
    };
    expect(shortfallText(t, defaults, 'en')).toBe(
      'Not enough defaults for the risk model: the validation period (Jan 31, 2025 – May 31, 2025) has 0; at least 1 are needed.',
    );
    expect(emptyScoresText(t, report({}), 'en')).toBe('No scored customers match these filters.');
    expect(emptyScoresText(t, report({ status: { state: 'unknown' } }), 'en')).toBe(
      'No risk model has been trained on this warehouse yet; the start-up log says why.',
    );
    const every = Object.entries(en).filter(
      ([k]) => k.startsWith('risk.') || k === 'customers.risk.notScored',
    );
    expect(every.filter(([, v]) => /arlens (train|score)|npm start/.test(v))).toEqual([]);
  });
});
