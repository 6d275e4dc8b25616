/**
 * Date ranges of the Explorer: a time bucket's first and last day, and the range a query covers
 * (the Explorer's own range within the dashboard's global dates). Business dates 'YYYY-MM-DD' on the
 * project's calendar (core/calendar.ts), so no time zone moves them. Pure.
 */
import { addDays, addMonths, civilFromDays, formatDay, monthEnd, parseDay } from '../../../core/calendar.ts';
import type { ExplorerState, Granularity } from './state.ts';

export type DateRange = readonly [string, string];

/** First and last day of the bucket starting at `start` (weeks start on Monday, as in Cube). */
export function bucketRange(start: string, granularity: Granularity): DateRange {
  const day = parseDay(start);
  const [year, month] = civilFromDays(day);
  switch (granularity) {
    case 'day':
      return [start, start];
    case 'week':
      return [start, addDays(start, 6)];
    case 'month':
      return [start, monthEnd(start)];
    case 'quarter':
      // The quarter's last month is 0–2 months on (month 1–12: March, June, September, December).
      return [start, monthEnd(formatDay(addMonths(day, 2 - ((month - 1) % 3))))];
    case 'year':
      return [start, `${String(year).padStart(4, '0')}-12-31`];
  }
}

/** The overlap of two ranges, either side open (null); null when they do not meet. */
export function intersect(
  a: readonly [string | null, string | null],
  b: readonly [string | null, string | null],
): [string | null, string | null] | null {
  const from = a[0] && b[0] ? (a[0] > b[0] ? a[0] : b[0]) : (a[0] ?? b[0]);
  const to = a[1] && b[1] ? (a[1] < b[1] ? a[1] : b[1]) : (a[1] ?? b[1]);
  if (from && to && from > to) return null;
  return [from, to];
}

/** Sentinels for an open side (Cube needs both ends). */
const FIRST = '1900-01-01';
const LAST = '2999-12-31';
/** A range no row is in (the chosen dates do not overlap). */
export const EMPTY_RANGE: DateRange = [LAST, FIRST];

/**
 * The dates a query on `state` covers: the Explorer's range within the global from/to, within
 * `bucket` when given. undefined: all time.
 */
export function queryRange(state: ExplorerState, bucket?: DateRange): DateRange | undefined {
  let range: [string | null, string | null] | null = [state.time?.from ?? null, state.time?.to ?? null];
  range = intersect(range, [state.global.from ?? null, state.global.to ?? null]);
  if (range && bucket) range = intersect(range, bucket);
  if (range === null) return EMPTY_RANGE;
  if (range[0] === null && range[1] === null) return undefined;
  return [range[0] ?? FIRST, range[1] ?? LAST];
}
