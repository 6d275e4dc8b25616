/**
 * Snapshot dates and the time-based split, pure. Dates are 'YYYY-MM-DD' business dates, computed
 * on the proleptic Gregorian calendar with integer day numbers (never a JS Date in a time zone), by
 * core/calendar.ts.
 */
import { addDays, formatDay, lastOfMonth, parseDay } from '../core/calendar.ts';

/** Month-ends from the first one on or after `from` up to `to` (inclusive). */
export function monthEnds(from: string, to: string): string[] {
  const out: string[] = [];
  const last = parseDay(to);
  for (let d = lastOfMonth(parseDay(from)); d <= last; d = lastOfMonth(d + 1)) out.push(formatDay(d));
  return out;
}

/** What is missing, in numbers, for the Risk page and the CLI to say. */
export type Shortfall =
  | {
      readonly kind: 'history';
      /** Month-ends with a complete label window the data has, and how many the split needs. */
      readonly have: number;
      readonly needed: number;
      readonly firstInvoiceDate: string;
      readonly asOfDate: string;
      readonly horizonDays: number;
    }
  | {
      readonly kind: 'defaults';
      readonly period: 'train' | 'validation' | 'test';
      readonly from: string;
      readonly to: string;
      readonly defaults: number;
      readonly rows: number;
      readonly needed: number;
    };

/** The data cannot support training or evaluation (too little history, too few defaults). */
export class NotEnoughDataError extends Error {
  constructor(
    message: string,
    readonly shortfall: Shortfall | null = null,
  ) {
    super(message);
    this.name = 'NotEnoughDataError';
  }
}

export interface SnapshotPlan {
  /** Every monthly snapshot with a complete label window (snapshot + horizon ≤ as-of date). */
  readonly labelled: string[];
  readonly train: string[];
  readonly validation: string[];
  /** Snapshots left out between validation and test (gapMonths). */
  readonly gap: string[];
  readonly test: string[];
}

/**
 * How many snapshots before the test period to leave out so that no training or validation label
 * window (D, D + horizon] overlaps the test period's label windows, which start after its first
 * snapshot: every kept snapshot has D + horizon ≤ the first test snapshot.
 */
export function purgeGap(beforeTest: readonly string[], firstTest: string, horizonDays: number): number {
  let gap = 0;
  while (
    gap < beforeTest.length &&
    addDays(beforeTest[beforeTest.length - 1 - gap] as string, horizonDays) > firstTest
  )
    gap++;
  return gap;
}

/**
 * Monthly snapshots (month-ends from firstInvoice + minHistoryDays) whose horizon ends on or before
 * the as-of date, split by time: the last `testMonths` for test, then a gap (`gapMonths`, or with
 * 'purge' exactly the snapshots whose label window would reach past the first test snapshot), then
 * `validationMonths` for validation, and everything older for training.
 */
export function planSnapshots(o: {
  firstInvoiceDate: string;
  asOfDate: string;
  minHistoryDays: number;
  horizonDays: number;
  testMonths: number;
  validationMonths: number;
  gapMonths: number | 'purge';
}): SnapshotPlan {
  const labelled = monthEnds(
    addDays(o.firstInvoiceDate, o.minHistoryDays),
    addDays(o.asOfDate, -o.horizonDays),
  );
  const n = labelled.length;
  const beforeTest = labelled.slice(0, Math.max(0, n - o.testMonths));
  const firstTest = labelled[n - o.testMonths];
  // The gap a long enough history needs: purged against month-ends running back far enough.
  const ideal = monthEnds(
    addDays(o.asOfDate, -o.horizonDays - 31 * (o.testMonths + o.validationMonths + 3) - 2 * o.horizonDays),
    addDays(o.asOfDate, -o.horizonDays),
  );
  const gapMonths =
    o.gapMonths === 'purge'
      ? firstTest !== undefined && beforeTest.length >= o.validationMonths + 3
        ? purgeGap(beforeTest, firstTest, o.horizonDays)
        : purgeGap(
            ideal.slice(0, ideal.length - o.testMonths),
            ideal[ideal.length - o.testMonths] as string,
            o.horizonDays,
          )
      : o.gapMonths;
  const needed = o.testMonths + gapMonths + o.validationMonths + 3;
  if (n < needed) {
    throw new NotEnoughDataError(
      `Not enough history to train the risk model: ${n} month-end(s) have a complete ` +
        `${o.horizonDays}-day outcome window (the data runs from ${o.firstInvoiceDate} to ${o.asOfDate}), but ` +
        `${needed} are needed (${o.testMonths} test, ${gapMonths} gap, ${o.validationMonths} validation, ` +
        `at least 3 training): ${needed - n} more month(s) of history. Load older invoices, or shorten the ` +
        `horizon or the test and validation periods.`,
      {
        kind: 'history',
        have: n,
        needed,
        firstInvoiceDate: o.firstInvoiceDate,
        asOfDate: o.asOfDate,
        horizonDays: o.horizonDays,
      },
    );
  }
  const test = labelled.slice(n - o.testMonths);
  const gap = labelled.slice(n - o.testMonths - gapMonths, n - o.testMonths);
  const validation = labelled.slice(
    n - o.testMonths - gapMonths - o.validationMonths,
    n - o.testMonths - gapMonths,
  );
  const train = labelled.slice(0, n - o.testMonths - gapMonths - o.validationMonths);
  return { labelled, train, validation, gap, test };
}
