/**
 * The as-of date: the one date every mart describes (open items, aging, DSO, dunning levels).
 *
 * What a user asks for (config `as_of:`, or `--as-of` on build, start and serve):
 *   latest       the last document date in the data (an invoice, payment, application, credit
 *                memo or write-off); the default for your own exports, decided by the build
 *   today        today's date in the reporting time zone (config `timezone:`, default UTC)
 *   YYYY-MM-DD   that date
 * The demo data set defaults to the date its history ends (its generation's as-of).
 *
 * What a build used is recorded in the warehouse (intermediate.int_as_of: date and source); the
 * server, the Cube meta and every page show it, and `arlens start` says when it changes.
 */
import { type Query, tableExists } from '../warehouse/convert.ts';

export type AsOfSpec = 'latest' | 'today' | string;

const ISO = /^\d{4}-\d{2}-\d{2}$/;

/** Whether `s` is an as-of a user may ask for; used by the config schema and the flags. */
export function isAsOfSpec(s: string): boolean {
  if (s === 'latest' || s === 'today') return true;
  if (!ISO.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export function checkAsOfSpec(s: string, where: string): AsOfSpec {
  if (!isAsOfSpec(s)) {
    throw new Error(`${where}: "${s}" is not an as-of date. Use a date (YYYY-MM-DD), "today" or "latest".`);
  }
  return s;
}

/** Today's calendar date in `timeZone` (an IANA name), as YYYY-MM-DD. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const part = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export interface ResolvedAsOf {
  /** The date to build for, or null: the build takes the last document date. */
  readonly date: string | null;
  /** How a person would say where it comes from ("--as-of", "today in Asia/Tokyo", …). */
  readonly label: string;
}

export function resolveAsOf(spec: AsOfSpec, timeZone: string, label: string, now?: Date): ResolvedAsOf {
  if (spec === 'latest') return { date: null, label: 'the last document date' };
  if (spec === 'today') return { date: todayIn(timeZone, now), label: `today in ${timeZone}` };
  return { date: spec, label };
}

/** The vars a build takes for an as-of (none: the build uses the last document date). */
export function asOfVars(asOf: ResolvedAsOf): Record<string, string> {
  return asOf.date === null ? {} : { as_of_date: asOf.date };
}

export interface PublishedAsOf {
  readonly date: string;
  /** 'set', 'last document date' or 'today (no documents)'. */
  readonly source: string;
}

/** The as-of date of the published marts, or null before the first build. */
export async function publishedAsOf(query: Query): Promise<PublishedAsOf | null> {
  if (!(await tableExists(query, 'intermediate', 'int_as_of'))) return null;
  const [row] = await query(
    'SELECT as_of_date::VARCHAR AS d, coalesce(as_of_source, $1) AS s FROM intermediate.int_as_of LIMIT 1',
    ['set'],
  ).catch(async () =>
    query('SELECT as_of_date::VARCHAR AS d, $1 AS s FROM intermediate.int_as_of LIMIT 1', ['set']),
  );
  return row ? { date: String(row['d']), source: String(row['s']) } : null;
}
