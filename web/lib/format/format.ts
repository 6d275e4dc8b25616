/**
 * Money, ratios, days and business dates for people, in their locale. Pure: takes the values the
 * Cube boundary (web/lib/cube/values.ts) gives and a locale. Dates are 'YYYY-MM-DD' business dates
 * and are formatted in UTC, so no browser time zone moves them.
 */
const cache = new Map<string, Intl.NumberFormat>();
function nf(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

const DASH = '–';

/** '1234567.5' → '$1,234,567.50' (exact: the decimal string is formatted, not a float). */
export function money(value: string | number | null, currency: string, locale: string): string {
  if (value === null) return DASH;
  return nf(locale, { style: 'currency', currency }).format(value as unknown as number);
}

/**
 * Money in the reporting currency where null means unknown: the document's currency had no FX rate
 * (never shown as 0.00). `unknown` is the word for it in the user's language.
 */
export function knownMoney(value: string | null, currency: string, locale: string, unknown: string): string {
  return value === null ? unknown : money(value, currency, locale);
}

/** Money in a document currency; the bare amount when the currency is unknown. */
export function docMoney(value: string | null, currency: string | null, locale: string): string {
  if (value === null) return DASH;
  return currency ? money(value, currency, locale) : value;
}

/** Short money for tiles and axes: '$1.2M', '¥3.4億' style compact notation. */
export function compactMoney(value: string | number | null, currency: string, locale: string): string {
  if (value === null) return DASH;
  return nf(locale, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(
    Number(value),
  );
}

/** 0.1234 → '12.3%'. */
export function percent(value: number | null, locale: string, digits = 1): string {
  if (value === null) return DASH;
  return nf(locale, {
    style: 'percent',
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** 45.678 → '45.7'. */
export function decimal(value: number | null, locale: string, digits = 1): string {
  if (value === null) return DASH;
  return nf(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** A whole number (a count, days) in the locale's digits ('1,234'). */
export function count(value: number | null, locale: string): string {
  // `+ 0` turns -0 into 0 (no "-0 days").
  return value === null ? DASH : nf(locale, { maximumFractionDigits: 0 }).format(value + 0);
}

/** Whole days in the locale's digits ('1,234'). */
export const days = count;

/** '2026-06-30' → 'Jun 30, 2026' / '2026/06/30'. */
export function businessDate(date: string | null, locale: string): string {
  if (date === null) return DASH;
  return new Intl.DateTimeFormat(locale, {
    timeZone: 'UTC',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  }).format(new Date(`${date}T00:00:00Z`));
}

/** '2026-06-01' → 'Jun 2026' / '2026年6月'. */
export function month(date: string | null, locale: string): string {
  if (date === null) return DASH;
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', year: 'numeric', month: 'short' }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

/** Signed change for tiles: '+3.2', '−1.5' (true minus sign). */
export function signed(value: number | null, locale: string, digits = 1): string {
  if (value === null) return DASH;
  const s = nf(locale, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
    signDisplay: 'exceptZero',
  }).format(value);
  return s.replace('-', '−');
}
