/**
 * Deterministic demo data: three years of ERP exports in ARLens's canonical CSV layout
 * (one `<entity>.csv` per contract entity, contract field names and order, ISO dates, '.' decimals,
 * RFC 4180 quoting, UTF-8 without BOM, `\n` line endings).
 *
 * The same options always produce byte-identical files: randomness comes from seeded sfc32 streams,
 * dates are integer day numbers (days since 1970-01-01) formatted by a pure function, money is kept in
 * integer minor units (cents; JPY amounts are whole yen), and nothing reads the clock or the time zone.
 * Rows are streamed to disk in ~2 MB chunks, so a million invoices need little memory: only the
 * customers and the not-yet-dated events of recent invoices (payments, memos, write-offs, disputes,
 * collection contacts, waiting in a per-day queue so their document numbers run in date order) are
 * held.
 *
 * The story planted in the data (also returned, with concrete dates, in `DemoSummary.story`):
 *
 * 1. LATAM's DSO worsens over the last three quarters: from asOf − 270 days, LATAM customers'
 *    payment delay (relative to due date) drifts upward linearly, reaching about +38 days at asOf.
 *    Late invoices stay open longer, so LATAM's overdue AR and DSO rise too.
 * 2. Spare Parts bad-debt spike: a cohort of Spare-Parts-heavy distributors in EMEA and LATAM
 *    (≈1.2% of customers, at least 3) get into trouble about 13 months before asOf. They stop
 *    paying invoices due after their distress date and are put on credit hold (blocked, some
 *    blacklisted) a few months later. Their invoices are written off 181–270 days past due when that
 *    date is ≤ asOf — which lands in the last two quarters — and the rest stay open, deeply overdue.
 *    A low background of write-offs elsewhere comes from rare chronic non-payers.
 * 3. Seasonality: quarter-end months are ~35% heavier with a push in the last days of each quarter,
 *    August and 20–31 December are light, weekends nearly empty, and volume grows ~12% a year.
 *
 * Behaviour around the story: per-customer lateness profiles (early, on time, late, chronic; Southern
 * Europe and LATAM slower, Japan punctual), Subscriptions paid fastest (many by direct debit on the
 * due date), Services disputed most (~10%), disputed invoices paid after resolution, ~40% of resolved
 * disputes settled with a credit memo, ~8% of paid invoices settled in two partial payments, a few
 * batch payers whose payment runs cover several invoices, a dunning ladder of collection activities
 * with kept and broken promises to pay, open sales orders, daily FX rates as a seeded random walk,
 * some customers near or over their credit limit, Japanese customer names, and exactly two hostile
 * customer names (`<script>` and a `=HYPERLINK(...)` formula) to exercise rendering safety downstream.
 *
 * The parts, one file each beside this one (which only orchestrates them): world.ts (reference
 * data: regions, countries, FX levels, product lines, segments, teams, the story's dates), names.ts
 * (company names, hostile names, notes), customers.ts, fx.ts (daily rates), invoices.ts (issue days,
 * invoices, open sales orders), settlement.ts (memos, payments, write-offs), disputes.ts,
 * dunning.ts (collection contacts), events.ts (the per-day queue and document numbers),
 * credit-limits.ts (the customer master), story.ts (the summary's story), model.ts (the types they
 * share) and sink.ts (the CSV files, rows typed from the contract). Randomness comes from the
 * project's SeededRandom (core/random.ts, demo scheme), dates from core/calendar.ts.
 *
 * Knobs (`DemoOptions`): `seed` (any number), `invoices` (history size; customers ≈ invoices / 25,
 * at least 40, at most 50,000), `asOf` (last day of the three-year history; nothing is dated after
 * it except due, promised and requested-delivery dates), `outDir`, `reportingCurrency` (target of the
 * FX rates, default USD), `onProgress`.
 */
import { CURRENCIES, type EntityName } from '../contract.ts';
import { addMonths, parseDay } from '../../core/calendar.ts';
import { SCHEMES, SeededRandom } from '../../core/random.ts';
import { writeCustomerMaster } from './credit-limits.ts';
import { makeCustomers } from './customers.ts';
import { dun } from './dunning.ts';
import { EventQueue } from './events.ts';
import { writeFxRates } from './fx.ts';
import { Invoicing, IssueDays } from './invoices.ts';
import type { Run, Tally } from './model.ts';
import { settle } from './settlement.ts';
import { dateText, DemoFiles } from './sink.ts';
import { tellStory } from './story.ts';
import { FX_LEVEL } from './world.ts';

export interface DemoOptions {
  /** Any finite number; its integer part seeds the generator. Same options, same bytes. */
  seed: number;
  /** Invoices over the three years (1 to 20,000,000); everything else scales with it. */
  invoices: number;
  /** YYYY-MM-DD, last day of history. */
  asOf: string;
  /** Created if missing; `<entity>.csv` files in it are overwritten. */
  outDir: string;
  /** Currency the FX rates convert to; default 'USD'. */
  reportingCurrency?: string;
  /** Called about every 1% of invoices, and with (total, total) once the files are closed. */
  onProgress?: (done: number, total: number) => void;
}

