/** Free text a client sends (reasons, notes, ids): trimmed, bounded, no control characters. */
import { CreditError } from './actor.ts';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function cleanText(value: unknown, what: string, max = 2000, required = true): string {
  if (value === undefined || value === null || value === '') {
    if (required) throw new CreditError('missing_field', `Give the ${what}.`);
    return '';
  }
  if (typeof value !== 'string') throw new CreditError('bad_field', `The ${what} must be text.`);
  const v = value.trim();
  if (required && v === '') throw new CreditError('missing_field', `Give the ${what}.`);
  if (v.length > max) throw new CreditError('bad_field', `The ${what} is longer than ${max} characters.`);
  if (CONTROL.test(v)) throw new CreditError('bad_field', `The ${what} contains control characters.`);
  return v;
}

const ID = /^[\p{L}\p{N}][\p{L}\p{N} ._:/#-]{0,63}$/u;

/** A customer or order id: letters, digits and a few separators, at most 64 characters. */
export function cleanId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !ID.test(value.trim())) {
    throw new CreditError(
      'bad_field',
      `The ${what} must be 1–64 letters, digits or . _ : / # - (starting with a letter or digit).`,
    );
  }
  return value.trim();
}
