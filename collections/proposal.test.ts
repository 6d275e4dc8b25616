import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SeededRandom } from '../core/random.ts';
import { DUNNING_DAYS } from '../web/lib/dunning/dunning.ts';
import { fromMinor, levelFor, loadPolicy, parsePolicy, PolicyError, toMinor } from './policy.ts';
import { key, propose, type OpenItem, type OpsState } from './proposal.ts';

const policy = loadPolicy();
const RUN = '2026-07-01';

const item = (o: Partial<OpenItem> & { itemId: string }): OpenItem => ({
  customerId: 'C1',
  customerName: 'Acme',
  region: 'EMEA',
  countryCode: 'DE',
  creditController: 'Bob',
  customerStatus: 'active',
  itemType: 'invoice',
  documentDate: '2026-04-01',
  dueDate: '2026-05-01',
  currencyCode: 'EUR',
  openAmount: '100.00',
  hasOpenDispute: false,
  ...o,
});

const empty: OpsState = {
  heldCustomers: new Set(),
  heldItems: new Set(),
  disputedItems: new Set(),
  pendingPromises: new Map(),
  lastLetters: new Map(),
  cashApplied: new Map(),
};

describe('the dunning policy', () => {
  it('ships defaults that match the worklist (models/dbt_project.yml vars)', () => {
    const vars = (
      parse(readFileSync(join(import.meta.dirname, '..', 'models', 'dbt_project.yml'), 'utf8')) as {
        vars: Record<string, number>;
      }
    ).vars;
    expect(policy.levels.map((l) => l.days)).toEqual([
      -vars['dunning_reminder_days_before_due']!,
      vars['dunning_mild_days'],
      vars['dunning_collection_days'],
      vars['dunning_escalation_days'],
    ]);
    expect(policy.levels.map((l) => l.days)).toEqual([
      -DUNNING_DAYS.reminderBeforeDue,
      DUNNING_DAYS.mild,
      DUNNING_DAYS.collection,
      DUNNING_DAYS.escalation,
    ]);
    // Fee and interest are off by default.
    expect(policy.levels.every((l) => l.fee === 0n && l.interest_rate_percent === '0')).toBe(true);
    // A task and key focus from 30 days.
    expect(policy.levels.map((l) => [Boolean(l.task), l.key_focus])).toEqual([
      [false, false],
      [false, false],
      [true, true],
      [true, true],
    ]);
  });

  it.each([
    [-4, 0],
    [-3, 1],
    [6, 1],
    [7, 2],
    [29, 2],
    [30, 3],
    [59, 3],
    [60, 4],
    [400, 4],
  ])('%i days past due is level %i', (days, level) => {
    expect(levelFor(policy, days)).toBe(level);
  });

  it.each([
    ['levels: []', /levels/],
    ['levels: [{level: 2, name: x, days: 1, channel: email, template: reminder_mild}]', /numbered 1, 2, 3/],
    [
      'levels: [{level: 1, name: a, days: 5, channel: email, template: reminder_mild}, {level: 2, name: b, days: 5, channel: email, template: reminder_mild}]',
      /start later/,
    ],
    ['minimum_amount: 10', /minimum_amount/],
    ["minimum_amount: '1e3'", /minimum_amount/],
    ['levels: [{level: 1, name: a, days: 1, channel: fax, template: reminder_mild}]', /channel/],
    ['levels: [{level: 1, name: a, days: 1, channel: email, template: "../etc"}]', /template/],
    ['surprise: 1', /surprise|Unrecognized/],
    ['exclusions: {disputed: false}', /disputed/],
    ['{{{', /not valid YAML/],
  ])('refuses %s with a message naming the key', (text, message) => {
    expect(() => parsePolicy(text)).toThrow(PolicyError);
    expect(() => parsePolicy(text)).toThrow(message);
  });

  it('keeps money exact in minor units', () => {
    expect(toMinor('1234.5')).toBe(123450n);
    expect(toMinor('-0.01')).toBe(-1n);
    expect(fromMinor(toMinor('9999999999999.99') + 1n)).toBe('10000000000000.00');
    expect(() => toMinor('1,5')).toThrow();
  });
});

