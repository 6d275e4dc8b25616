/**
 * What cash application tells a person who asked for something it will not do, as templates with
 * `{name}` placeholders: the store throws them in English, the page shows them in the reader's
 * language (web/lib/i18n/domains/cash.ts translates every key). Pure.
 */
export const CASHAPP_ERRORS = {
  forbiddenImport: 'Your role may not import bank statements.',
  forbiddenDecide: 'Your role may not decide cash application.',
  noLine: 'No bank line {id}.',
  noVersion: 'The line version is missing.',
  stale: 'Line {id} changed since you opened it (now {status}{by}). Reload and look again.',
  notWaiting: 'Line {id} is {status}, not waiting for review.',
  noProposal: 'No such proposal on this line.',
  splitEmpty: 'A split needs at least one invoice and amount.',
  splitMax: 'A split has at most {max} invoices.',
  splitAmount: 'Every split amount must be more than zero.',
  splitTwice: 'Invoice {invoice} is named twice.',
  noReason: 'Say why the line is not a customer payment.',
  unknownCustomer: 'Unknown customer {customer}.',
  notOpen: 'Invoice {invoice} is not open.',
  otherCustomer: 'Invoice {invoice} belongs to customer {owner}, not {customer}.',
  overOpen:
    'Invoice {invoice} has {open} {currency} open; {amount} is more (another line may have been applied to it meanwhile).',
  currency: 'Invoice {invoice} is in {currency}; the line is in {lineCurrency}. Leave it unapplied for now.',
  overLine: "The split applies {applied}, more than the line's {amount}.",
} as const;

export type CashAppErrorCode = keyof typeof CASHAPP_ERRORS;
export type ErrorParams = Readonly<Record<string, string | number>>;

export function errorText(code: CashAppErrorCode, params: ErrorParams = {}): string {
  return CASHAPP_ERRORS[code].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? ''));
}
