/** Formatting shared by the customer and collections tables. Pure. */
import { money } from '../format/format.ts';

/** Money in a document currency; the bare amount when the currency is unknown. */
export function docMoney(value: string | null, currency: string | null, locale: string): string {
  if (value === null) return '–';
  return currency ? money(value, currency, locale) : value;
}

/** Whole days in the locale's digits ('1,234'). */
export function days(value: number | null, locale: string): string {
  // `+ 0` turns -0 into 0 (no "-0 days").
  return value === null ? '–' : new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(value + 0);
}
