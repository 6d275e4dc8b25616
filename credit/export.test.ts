import { describe, expect, it } from 'vitest';
import type { StoredDecision } from './checks.store.ts';
import { decisionsCsv, limitsCsv, neutralise } from './export.ts';

const limit = {
  customerId: 'C1',
  limitCents: 123_456_78,
  currency: 'EUR',
  paymentTermsDays: 30,
  prepaymentRequired: true,
  keyFocus: false,
  requestId: 7,
  updatedAt: '2026-07-01T09:00:00.000Z',
};

describe('credit exports', () => {
  it('writes limits in the canonical layout and SAP’s, blacklist flagged, ERP limits where ARLens has none', () => {
    const rows = [
      { customerId: 'C1', limit, erpLimitCents: 1_00, currency: 'EUR', blacklisted: false },
      { customerId: 'C,2', limit: null, erpLimitCents: 5_000_00, currency: 'JPY', blacklisted: true },
      { customerId: 'C3', limit: null, erpLimitCents: null, currency: 'USD', blacklisted: false },
    ];
    expect(limitsCsv(rows, 'canonical').split('\r\n')).toEqual([
      'customer_id,credit_limit,currency,payment_terms_days,prepayment_required,key_focus,blacklisted,source,request_id,updated_at',
      'C1,123456.78,EUR,30,true,false,false,arlens,7,2026-07-01T09:00:00.000Z',
      '"C,2",5000.00,JPY,,false,false,true,erp,,',
      'C3,,USD,,false,false,false,erp,,',
      '',
    ]);
    expect(limitsCsv(rows, 'sap').split('\r\n')).toEqual([
      'PARTNER,CREDIT_SGMNT,CREDIT_LIMIT,CURRENCY,LIMIT_VALID_DATE,XBLOCKED',
      'C1,0000,123456.78,EUR,20260701,',
      '"C,2",0000,5000.00,JPY,,X',
      '',
    ]);
  });

  it('neutralises formulas in free text of the decisions file', () => {
    const d = {
      id: 1,
      orderId: 'SO-1',
      customerId: 'C1',
      amount: '10.00',
      currency: 'USD',
      outcome: 'hold',
      status: 'released',
      reasons: [{ code: 'over_limit', effect: 'hold', detail: {} }],
      checkedAt: '2026-07-01T00:00:00.000Z',
      resolvedBy: '@carl',
      resolvedAt: '2026-07-01T01:00:00.000Z',
      resolutionReason: '=HYPERLINK("http://x")',
    } as unknown as StoredDecision;
    const text = decisionsCsv([d], () => true);
    expect(text.split('\r\n')[1]).toBe(
      `1,SO-1,C1,hold,released,10.00,USD,over_limit,2026-07-01T00:00:00.000Z,'@carl,2026-07-01T01:00:00.000Z,"'=HYPERLINK(""http://x"")",true`,
    );
    expect(neutralise('-5')).toBe("'-5");
    expect(neutralise('ok')).toBe('ok');
  });
});
