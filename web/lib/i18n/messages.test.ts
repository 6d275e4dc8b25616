import { describe, expect, it } from 'vitest';
import { en, ja, labelOr, memberText, translator, UNASSIGNED } from './messages.ts';

const t = translator('en');

describe('messages', () => {
  it('a code without a message is shown as it is; no code, no words', () => {
    expect(labelOr(t, 'collections.outcome.', null)).toBe('');
  });

  it('Japanese has every customers and collections key, none left in English', () => {
    const mine = Object.keys(en).filter((k) => k.startsWith('customers.') || k.startsWith('collections.'));
    expect(mine.length).toBeGreaterThan(100);
    const same = mine.filter((k) => ja[k as keyof typeof ja] === en[k as keyof typeof en]);
    // Only words that are the same in both languages.
    expect(same).toEqual([]);
  });

  it('(unassigned) reads in the user’s language; other members and no member stay as they are', () => {
    expect(memberText(t, UNASSIGNED)).toBe('(unassigned)');
    expect(memberText(translator('ja'), '(unassigned)')).toBe('(未割当)');
    expect(memberText(translator('ja'), 'EMEA')).toBe('EMEA');
    expect(memberText(translator('ja'), '<img src=x onerror=alert(9)>')).toBe('<img src=x onerror=alert(9)>');
    expect(memberText(t, null)).toBeNull();
  });
});
