import { describe, expect, it } from 'vitest';
import { numberText } from './number-text.ts';

describe('numberText', () => {
  it("writes String()'s digits, without an exponent", () => {
    expect(numberText(0)).toBe('0');
    expect(numberText(-0)).toBe('0');
    expect(numberText(-12.5)).toBe('-12.5');
    expect(numberText(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(numberText(123456789012)).toBe('123456789012');
    expect(numberText(1e21)).toBe('1000000000000000000000');
    expect(numberText(-2.5e22)).toBe('-25000000000000000000000');
    expect(numberText(1e-7)).toBe('0.0000001');
    expect(numberText(-1.25e-8)).toBe('-0.0000000125');
  });

  it('refuses what is not a finite number', () => {
    expect(() => numberText(Number.NaN)).toThrow(/finite/);
    expect(() => numberText(Infinity)).toThrow(/finite/);
  });
});