describe('the proposal', () => {
  it('duns an overdue invoice at its level, with the reason and amounts', () => {
    const p = propose(policy, RUN, [item({ itemId: 'I1', dueDate: '2026-05-01' })], empty);
    expect(p.customers).toHaveLength(1);
    expect(p.customers[0]).toMatchObject({
      customerId: 'C1',
      level: 4,
      dunnedAmount: '100.00',
      netAmount: '100.00',
    });
    expect(p.customers[0]!.items[0]).toMatchObject({ itemId: 'I1', daysPastDue: 61, level: 4 });
    const p3 = propose(policy, RUN, [item({ itemId: 'I1', dueDate: '2026-06-01' })], empty);
    expect(p3.customers[0]!.items[0]).toMatchObject({ daysPastDue: 30, level: 3 });
  });

  it('never duns what is paid or credited (no longer open), disputed or on hold', () => {
    const items = [
      item({ itemId: 'PAID', openAmount: '0.00' }),
      item({ itemId: 'OVERPAID', openAmount: '-5.00' }),
      item({ itemId: 'ERP-DISPUTE', hasOpenDispute: true }),
      item({ itemId: 'ARLENS-DISPUTE' }),
      item({ itemId: 'HELD' }),
      item({ itemId: 'OK', openAmount: '50.00' }),
    ];
    const ops: OpsState = {
      ...empty,
      disputedItems: new Set(['ARLENS-DISPUTE']),
      heldItems: new Set([key('C1', 'HELD')]),
    };
    const p = propose(policy, RUN, items, ops);
    // An invoice with a negative open amount (overpaid) is money owed to the customer: netted, not dunned.
    expect(p.customers[0]!.items.map((i) => [i.itemId, i.level])).toEqual([
      ['OK', 4],
      ['OVERPAID', 0],
    ]);
    expect(p.customers[0]!.netAmount).toBe('45.00');
    expect(p.skipped).toEqual([
      { customerId: 'C1', itemId: 'ARLENS-DISPUTE', reason: 'disputed' },
      { customerId: 'C1', itemId: 'ERP-DISPUTE', reason: 'disputed' },
      { customerId: 'C1', itemId: 'HELD', reason: 'item_on_hold' },
    ]);
  });

  it('leaves out what cash application received before the warehouse has it; duns only the rest', () => {
    const items = [
      item({ itemId: 'ALL', openAmount: '100.00' }),
      item({ itemId: 'PART', openAmount: '100.00' }),
      item({ itemId: 'UNTOUCHED', openAmount: '20.00' }),
    ];
    const ops: OpsState = {
      ...empty,
      cashApplied: new Map([
        ['ALL', toMinor('100.00')],
        ['PART', toMinor('60.01')],
      ]),
    };
    const p = propose(policy, RUN, items, ops);
    expect(p.customers[0]!.items.map((i) => [i.itemId, i.openAmount])).toEqual([
      ['PART', '39.99'],
      ['UNTOUCHED', '20.00'],
    ]);
    expect(p.customers[0]!.dunnedAmount).toBe('59.99');
    expect(p.skipped).toEqual([{ customerId: 'C1', itemId: 'ALL', reason: 'paid_in_cash_application' }]);
  });

  it('nets unapplied payments and credits; a customer in credit is not dunned', () => {
    const items = [
      item({ itemId: 'I1', openAmount: '100.00' }),
      item({ itemId: 'R1', itemType: 'unapplied_payment', openAmount: '-30.00', dueDate: null }),
      item({ customerId: 'C2', itemId: 'I2', openAmount: '100.00' }),
      item({
        customerId: 'C2',
        itemId: 'CM',
        itemType: 'unallocated_credit',
        openAmount: '-100.00',
        dueDate: null,
      }),
    ];
    const p = propose(policy, RUN, items, empty);
    expect(p.customers.map((c) => [c.customerId, c.dunnedAmount, c.netAmount])).toEqual([
      ['C1', '100.00', '70.00'],
    ]);
    expect(p.skipped).toEqual([{ customerId: 'C2', itemId: null, reason: 'in_credit' }]);
  });

  it('leaves out held, promised, blacklisted and small customers, and those already dunned at the level', () => {
    const items = ['HOLD', 'PROM', 'BL', 'SMALL', 'SENT', 'LOWER', 'OLDPROM'].map((c) =>
      item({
        customerId: c,
        itemId: `I-${c}`,
        customerStatus: c === 'BL' ? 'blacklisted' : 'active',
        openAmount: c === 'SMALL' ? '9.99' : '100.00',
      }),
    );
    const ops: OpsState = {
      ...empty,
      heldCustomers: new Set(['HOLD']),
      pendingPromises: new Map([
        ['PROM', '2026-07-01'],
        ['OLDPROM', '2026-06-30'],
      ]),
      lastLetters: new Map([
        ['SENT', { level: 4, date: '2026-06-25' }],
        ['LOWER', { level: 3, date: '2026-06-30' }],
      ]),
    };
    const p = propose(policy, RUN, items, ops);
    expect(p.customers.map((c) => c.customerId)).toEqual(['LOWER', 'OLDPROM']);
    expect(Object.fromEntries(p.skipped.map((s) => [s.customerId, s.reason]))).toEqual({
      HOLD: 'customer_on_hold',
      PROM: 'promise_pending',
      BL: 'blacklisted_legal',
      SMALL: 'below_minimum',
      SENT: 'already_dunned',
    });
  });

  it('does not depend on the order the items come in (the proposal reader returns them unordered)', () => {
    const rng = new SeededRandom(18);
    const customers = ['A', 'B', 'HOLD', 'BL', 'C'];
    const items: OpenItem[] = Array.from({ length: 200 }, (_, k) =>
      item({
        itemId: `I${String(k).padStart(3, '0')}`,
        customerId: customers[k % customers.length]!,
        customerStatus: k % customers.length === 3 ? 'blacklisted' : 'active',
        currencyCode: k % 7 === 0 ? 'USD' : 'EUR',
        dueDate: `2026-0${4 + (k % 3)}-${String(1 + (k % 28)).padStart(2, '0')}`,
        openAmount: k % 11 === 0 ? '-12.50' : `${10 + k}.25`,
        hasOpenDispute: k % 13 === 0,
      }),
    );
    const ops: OpsState = {
      ...empty,
      heldCustomers: new Set(['HOLD']),
      heldItems: new Set([key('A', 'I005'), key('C', 'I004')]),
      disputedItems: new Set(['I010', 'I020']),
    };
    const sorted = propose(policy, RUN, items, ops);
    expect(sorted.customers.length).toBeGreaterThan(2);
    expect(sorted.skipped.length).toBeGreaterThan(5);
    for (let round = 0; round < 5; round++) {
      const shuffled = [...rng.permutation(items.length)].map((k) => items[k]!);
      expect(propose(policy, RUN, shuffled, ops)).toEqual(sorted);
    }
  });

  it('is level 0 (nothing) before the reminder window, and groups by currency', () => {
    const items = [
      item({ itemId: 'NOTDUE', dueDate: '2026-07-10' }),
      item({ itemId: 'USD1', currencyCode: 'USD', dueDate: '2026-06-20' }),
      item({ itemId: 'EUR1', dueDate: '2026-06-28' }),
    ];
    const p = propose(policy, RUN, items, empty);
    expect(p.customers.map((c) => [c.currencyCode, c.level, c.items.map((i) => i.itemId)])).toEqual([
      ['USD', 2, ['USD1']],
      ['EUR', 1, ['EUR1']],
    ]);
  });
});
