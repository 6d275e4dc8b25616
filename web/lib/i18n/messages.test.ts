import { describe, expect, it } from 'vitest';
import { en, ja, labelOr, translator } from './messages.ts';

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
});
