import { describe, expect, it } from 'vitest';
import { riskBandsQuery, riskListQuery } from './risk.query.ts';

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
});
