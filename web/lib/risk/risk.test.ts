import { describe, expect, it } from 'vitest';
import { bandRank, parseDrivers, riskBandsQuery, riskListQuery } from './risk.query.ts';

describe('risk page', () => {
  it('lists scored customers by expected loss within the global filters', () => {
    const q = riskListQuery({ region: 'EMEA', productLine: 'Services' }, 20);
    expect(q.order).toEqual({ 'customer_risk.expected_loss': 'desc' });
    expect(q.filters).toEqual([
      { member: 'customer_risk.region', operator: 'equals', values: ['EMEA'] },
      { member: 'customer_risk.risk_band', operator: 'set' },
    ]);
    expect(riskBandsQuery({}).dimensions).toEqual(['customer_risk.risk_band']);
  });

  it('orders bands from low to in default', () => {
    expect(
      ['in default', 'low', 'very high', 'medium', 'high'].sort((a, b) => bandRank(a) - bandRank(b)),
    ).toEqual(['low', 'medium', 'high', 'very high', 'in default']);
  });

  it('reads the drivers stored with a score, tolerating bad JSON', () => {
    expect(
      parseDrivers(
        '[{"feature":"max_dpd_12m","value":95,"contribution":0.0312},{"feature":"region","value":"LATAM","contribution":-0.004},{"feature":"days_since_write_off","value":12,"contribution":null}]',
      ),
    ).toEqual([
      { feature: 'max_dpd_12m', value: 95, contribution: 0.0312 },
      { feature: 'region', value: 'LATAM', contribution: -0.004 },
      { feature: 'days_since_write_off', value: 12, contribution: null },
    ]);
    expect(parseDrivers('not json')).toEqual([]);
    expect(parseDrivers(null)).toEqual([]);
  });
});
