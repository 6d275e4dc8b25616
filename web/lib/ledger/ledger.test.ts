import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/messages.ts';
import {
  figureText,
  fxWarningText,
  inCreditText,
  isInCredit,
  ledgerFromRows,
  partialText,
  unconvertedInvoices,
} from './ledger.model.ts';
import { ledgerByTypeQuery, ledgerTotalsQuery, unconvertedInvoicesQuery } from './ledger.query.ts';

const t = translator('en');
const tJa = translator('ja');

const byType = (
  type: string,
  m: Partial<Record<'gross_ar' | 'unapplied_cash' | 'unallocated_credits' | 'net_ar', string | null>>,
  count: number,
  unconverted = 0,
) => ({
  'ledger.item_type': type,
  'ledger.gross_ar': m.gross_ar ?? null,
  'ledger.unapplied_cash': m.unapplied_cash ?? null,
  'ledger.unallocated_credits': m.unallocated_credits ?? null,
  'ledger.net_ar': m.net_ar ?? null,
  'ledger.count': String(count),
  'ledger.unconverted_items': String(unconverted),
});
const totals = (net: string | null, inCredit: number, count: number, unconverted = 0) => [
  {
    'ledger.net_ar': net,
    'ledger.customers_in_credit': String(inCredit),
    'ledger.count': String(count),
    'ledger.unconverted_items': String(unconverted),
  },
];

describe('ledger queries', () => {
  it('the slice of the region and product-line filters (dates and currency do not apply), or one customer', () => {
    const q = ledgerByTypeQuery({
      filters: { region: '(unassigned)', productLine: 'Services', currency: 'JPY', from: '2026-01-01' },
    });
    expect(q.dimensions).toEqual(['ledger.item_type']);
    expect(q.measures).toEqual([
      'ledger.gross_ar',
      'ledger.unapplied_cash',
      'ledger.unallocated_credits',
      'ledger.net_ar',
      'ledger.count',
      'ledger.unconverted_items',
    ]);
    expect(q.filters).toEqual([
      { member: 'ledger.region', operator: 'equals', values: ['(unassigned)'] },
      { member: 'ledger.product_line', operator: 'equals', values: ['Services'] },
    ]);
    expect(q.timeDimensions).toBeUndefined();
    expect(ledgerTotalsQuery({ customerId: 'javascript:alert(9)' })).toEqual({
      measures: ['ledger.net_ar', 'ledger.customers_in_credit', 'ledger.count', 'ledger.unconverted_items'],
      filters: [{ member: 'ledger.customer_id', operator: 'equals', values: ['javascript:alert(9)'] }],
    });
    expect(unconvertedInvoicesQuery({ region: 'EMEA' }).measures).toEqual([
      'cfo_overview.unconverted_invoices',
    ]);
  });
});

describe('ledger figures', () => {
  it('gross AR, unapplied cash, unallocated credits and net AR, exact; nothing of a kind is 0.00', () => {
    const ledger = ledgerFromRows(
      [
        byType('invoice', { gross_ar: '1200.50', net_ar: '1150.50' }, 3),
        byType('unapplied_payment', { unapplied_cash: '400.00', net_ar: '-400.00' }, 1),
      ],
      totals('750.50', 1, 4),
    );
    expect(ledger).toEqual({
      grossAr: { amount: '1200.50', items: 3, unconverted: 0 },
      unappliedCash: { amount: '400.00', items: 1, unconverted: 0 },
      unallocatedCredits: { amount: '0.00', items: 0, unconverted: 0 },
      netAr: { amount: '750.50', items: 4, unconverted: 0 },
      customersInCredit: 1,
      unconvertedItems: 0,
    });
    expect(isInCredit(ledger)).toBe(false);
    expect(ledgerFromRows([], [])).toMatchObject({ netAr: { amount: '0.00' }, customersInCredit: 0 });
  });

  it('missing FX: unknown when no item of a kind converts, partial (and said so) when some do', () => {
    const ledger = ledgerFromRows(
      [
        byType('invoice', { gross_ar: '900.00', net_ar: '900.00' }, 3, 1),
        byType('unallocated_credit', {}, 2, 2),
      ],
      totals('900.00', 0, 5, 3),
    );
    expect(ledger.grossAr).toEqual({ amount: '900.00', items: 3, unconverted: 1 });
    expect(ledger.unallocatedCredits).toEqual({ amount: null, items: 2, unconverted: 2 });
    expect(figureText(ledger.unallocatedCredits, (v) => `$${v}`, t('fx.unknown'))).toBe('unknown');
    expect(figureText(ledger.unallocatedCredits, (v) => v, tJa('fx.unknown'))).toBe('不明');
    expect(figureText(ledger.grossAr, (v) => `$${v}`, 'unknown')).toBe('$900.00');
    expect(partialText(t, ledger.grossAr)).toBe('without 1 item that has no FX rate');
    expect(partialText(t, ledger.netAr)).toBe('without 3 items that have no FX rate');
    expect(partialText(t, ledger.unallocatedCredits)).toBeNull();
    expect(ledgerFromRows([], totals(null, 0, 2, 2)).netAr.amount).toBeNull();
  });

  it('a customer whose net AR is below zero is in credit; unknown is not', () => {
    const inCredit = ledgerFromRows([], totals('-250.00', 1, 2));
    expect(isInCredit(inCredit)).toBe(true);
    expect(isInCredit(ledgerFromRows([], totals(null, 0, 1, 1)))).toBe(false);
    expect(inCreditText(t, 0)).toBe('No customer is in credit');
    expect(inCreditText(t, 1)).toBe('1 customer in credit');
    expect(inCreditText(tJa, 7)).toBe('貸方残高の得意先 7 社');
  });

  it('warns when documents lack an FX rate, in the user’s language; not when none does', () => {
    expect(fxWarningText(t, 'openItems', 0, 'USD')).toBeNull();
    expect(fxWarningText(t, 'openItems', 1, 'USD')).toContain('1 open item has no FX rate');
    expect(fxWarningText(t, 'openItems', 12, 'USD')).toContain('12 open items have no FX rate');
    expect(fxWarningText(t, 'invoices', 3, 'USD')).toContain(
      '3 invoices issued in this period have no FX rate',
    );
    expect(fxWarningText(tJa, 'openItems', 2, 'USD')).toContain(
      '未決済の 2 件に基準日の為替レートがありません',
    );
    expect(
      unconvertedInvoices([
        { 'cfo_overview.unconverted_invoices': '2' },
        { 'cfo_overview.unconverted_invoices': null },
        { 'cfo_overview.unconverted_invoices': '5' },
      ]),
    ).toBe(7);
  });
});