export interface DemoSummary {
  outDir: string;
  seed: number;
  /** Rows written per entity (header excluded). */
  counts: Record<EntityName, number>;
  /** First and last day of history (asOf). */
  dateRange: { from: string; to: string };
  reportingCurrency: string;
  /** Document currencies used by customers. */
  currencies: string[];
  /** The planted patterns, with their concrete dates and sizes. */
  story: string[];
}

/** One random stream per part, so that drawing more in one part leaves the others as they were. */
type Streams = Readonly<
  Record<'customers' | 'fx' | 'invoices' | 'events' | 'orders' | 'limits', SeededRandom>
>;

/** The history's days: [start, asOf], and their text. */
interface Days {
  readonly start: number;
  readonly asOf: number;
  readonly date: (day: number) => string;
}

export async function generateDemo(o: DemoOptions): Promise<DemoSummary> {
  const { asOf, reporting } = checkOptions(o);
  const start = addMonths(asOf, -36) + 1;
  // Date strings for the whole history plus a margin either side (future due/promised dates).
  const days: Days = { start, asOf, date: dateText(start - 30, asOf + 400) };
  const files = new DemoFiles(o.outDir);
  try {
    const rng = streams(o.seed);
    const customers = makeCustomers(rng.customers, o.invoices, start, asOf);
    const currencies = [...new Set(customers.map((c) => c.currency))].sort();
    writeFxRates(rng.fx, files.sinks.fx_rates, currencies, reporting, days);
    await files.drain();

    const invoicing = new Invoicing(customers, files.sinks.invoices, days.date, asOf - 365);
    const tally = await writeHistory(o, rng, files, invoicing, days);
    invoicing.writeOpenOrders(rng.orders, asOf, files.sinks.sales_orders);
    // The customer master comes last: credit limits are sized from the history.
    const nearLimit = writeCustomerMaster(rng.limits, customers, files.sinks.customers);
    await files.close();
    o.onProgress?.(o.invoices, o.invoices);

    return {
      outDir: o.outDir,
      seed: o.seed,
      counts: files.counts(),
      dateRange: { from: days.date(start), to: days.date(asOf) },
      reportingCurrency: reporting,
      currencies,
      story: tellStory({ customers, tally, nearLimit, asOf, date: days.date }),
    };
  } catch (err) {
    files.destroy();
    throw err;
  }
}

function checkOptions(o: DemoOptions): { asOf: number; reporting: string } {
  if (!Number.isFinite(o.seed)) throw new Error(`Demo seed must be a finite number, got ${String(o.seed)}.`);
  if (!Number.isInteger(o.invoices) || o.invoices < 1 || o.invoices > 20_000_000) {
    throw new Error(
      `Demo invoice count must be a whole number from 1 to 20,000,000, got ${String(o.invoices)}.`,
    );
  }
  const asOf = parseDay(o.asOf);
  const reporting = (o.reportingCurrency ?? 'USD').toUpperCase();
  if (!CURRENCIES.has(reporting) || FX_LEVEL[reporting] === undefined) {
    throw new Error(
      `Demo reporting currency "${reporting}" is not supported; use one of ${Object.keys(FX_LEVEL).join(', ')}.`,
    );
  }
  return { asOf, reporting };
}

function streams(seed: number): Streams {
  const stream = (n: number): SeededRandom => new SeededRandom(seed, n, SCHEMES.demo);
  return {
    customers: stream(1),
    fx: stream(2),
    invoices: stream(3),
    events: stream(4),
    orders: stream(5),
    limits: stream(6),
  };
}

/**
 * The invoices, in issue-date order, and everything that follows from each (disputes, memos,
 * payments, write-offs, dunning), queued by day and written once no later invoice can add to a day.
 */
async function writeHistory(
  o: DemoOptions,
  rng: Streams,
  files: DemoFiles,
  invoicing: Invoicing,
  days: Days,
): Promise<Tally> {
  const total = o.invoices;
  const queue = new EventQueue(days.start, days.asOf, files.sinks, rng.events, days.date);
  const tally: Tally = { cohortWriteOffs: 0, otherWriteOffs: 0, partialPayments: 0, mergedPayments: 0 };
  const run: Run = { rng: rng.invoices, asOf: days.asOf, push: (e) => queue.push(e), tally };
  const issueDays = new IssueDays(days.start, days.asOf - days.start + 1, total);
  const progressEvery = Math.max(1, Math.floor(total / 100));
  for (let i = 0; i < total; i++) {
    const issue = issueDays.next(run.rng, i);
    queue.flushThrough(issue);
    const inv = invoicing.issue(run.rng, i, issue);
    dun(run, inv, settle(run, inv));
    if ((i + 1) % 256 === 0) await files.drain();
    if (o.onProgress && (i + 1) % progressEvery === 0 && i + 1 < total) o.onProgress(i + 1, total);
  }
  queue.flushThrough(days.asOf);
  await files.drain();
  return tally;
}
