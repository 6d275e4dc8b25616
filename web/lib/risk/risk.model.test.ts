import { describe, expect, it } from 'vitest';
import { en, ja, translator } from '../i18n/messages.ts';
import { driverLine, EVALUATION_METRICS, metricText, riskBands, riskCustomers } from './risk.model.ts';

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
    expect(driverLine(d, t, 'en-US')).toBe('Max days past due (12 months) = 95 +3.1 pt');
    expect(driverLine({ ...d, contribution: -0.004 }, tJa, 'ja-JP')).toBe(
      '最大延滞日数（12か月） = 95 −0.4 ポイント',
    );
    expect(driverLine({ feature: 'region', value: 'LATAM', contribution: null }, t, 'en-US')).toBe(
      'Region = LATAM',
    );
    expect(driverLine({ feature: 'new_thing', value: null, contribution: 0.01 }, t, 'en-US')).toBe(
      'new thing +1.0 pt',
    );
  });

  it('every evaluation metric has words in both languages', () => {
    expect(EVALUATION_METRICS.map((m) => metricText(t, m))).toEqual([
      'ROC AUC',
      'PR AUC',
      'Brier score',
      'KS statistic',
      'Lift (top 10 %)',
    ]);
    expect(metricText(tJa, 'brier')).toBe('ブライアスコア');
    // The Risk page's words are all translated; only the two curve names are the same in Japanese.
    const same = Object.keys(en).filter(
      (k) => k.startsWith('risk.') && ja[k as keyof typeof ja] === en[k as keyof typeof en],
    );
    expect(same).toEqual(['risk.metric.roc_auc', 'risk.metric.pr_auc']);
  });
});
