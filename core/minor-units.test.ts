import { describe, expect, it } from 'vitest';
import { centsText, minorText, parseCents, parseMinor } from './minor-units.ts';

describe('minor units', () => {
  it('parse plain decimals with at most two places, exactly', () => {
    expect(parseCents('1234.5')).toBe(123450);
    expect(parseCents(' -0.01 ')).toBe(-1);
    expect(parseCents('+7')).toBe(700);
    expect(parseCents('9999999999999.99')).toBe(999999999999999);
    expect(parseMinor('12345678901234567.89')).toBe(1234567890123456789n);
    expect(parseMinor('-0.10')).toBe(-10n);
  });

  it('refuse what is not such an amount instead of guessing', () => {
    for (const bad of [
      '',
      '1,234.56',
      '1.234',
      '1e3',
      '.5',
      '5.',
      '--1',
      'NaN',
      'Infinity',
      '0x10',
      '１２',
      '12 34',
    ]) {
      expect(parseCents(bad), bad).toBeNull();
      expect(parseMinor(bad), bad).toBeNull();
    }
    // Beyond 13 whole digits a JS number would lose cents: refused (parseMinor takes it).
    expect(parseCents('10000000000000.00')).toBeNull();
    expect(parseCents('123.45', 2)).toBeNull();
  });

  it('write them back', () => {
    expect(centsText(-5)).toBe('-0.05');
    expect(centsText(123450)).toBe('1234.50');
    expect(minorText(-123450n)).toBe('-1234.50');
    for (const t of ['0.00', '-12.34', '99999999999.99']) expect(centsText(parseCents(t)!)).toBe(t);
  });
});
