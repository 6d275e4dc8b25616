/**
 * A bank statement as every reader (camt.053/054, MT940, CSV profiles) hands it over, and the money
 * arithmetic the matcher uses. Amounts are integer minor units of two decimals (cents; a JPY amount
 * is yen × 100), parsed from decimal text exactly, never through a float. Pure.
 */
import { createHash } from 'node:crypto';
import { parseCents } from '../core/minor-units.ts';

export type StatementFormat = 'camt.053' | 'camt.054' | 'mt940' | 'csv';

export interface StatementLine {
  /** 1-based position of the entry in the file (for messages and lineage). */
  readonly position: number;
  /** The account the statement is for (IBAN or bank account number). */
  readonly account: string;
  readonly bookingDate: string;
  readonly valueDate: string;
  /** Signed: positive is money in (a credit to the account). */
  readonly amountCents: number;
  readonly currency: string;
  /** The amount the payer instructed, when the bank converted it (camt InstdAmt, MT940 /OCMT/). */
  readonly instructedCents: number | null;
  readonly instructedCurrency: string | null;
  /** Charges the bank deducted from this entry, when the statement says. */
  readonly chargesCents: number | null;
  readonly counterpartyName: string;
  readonly counterpartyIban: string;
  readonly remittance: string;
  readonly endToEndId: string;
  /** The bank's own reference for the entry (AcctSvcrRef, MT940 bank reference, CSV reference). */
  readonly bankReference: string;
}

export interface QuarantinedLine {
  readonly position: number;
  readonly reason: string;
  /** The raw text of the entry (shortened). */
  readonly raw: string;
}

export interface ParsedStatement {
  readonly format: StatementFormat;
  readonly statementId: string;
  readonly account: string;
  readonly lines: readonly StatementLine[];
  readonly quarantined: readonly QuarantinedLine[];
}

export class StatementError extends Error {
  override readonly name = 'StatementError';
}

/** `'1234.5'` → 123450. Throws on anything that is not a plain decimal with at most 2 places. */
export function toCents(text: string): number {
  const cents = parseCents(text);
  if (cents === null) throw new StatementError(`not an amount: ${JSON.stringify(text.slice(0, 40))}`);
  return cents;
}

/** 123450 → `'1234.50'`. */
export { centsText as fromCents } from '../core/minor-units.ts';

const CURRENCY = /^[A-Z]{3}$/;
export function checkCurrency(text: string): string {
  const c = text.trim().toUpperCase();
  if (!CURRENCY.test(c))
    throw new StatementError(`not a currency code: ${JSON.stringify(text.slice(0, 10))}`);
  return c;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A YYYY-MM-DD date that exists, or an error. */
export function checkDate(text: string): string {
  const m = ISO_DATE.exec(text.trim().slice(0, 10));
  if (!m) throw new StatementError(`not a date: ${JSON.stringify(text.slice(0, 20))}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d || y < 1990) {
    throw new StatementError(`not a date: ${JSON.stringify(text.slice(0, 20))}`);
  }
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** IBAN without spaces, upper case; '' when empty. Not checked further (foreign accounts vary). */
export function normaliseIban(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

/**
 * The identity of a line across overlapping statements: the account, the bank's reference when it
 * has one, else the dates, amount, currency, counterparty and remittance. Two statements that repeat
 * an entry give it the same key, so a re-import never duplicates it.
 */
export function lineKey(l: StatementLine): string {
  const parts = l.bankReference
    ? [l.account, 'ref', l.bankReference, l.amountCents, l.currency]
    : [
        l.account,
        'fields',
        l.bookingDate,
        l.valueDate,
        l.amountCents,
        l.currency,
        l.counterpartyIban,
        l.counterpartyName,
        l.remittance,
        l.endToEndId,
      ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** Control characters out, whitespace collapsed, length bounded: what we keep of free text. */
export function cleanText(text: string, max = 500): string {
  return text
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max);
}
