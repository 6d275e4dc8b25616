/**
 * The story planted in the demo data, told with its concrete dates and sizes (`DemoSummary.story`).
 */
import type { Customer, Tally } from './model.ts';
import { LATAM_DRIFT_DAYS, LATAM_DRIFT_MAX } from './world.ts';

export interface StoryFacts {
  readonly customers: readonly Customer[];
  readonly tally: Tally;
  /** Customers at 90% of their credit limit or more. */
  readonly nearLimit: number;
  readonly asOf: number;
  readonly date: (day: number) => string;
}

export function tellStory({ customers, tally, nearLimit, asOf, date }: StoryFacts): string[] {
  const cohort = customers.filter((c) => c.cohort);
  const distressFrom = Math.min(...cohort.map((c) => c.distressDay));
  const hostile = customers.filter((c) => c.hostile).map((c) => c.id);
  const latam = customers.filter((c) => c.region === 'LATAM').length;
  const driftStart = asOf - LATAM_DRIFT_DAYS;
  return [
    `LATAM DSO worsens over the last three quarters: the ${latam} LATAM customers pay later and later for ` +
      `invoices due from ${date(driftStart)}, reaching about +${LATAM_DRIFT_MAX} days beyond their usual ` +
      `delay by ${date(asOf)}; more LATAM invoices are open and overdue at the end.`,
    `Spare Parts bad-debt spike: ${cohort.length} Spare-Parts-heavy distributors in EMEA and LATAM ` +
      `stopped paying invoices due from about ${date(distressFrom)} and were put on credit hold; their ` +
      `invoices are written off 181–270 days past due (${tally.cohortWriteOffs} write-offs by ${date(asOf)}, ` +
      `concentrated in the last two quarters); later ones are still open and deeply overdue.`,
    `Background bad debt: chronic late payers leave a few invoices unpaid; ${tally.otherWriteOffs} write-offs ` +
      `over the three years, each 181–270 days past due.`,
    'Seasonality: quarter-end months are ~35% heavier with a push in the last days of each quarter; ' +
      'August and late December are light; volume grows ~12% a year.',
    'Payment behaviour: Subscriptions pay fastest (many by direct debit on the due date); Services are ' +
      'disputed most (~10%); disputed invoices are paid after resolution and ~40% of resolved disputes ' +
      'end in a credit memo; Southern Europe and LATAM pay slower, Japan is punctual.',
    `${tally.partialPayments} partial payments; ${tally.mergedPayments} payment runs settle several invoices ` +
      `at once; ${nearLimit} customers are near or over their credit limit at ${date(asOf)}.`,
    `Rendering safety: customers ${hostile.join(' and ')} have an HTML <script> name and a ` +
      `spreadsheet-formula name (=HYPERLINK…); they must show as plain text everywhere.`,
  ];
}
