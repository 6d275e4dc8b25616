import { describe, expect, it } from 'vitest';
import { customer, snapshot } from '../tests/credit/fixtures.ts';
import { DEFAULT_POLICY } from './policy.ts';
import { rerateList } from './rerate.ts';

describe('the re-rating list', () => {
  it('lists each customer worth a second look with every reason, the most reasons first', () => {
    const rows = rerateList(
      snapshot([
        customer('FINE'),
        customer('OVER', { exposureRcCents: 200_000_00 }),
        customer('LATE', { maxDaysPastDue: 120, brokenPromises: 2 }),
        customer('PROMISE', { brokenPromises: 1 }),
        customer('RISKY', { riskBand: 'very high' }),
        customer('STOPPED', { exposureRcCents: 200_000_00 }),
      ]),
      new Map(),
      DEFAULT_POLICY,
      new Set(['STOPPED']),
    );
    expect(rows.map((r) => [r.customer.customerId, r.reasons])).toEqual([
      ['LATE', ['default', 'broken_promise']],
      ['OVER', ['over_limit']],
      ['PROMISE', ['broken_promise']],
      ['RISKY', ['risk_band']],
    ]);
  });
});
