import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/messages.ts';
import { methodText, statusText } from './labels.ts';

const tJa = translator('ja');

describe('customer labels', () => {
  it('known codes in words', () => {
    expect(statusText(tJa, 'blacklisted')).toBe('取引禁止');
    expect(methodText(tJa, 'bank_transfer')).toBe('銀行振込');
  });
});
