/**
 * How the Explorer's cells read on screen, in the user's locale: money exact in the reporting
 * currency, ratios as percent, counts as whole numbers, business dates and time buckets (weeks,
 * quarters) in UTC so no time zone moves them. Pure: web/lib/format does the number and date work.
 */
import { businessDate, compactMoney, decimal, money, month, percent } from '../format/format.ts';
import { UNASSIGNED } from '../i18n/messages.ts';
import type { ValueKind } from './meta.ts';
import type { Granularity } from './state.ts';
import type { Cell, Column } from './table.ts';

export interface DisplayContext {
  readonly locale: string;
  /** The reporting currency of money measures. */
  readonly currency: string;
  /** Key of the time-bucket column and its granularity, when the result has buckets. */
  readonly bucketKey: string | null;
  readonly granularity: Granularity | null;
  readonly words: {
    readonly empty: string;
    /** The member the marts put where an export left a dimension empty (UNASSIGNED). */
    readonly unassigned: string;
    readonly yes: string;
    readonly no: string;
    readonly week: (date: string) => string;
    readonly quarter: (year: number, quarter: number) => string;
  };
}

const DASH = '–';
const integers = new Map<string, Intl.NumberFormat>();
const numbers = new Map<string, Intl.NumberFormat>();
function nf(cache: Map<string, Intl.NumberFormat>, locale: string, options: Intl.NumberFormatOptions) {
  let f = cache.get(locale);
  if (!f) cache.set(locale, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

/** A time bucket's start as a label: 'Jun 30, 2026', 'Week of Jun 29, 2026', 'Jun 2026', 'Q2 2026', '2026'. */
export function bucketLabel(date: string, granularity: Granularity | null, ctx: DisplayContext): string {
  switch (granularity) {
    case 'week':
      return ctx.words.week(businessDate(date, ctx.locale));
    case 'month':
      return month(date, ctx.locale);
    case 'quarter':
      return ctx.words.quarter(Number(date.slice(0, 4)), Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1);
    case 'year':
      return new Intl.DateTimeFormat(ctx.locale, { timeZone: 'UTC', year: 'numeric' }).format(
        new Date(`${date}T00:00:00Z`),
      );
    default:
      return businessDate(date, ctx.locale);
  }
}

/** A value of `kind` as text ('–' when empty). */
export function valueText(value: Cell, kind: ValueKind, ctx: DisplayContext): string {
  if (value === null) return kind === 'text' || kind === 'boolean' ? ctx.words.empty : DASH;
  switch (kind) {
    case 'money':
      return money(value as string | number, ctx.currency, ctx.locale);
    case 'percent':
      return percent(Number(value), ctx.locale);
    case 'count':
      return nf(integers, ctx.locale, { maximumFractionDigits: 0 }).format(Number(value));
    case 'decimal':
      return decimal(Number(value), ctx.locale);
    case 'number':
      // The exact decimal string is formatted, not a float.
      return nf(numbers, ctx.locale, { maximumFractionDigits: 2 }).format(value as unknown as number);
    case 'date':
      return businessDate(String(value), ctx.locale);
    case 'boolean':
      return value === true ? ctx.words.yes : ctx.words.no;
    case 'text':
      if (value === UNASSIGNED) return ctx.words.unassigned;
      return String(value) === '' ? ctx.words.empty : String(value);
  }
}

/** A cell of `column` as text; the time-bucket column reads as buckets. */
export function cellText(value: Cell, column: Column, ctx: DisplayContext): string {
  if (column.key === ctx.bucketKey && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value))
    return bucketLabel(value, ctx.granularity, ctx);
  return valueText(value, column.kind, ctx);
}

/** A short axis label: compact money, percent, plain numbers. */
export function axisText(value: number, kind: ValueKind, ctx: DisplayContext): string {
  switch (kind) {
    case 'money':
      return compactMoney(value, ctx.currency, ctx.locale);
    case 'percent':
      return percent(value, ctx.locale, 0);
    default:
      return new Intl.NumberFormat(ctx.locale, { notation: 'compact', maximumFractionDigits: 1 }).format(
        value,
      );
  }
}
