/** The matching rules, one case each, and what learning changes. */
import { describe, expect, it } from 'vitest';
import {
  baselineMatch,
  combinations,
  consume,
  DEFAULT_MATCH_CONFIG,
  emptyMemory,
  learnDecision,
  learnPayer,
  MatchIndex,
  proposeMatches,
  type OpenItem,
} from '../../cashapp/match.ts';
import { normaliseName, oneTypoAway, remittanceRefs } from '../../cashapp/normalise.ts';
import type { StatementLine } from '../../cashapp/statement.ts';

const item = (
  invoiceId: string,
  customerId: string,
  openCents: number,
  currency = 'EUR',
  dueDate = '2026-05-01',
): OpenItem => ({
  invoiceId,
  customerId,
  openCents,
  currency,
  documentDate: '2026-04-01',
  dueDate,
});

const ITEMS = [
  item('INV-0000101', 'C1', 119000),
  item('INV-0000102', 'C1', 50000, 'EUR', '2026-05-02'),
  item('INV-0000103', 'C2', 100000, 'USD'),
  item('INV-0000104', 'C3', 100000),
  item('INV-0000105', 'C4', 100000),
  item('INV-0000106', 'C4', 75000, 'EUR', '2026-05-03'),
  item('INV-0000107', 'C4', 20000, 'EUR', '2026-05-04'),
  item('INV-0000108', 'C5', 33000000, 'JPY'),
  item('INV-0000109', 'C6', 43210),
];
const CUSTOMERS = [
  { customerId: 'C1', name: 'Müller Maschinenbau GmbH' },
  { customerId: 'C2', name: 'Straits Trading Pte. Ltd.' },
  { customerId: 'C3', name: 'Hansa Antriebstechnik AG' },
  { customerId: 'C4', name: 'Schneider Elektrotechnik GmbH' },
  { customerId: 'C5', name: '山田製作所株式会社' },
  { customerId: 'C6', name: 'Lion City Logistics Pte. Ltd.' },
];

let n = 0;
const line = (o: Partial<StatementLine>): StatementLine => ({
  position: ++n,
  account: 'DE89370400440532013000',
  bookingDate: '2026-06-01',
  valueDate: '2026-06-01',
  amountCents: 0,
  currency: 'EUR',
  instructedCents: null,
  instructedCurrency: null,
  chargesCents: null,
  counterpartyName: '',
  counterpartyIban: '',
  remittance: '',
  endToEndId: '',
  bankReference: '',
  ...o,
});

const index = () => new MatchIndex(ITEMS, CUSTOMERS);
const best = (l: StatementLine, memory = emptyMemory(), idx = index()) => proposeMatches(l, idx, memory)[0];

describe('references', () => {
  it('reads references through noise: dashes, spaces, leading zeros, O for 0', () => {
    expect(
      remittanceRefs('Rg. INV 0000101, inv-102 / INVOOOO103 ref 12').map((r) => [r.prefix, r.digits]),
    ).toEqual([
      ['INV', '101'],
      ['INV', '102'],
      ['INV', '103'],
    ]);
    expect(remittanceRefs('RE 0000105 und RE 0000106').map((r) => r.raw)).toEqual(['0000105', '0000106']);
    expect(remittanceRefs('Olympia payment')).toEqual([]);
    expect(oneTypoAway('1234')).toContain('1243');
    expect(normaliseName('ＭＵＬＬＥＲ Maschinenbau GmbH & Co. KG')).toBe('muller maschinenbau');
    expect(normaliseName('山田製作所株式会社')).toBe('山田製作所');
  });
});

