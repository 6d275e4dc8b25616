/**
 * Money in credit management: integer hundredths (cents) of a currency, exact. Text in and out is a
 * plain decimal ("1234.5", "1234.56"); a rate is DuckDB's DECIMAL text ("1.10000000"), applied in
 * BigInt arithmetic, rounded half away from zero to the cent.
 */
import { parseCents as centsOf } from '../core/minor-units.ts';

export class MoneyError extends Error {}

/** Cents of a decimal text; refuses anything else (exponents, commas, more than two decimals). */
export { centsText } from '../core/minor-units.ts';

export function parseCents(text: unknown, what = 'amount'): number {
  if (typeof text === 'number') {
    if (!Number.isFinite(text)) throw new MoneyError(`The ${what} must be a number like 1234.56.`);
    text = String(text);
  }
  if (typeof text !== 'string') throw new MoneyError(`The ${what} must be a number like 1234.56.`);
  const cents = centsOf(text);
  if (cents === null) {
    throw new MoneyError(
      `The ${what} must be a number like 1234.56 (at most 13 digits and 2 decimals), not "${text.slice(0, 40)}".`,
    );
  }
  return cents;
}

/** Cents of a DuckDB DECIMAL text (any scale), rounded half away from zero; null stays null. */
export function decimalCents(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value));
  if (!m) throw new MoneyError(`Not a decimal: ${String(value)}`);
  const frac = (m[3] ?? '').padEnd(3, '0');
  let cents = Number(m[2]) * 100 + Number(frac.slice(0, 2));
  if (Number(frac[2]) >= 5) cents += 1;
  return m[1] === '-' ? -cents : cents;
}

const RATE_SCALE = 100_000_000n;

/** A rate text ("1.10000000") as an integer of 1e-8 units. */
export function rateUnits(rate: string | number): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(String(rate));
  if (!m) throw new MoneyError(`Not a rate: ${String(rate)}`);
  return BigInt(m[1]!) * RATE_SCALE + BigInt((m[2] ?? '').padEnd(8, '0').slice(0, 8));
}

/** cents × rate, rounded half away from zero to the cent. */
export function convertCents(cents: number, rate: bigint): number {
  const product = BigInt(Math.abs(cents)) * rate;
  const out = Number((product + RATE_SCALE / 2n) / RATE_SCALE);
  return cents < 0 ? -out : out;
}

export const CURRENCY = /^[A-Z]{3}$/;

/** Reporting-currency cents back into a currency of `rate` (rounded half up to the cent). */
export function fromRcCents(rcCents: number, rate: bigint): number {
  if (rate <= 0n) throw new MoneyError('A rate must be positive.');
  const num = BigInt(Math.abs(rcCents)) * RATE_SCALE;
  const out = Number((num * 2n + rate) / (2n * rate));
  return rcCents < 0 ? -out : out;
}
