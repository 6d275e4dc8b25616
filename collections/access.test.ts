import { describe, expect, it } from 'vitest';
import {
  authorise,
  checkAmount,
  checkDate,
  checkId,
  checkOneOf,
  checkText,
  CollectionsError,
  type Who,
} from './access.ts';

const who = (role: Who['role'], portfolio: string | null = null): Who => ({
  actor: { id: 1, name: 'x', address: null },
  role,
  portfolio,
});

describe('who may do what', () => {
  it('a collector works their own portfolio only; sales leads and analysts record nothing', () => {
    const mine = { customerId: 'C1', creditController: 'Bob' };
    const theirs = { customerId: 'C2', creditController: 'Eve' };
    expect(() => authorise(who('collector', 'Bob'), 'collections.work', mine)).not.toThrow();
    expect(() => authorise(who('collector', 'Bob'), 'collections.work', theirs)).toThrow(
      /not in your portfolio/,
    );
    expect(() => authorise(who('collector', 'Bob'), 'dunning.approve')).toThrow(/may not/);
    for (const role of ['sales_lead', 'analyst', 'cfo', 'admin'] as const) {
      expect(() => authorise(who(role), 'collections.work', mine), role).toThrow(CollectionsError);
    }
    expect(() => authorise(who('credit_manager'), 'dunning.approve', theirs)).not.toThrow();
  });
});

const HOSTILE = [
  "'; DROP TABLE users; --",
  '<img src=x onerror=alert(9)>',
  '\u0000',
  'a\u0007b',
  'x'.repeat(5000),
  '../../etc/passwd',
  '__proto__',
  '${7*7}',
  '   ',
  '',
];

describe('input a client controls', () => {
  it.each(HOSTILE)('an id refuses %j with a clear message', (v) => {
    expect(() => checkId(v, 'Customer')).toThrow(/Customer must be 1 to 64 letters/);
  });

  it('ids take letters and digits of any script, and a few separators', () => {
    expect(checkId('0000100041', 'Customer')).toBe('0000100041');
    expect(checkId('株式会社-7/A.1', 'Customer')).toBe('株式会社-7/A.1');
    expect(() => checkId(42, 'Customer')).toThrow(CollectionsError);
  });

  it('text keeps markup as text but refuses control characters and excess length', () => {
    expect(checkText('<img src=x onerror=alert(9)>', 'Note')).toBe('<img src=x onerror=alert(9)>');
    expect(checkText("'; DROP TABLE users; --", 'Note')).toBe("'; DROP TABLE users; --");
    expect(checkText('line one\nline two', 'Note')).toBe('line one\nline two');
    expect(() => checkText('a\u0000b', 'Note')).toThrow(/control characters/);
    expect(() => checkText('x'.repeat(2001), 'Note')).toThrow(/longer than 2000/);
    expect(() => checkText('  ', 'Reason', 500, true)).toThrow(/required/);
    expect(() => checkText({ toString: () => 'x' }, 'Note')).toThrow(/must be text/);
  });

  it.each([
    '2026-02-30',
    '2026-13-01',
    '26-01-01',
    '2026-1-1',
    '9999-12-31',
    '1900-01-01',
    "2026-01-01' OR 1=1",
    '',
  ])('a date refuses %j', (v) => {
    expect(() => checkDate(v, 'Date')).toThrow(CollectionsError);
  });

  it.each(['0', '0.00', '-5', '1e3', '1,5', '12.345', 'NaN', 'Infinity', '1'.repeat(14), ' ', '0x10'])(
    'an amount refuses %j',
    (v) => {
      expect(() => checkAmount(v, 'Amount')).toThrow(CollectionsError);
    },
  );

  it('an amount keeps its exact decimal text', () => {
    expect(checkAmount('1234567890123.45', 'Amount')).toBe('1234567890123.45');
    expect(checkAmount(' 7.5 ', 'Amount')).toBe('7.5');
  });

  it('a choice is one of the list, nothing else', () => {
    expect(checkOneOf('call', ['call', 'visit'], 'Type')).toBe('call');
    for (const v of ['CALL', 'call ', '__proto__', 'constructor', null, 1]) {
      expect(() => checkOneOf(v, ['call', 'visit'], 'Type')).toThrow(/must be one of: call, visit/);
    }
  });
});
