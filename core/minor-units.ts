/**
 * Money as integer minor units (cents): the one parser of decimal amount text and the one writer of
 * it. Amounts have at most two decimals; anything else is refused (null), never rounded here.
 */

/** An optional sign, digits, at most two decimals. */
const AMOUNT = /^([+-])?(\d+)(?:\.(\d{1,2}))?$/;

/** The largest whole part `parseCents` accepts: 13 digits keep every cent exact in a JS number. */
export const MAX_WHOLE_DIGITS = 13;

/** "1234.5" → 123450 (a JS number, exact up to 13 whole digits); null when the text is not such an amount. */
export function parseCents(text: string, maxWholeDigits = MAX_WHOLE_DIGITS): number | null {
  const m = AMOUNT.exec(text.trim());
  if (!m || m[2]!.length > Math.min(maxWholeDigits, MAX_WHOLE_DIGITS)) return null;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}

/** "1234.5" → 123450n, any size; null when the text is not such an amount. */
export function parseMinor(text: string): bigint | null {
  const m = AMOUNT.exec(text.trim());
  if (!m) return null;
  const digits = m[2]! + (m[3] ?? '').padEnd(2, '0');
  // Up to 15 digits fit a double exactly: parse as a number there (most amounts, faster), BigInt beyond.
  const v = digits.length <= 15 ? BigInt(Number(digits)) : BigInt(digits);
  return m[1] === '-' ? -v : v;
}

/** Money held as integer minor units (cents) in JS numbers: their text, "1234.56" from 123456. */
export function centsText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const a = Math.abs(cents);
  return `${sign}${Math.trunc(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

/** 123450n → "1234.50". */
export function minorText(v: bigint): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}