describe('rules', () => {
  it('reference_exact: the named invoices, amount equal → automatic', () => {
    const p = best(
      line({
        amountCents: 169000,
        remittance: 'INV-101 INV 0000102',
        counterpartyName: 'Mueller Maschinenbau',
      }),
    )!;
    expect(p.rule).toBe('reference_exact');
    expect(p.applications).toEqual([
      { invoiceId: 'INV-0000101', cents: 119000 },
      { invoiceId: 'INV-0000102', cents: 50000 },
    ]);
    expect(p.confidence).toBeGreaterThanOrEqual(DEFAULT_MATCH_CONFIG.autoThreshold);
    expect(p.reasons.join(' ')).toMatch(/names INV-0000101, INV-0000102/);
  });

  it('reference_exact with bank fees deducted: applies what arrived, the rest stays open', () => {
    const p = best(line({ amountCents: 99000, remittance: 'INV0000104 less fees', chargesCents: 1000 }))!;
    expect(p.rule).toBe('reference_exact');
    expect(p.applications).toEqual([{ invoiceId: 'INV-0000104', cents: 99000 }]);
    expect(p.reasons.join(' ')).toMatch(/10\.00 short/);
  });

  it('foreign currency: the instructed amount in the invoice currency matches', () => {
    const p = best(
      line({ amountCents: 91550, instructedCents: 100000, instructedCurrency: 'USD', remittance: 'INV 103' }),
    )!;
    expect(p).toMatchObject({
      rule: 'reference_exact',
      customerId: 'C2',
      applications: [{ invoiceId: 'INV-0000103', cents: 100000 }],
    });
  });

  it('foreign currency without instructed amount: converted at a given rate within tolerance', () => {
    const l = line({ amountCents: 91000, remittance: 'INV 103' });
    const p = proposeMatches(
      l,
      index(),
      emptyMemory(),
      DEFAULT_MATCH_CONFIG,
      new Map([['EUR/USD', 1.1]]),
    )[0]!;
    expect(p.rule).toBe('reference_exact');
    expect(p.applications).toEqual([{ invoiceId: 'INV-0000103', cents: 100000 }]);
    const none = proposeMatches(l, index(), emptyMemory())[0]!;
    expect(none.rule).toBe('customer_unapplied');
  });

  it('reference_partial and reference_overpaid', () => {
    const partial = best(line({ amountCents: 40000, remittance: 'INV-0000105' }))!;
    expect(partial).toMatchObject({
      rule: 'reference_partial',
      applications: [{ invoiceId: 'INV-0000105', cents: 40000 }],
    });
    const over = best(line({ amountCents: 120000, remittance: 'INV-0000105' }))!;
    expect(over).toMatchObject({ rule: 'reference_overpaid', unappliedCents: 20000 });
  });

  it('reference_subset: two of three named invoices add up', () => {
    const p = best(line({ amountCents: 95000, remittance: 'INV 105, 106, 107' }))!;
    expect(p.rule).toBe('reference_subset');
    expect(p.applications.map((a) => a.invoiceId)).toEqual(['INV-0000106', 'INV-0000107']);
  });

  it('reference_typo: one digit wrong, confirmed by the amount', () => {
    const p = best(line({ amountCents: 43210, remittance: 'invoice 0000190' }))!;
    expect(p).toMatchObject({ rule: 'reference_typo', applications: [{ invoiceId: 'INV-0000109' }] });
  });

  it('customer_amount / customer_combination by name; amount_only with nothing else; nothing for debits', () => {
    const byName = best(line({ amountCents: 20000, counterpartyName: 'SCHNEIDER ELEKTROTECHNIK' }))!;
    expect(byName).toMatchObject({
      rule: 'customer_amount',
      customerId: 'C4',
      applications: [{ invoiceId: 'INV-0000107' }],
    });
    expect(byName.confidence).toBeLessThan(DEFAULT_MATCH_CONFIG.autoThreshold);
    const combo = best(line({ amountCents: 195000, counterpartyName: 'Schneider Elektrotechnik GmbH' }))!;
    expect(combo.rule).toBe('customer_combination');
    expect(combo.applications.map((a) => a.invoiceId).sort()).toEqual([
      'INV-0000105',
      'INV-0000106',
      'INV-0000107',
    ]);
    const anon = best(line({ amountCents: 43210 }))!;
    expect(anon).toMatchObject({ rule: 'amount_only', customerId: 'C6' });
    expect(anon.confidence).toBeLessThan(0.7);
    expect(
      proposeMatches(line({ amountCents: -43210, remittance: 'INV-0000109' }), index(), emptyMemory()),
    ).toEqual([]);
    expect(proposeMatches(line({ amountCents: 12345 }), index(), emptyMemory())).toEqual([]);
  });

  it('a payer known as another customer lowers a reference match below automatic', () => {
    const memory = emptyMemory();
    for (let i = 0; i < 3; i++)
      learnPayer(memory, { counterpartyIban: 'GB33BUKB20201555555555', counterpartyName: '' }, 'C6');
    const p = best(
      line({
        amountCents: 43210 * 0 + 100000,
        remittance: 'INV-0000104',
        counterpartyIban: 'GB33BUKB20201555555555',
      }),
      memory,
    )!;
    expect(p.customerId).toBe('C3');
    expect(p.confidence).toBeLessThan(DEFAULT_MATCH_CONFIG.autoThreshold);
  });
});

