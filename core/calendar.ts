/**
 * Business dates: calendar days with no time of day and no time zone, written 'YYYY-MM-DD' and
 * computed as integer day numbers (days since 1970-01-01) on the proleptic Gregorian calendar, with the
 * civil conversions after H. Hinnant. Nothing here reads the process time zone; only `today` reads the
 * clock (in UTC). Pure.
 */

/** Day number of a civil date (month 1–12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month 1–12, day] of a day number. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** 'YYYY-MM-DD' of a day number. */
export function formatDay(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

/** Day number of a 'YYYY-MM-DD' date; throws on any other form or a day the calendar lacks. */
export function parseDay(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw new Error(`Expected a date as YYYY-MM-DD, got "${iso}".`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const days = daysFromCivil(y, mo, d);
  if (formatDay(days) !== iso) throw new Error(`"${iso}" is not a calendar date.`);
  return days;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

export function isWeekend(days: number): boolean {
  const w = weekday(days);
  return w === 0 || w === 6;
}

/** The day itself, or the following Monday when it falls on a weekend. */
export function weekdayOnOrAfter(days: number): number {
  const w = weekday(days);
  return w === 6 ? days + 2 : w === 0 ? days + 1 : days;
}

/** First day of the day's month. */
export function firstOfMonth(days: number): number {
  const [y, m] = civilFromDays(days);
  return daysFromCivil(y, m, 1);
}

/** Last day of the day's month (its month end). */
export function lastOfMonth(days: number): number {
  const [y, m] = civilFromDays(days);
  return (m === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, m + 1, 1)) - 1;
}

/** The same day `months` later (earlier when negative), or that month's last day when it is shorter. */
export function addMonths(days: number, months: number): number {
  const [y, m, d] = civilFromDays(days);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const first = daysFromCivil(year, month, 1);
  return first + Math.min(d, lastOfMonth(first) - first + 1) - 1;
}

/** Today's day number in UTC (the one function that reads the clock). */
export function today(now: Date = new Date()): number {
  return Math.floor(now.getTime() / 86_400_000);
}

// Dates as text, for callers that keep them so.

/** 'YYYY-MM-DD' `days` after (before, when negative) `date`. */
export function addDays(date: string, days: number): string {
  return formatDay(parseDay(date) + days);
}

/** 'YYYY-MM-DD' of the last day of `date`'s month. */
export function monthEnd(date: string): string {
  return formatDay(lastOfMonth(parseDay(date)));
}
