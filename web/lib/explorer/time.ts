/**
 * Date ranges of the Explorer: a time bucket's first and last day, and the range a query covers
 * (the Explorer's own range within the dashboard's global dates). Business dates 'YYYY-MM-DD',
 * computed in UTC so no time zone moves them. Pure.
 */
import type { ExplorerState, Granularity } from './state.ts';

export type DateRange = readonly [string, string];

const iso = (d: Date) => d.toISOString().slice(0, 10);
const utc = (date: string) => new Date(`${date}T00:00:00Z`);

/** First and last day of the bucket starting at `start` (weeks start on Monday, as in Cube). */
export function bucketRange(start: string, granularity: Granularity): DateRange {
  const d = utc(start);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  switch (granularity) {
    case 'day':
      return [start, start];
    case 'week':
      return [start, iso(new Date(Date.UTC(y, m, d.getUTCDate() + 6)))];
    case 'month':
      return [start, iso(new Date(Date.UTC(y, m + 1, 0)))];
    case 'quarter':
      return [start, iso(new Date(Date.UTC(y, m - (m % 3) + 3, 0)))];
    case 'year':
      return [start, `${String(y).padStart(4, '0')}-12-31`];
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