describe('learning', () => {
  it('a katakana payer name unknown to the master is learned, then its exact amounts become automatic', () => {
    const l = () =>
      line({
        amountCents: 33000000,
        currency: 'JPY',
        counterpartyName: 'ﾔﾏﾀﾞｾｲｻｸｼﾖ(ｶ',
        counterpartyIban: 'JP-ACCT-1',
      });
    const unknown = best(l())!;
    expect(unknown).toMatchObject({ rule: 'amount_only', customerId: 'C5' });
    expect(unknown.confidence).toBeLessThan(0.7);
    const memory = emptyMemory();
    learnPayer(memory, l(), 'C5');
    const once = best(l(), memory)!;
    expect(once).toMatchObject({ rule: 'customer_amount', customerId: 'C5' });
    expect(once.confidence).toBeLessThan(DEFAULT_MATCH_CONFIG.autoThreshold);
    for (let i = 0; i < 12; i++) {
      learnPayer(memory, l(), 'C5');
      learnDecision(memory, once, true);
    }
    const later = best(l(), memory)!;
    expect(later.confidence).toBeGreaterThanOrEqual(DEFAULT_MATCH_CONFIG.autoThreshold);
    expect(later.reasons.join(' ')).toMatch(/accepted 12 of 12 such proposals, 12 of 12 for this customer/);
    learnDecision(memory, later, false);
    learnDecision(memory, later, false);
    expect(best(l(), memory)!.confidence).toBeLessThan(later.confidence);
  });
});

describe('combinations and consumption', () => {
  it('two lines paying one invoice: the second sees what the first left open', () => {
    const idx = index();
    const first = best(line({ amountCents: 60000, remittance: 'INV-0000101' }), emptyMemory(), idx)!;
    consume(idx, first);
    expect(idx.open('INV-0000101')).toBe(59000);
    const second = best(line({ amountCents: 59000, remittance: 'INV-0000101' }), emptyMemory(), idx)!;
    expect(second.rule).toBe('reference_exact');
  });

  it('finds at most two combinations within the budget', () => {
    const items = [1, 2, 3, 4].map((i) => item(`X${i}`, 'C', i * 100));
    const open = (id: string) => items.find((i) => i.invoiceId === id)!.openCents;
    expect(combinations(items, open, 500, 3).map((c) => c.map((i) => i.invoiceId))).toEqual([
      ['X1', 'X4'],
      ['X2', 'X3'],
    ]);
    expect(combinations(items, open, 5000, 3)).toEqual([]);
  });

  it('the baseline needs the exact reference and the exact amount', () => {
    expect(
      baselineMatch(line({ amountCents: 119000, remittance: 'INV-0000101' }), index())?.applications,
    ).toEqual([{ invoiceId: 'INV-0000101', cents: 119000 }]);
    expect(baselineMatch(line({ amountCents: 118000, remittance: 'INV-0000101' }), index())).toBeNull();
  });
});
