/**
 * Random small ledgers for differential tests, shaped like real exports rather than like our demo:
 * optional fields often empty, partial and over-sized payments, unallocated credit memos, a currency
 * without FX rates, corrections that re-export a row with other values, and every entity cut into
 * chunks that a test loads in any order. Seeded: the same seed gives the same files.
 */
import { SeededRandom } from '../../core/random.ts';
import { ENTITY_NAMES } from '../../ingest/contract.ts';
import { canonicalHeader } from '../helpers.ts';

export type Entity =
  | 'customers'
  | 'invoices'
  | 'payments'
  | 'payment_applications'
  | 'credit_memos'
  | 'write_offs'
  | 'disputes'
  | 'collection_activities'
  | 'sales_orders'
  | 'fx_rates';

export const HEADERS = Object.fromEntries(ENTITY_NAMES.map((e) => [e, canonicalHeader(e)])) as Record<
  Entity,
  string
>;

/** One export file: an entity and its data lines (the header comes from HEADERS). */
export interface ExportFile {
  readonly entity: Entity;
  readonly lines: readonly string[];
}

export interface Ledger {
  /** The rows of each entity, as CSV lines. */
  readonly rows: Readonly<Record<Entity, readonly string[]>>;
  /** Re-exports of some rows with other values (a corrected amount, a new salesperson, …). */
  readonly corrections: readonly ExportFile[];
  /** The first and last business dates of the ledger. */
  readonly first: string;
  readonly last: string;
}

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 1);

function day(n: number): string {
  return new Date(START + n * DAY_MS).toISOString().slice(0, 10);
}

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** A ledger of a few customers and a few dozen documents over half a year. */
export function randomLedger(seed: number): Ledger {
  const rng = new SeededRandom(seed, 7);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  const maybe = (p: number, v: string): string => (rng.next() < p ? v : '');
  const SPAN = 180;
  const currencies = ['EUR', 'USD', 'JPY'];
  const customers: { id: string; currency: string; terms: number; region: string }[] = [];
  const rows: Record<Entity, string[]> = {
    customers: [],
    invoices: [],
    payments: [],
    payment_applications: [],
    credit_memos: [],
    write_offs: [],
    disputes: [],
    collection_activities: [],
    sales_orders: [],
    fx_rates: [],
  };
  const corrections: ExportFile[] = [];
  const nCustomers = 2 + rng.int(4);
  for (let c = 0; c < nCustomers; c++) {
    const id = `C${c + 1}`;
    const currency = pick(currencies);
    const terms = pick([0, 14, 30, 60]);
    const region = maybe(0.7, pick(['EMEA', 'APAC']));
    customers.push({ id, currency, terms, region });
    const line = (salesperson: string) =>
      [
        id,
        `Customer ${id}`,
        region,
        maybe(0.7, pick(['DE', 'JP'])),
        maybe(0.5, pick(['SMB', 'Enterprise'])),
        maybe(0.3, 'Retail'),
        salesperson,
        maybe(0.5, pick(['Kim', 'Ana'])),
        maybe(0.5, money(100_000 + rng.int(1_000_000))),
        String(terms),
        currency,
        pick(['active', 'active', 'blocked']),
      ].join(',');
    rows.customers.push(line(maybe(0.5, pick(['Lee', 'Mo']))));
    if (rng.next() < 0.3)
      corrections.push({ entity: 'customers', lines: [line(maybe(0.5, pick(['Lee', 'Mo', 'Zoe'])))] });
  }
  // Rates for EUR only on some days, never for JPY (its amounts are unknown in USD); USD is the
  // reporting currency itself.
  for (let d = 0; d <= SPAN + 30; d += 1 + rng.int(20))
    rows.fx_rates.push(`${day(d)},EUR,USD,${(1 + rng.next() / 5).toFixed(6)}`);
  const nInvoices = 4 + rng.int(18);
  let receipt = 0;
  let memo = 0;
  for (let i = 0; i < nInvoices; i++) {
    const c = pick(customers);
    const id = `I${i + 1}`;
    const issue = rng.int(SPAN);
    const due = issue + c.terms;
    const cents = 1_000 + rng.int(200_000);
    const invoice = (amount: number) =>
      [
        id,
        c.id,
        day(issue),
        day(due),
        money(amount),
        c.currency,
        maybe(0.8, pick(['Hardware', 'Services'])),
        '',
        '',
        maybe(0.3, 'Lee'),
      ].join(',');
    rows.invoices.push(invoice(cents));
    if (rng.next() < 0.15)
      corrections.push({ entity: 'invoices', lines: [invoice(cents + 100 * (1 + rng.int(50)))] });
    let open = cents;
    // Payments: none, one partial, or several; sometimes a payment larger than what it applies.
    const payments = rng.int(3);
    for (let p = 0; p < payments && open > 0; p++) {
      const when = issue + rng.int(c.terms + 60);
      const applied = rng.next() < 0.5 ? open : Math.max(1, Math.floor(open * rng.next()));
      const extra = rng.next() < 0.2 ? 100 * (1 + rng.int(300)) : 0;
      const r = `R${++receipt}`;
      rows.payments.push(
        [r, c.id, day(when), money(applied + extra), c.currency, maybe(0.5, 'bank_transfer'), ''].join(','),
      );
      rows.payment_applications.push([r, id, day(when + rng.int(3)), money(applied)].join(','));
      open -= applied;
    }
    if (open > 0 && rng.next() < 0.2) {
      const amount = Math.max(1, Math.floor(open / 2));
      rows.credit_memos.push(
        [`M${++memo}`, c.id, id, day(issue + rng.int(40)), money(amount), c.currency, ''].join(','),
      );
      open -= amount;
    }
    if (open > 0 && rng.next() < 0.1) {
      rows.write_offs.push(
        [`W${i}`, id, c.id, day(due + 100 + rng.int(60)), money(open), c.currency, ''].join(','),
      );
    }
    if (rng.next() < 0.15) {
      const resolved = rng.next() < 0.5;
      rows.disputes.push(
        [
          `D${i}`,
          id,
          c.id,
          day(issue + 5),
          resolved ? day(issue + 30) : '',
          money(Math.max(1, Math.floor(cents / 3))),
          c.currency,
          '',
          resolved ? 'resolved' : 'open',
        ].join(','),
      );
    }
    if (rng.next() < 0.2) {
      const promise = rng.next() < 0.5;
      rows.collection_activities.push(
        [
          `A${i}`,
          c.id,
          maybe(0.7, id),
          day(due + rng.int(30)),
          pick(['call', 'email']),
          'Kim',
          promise ? 'promise_to_pay' : 'no_answer',
          promise ? day(due + 40) : '',
          promise ? money(cents) : '',
          promise ? c.currency : '',
          '',
        ].join(','),
      );
    }
  }
  // Unapplied cash and an unallocated credit memo for some customers.
  for (const c of customers) {
    if (rng.next() < 0.3)
      rows.payments.push(
        [`R${++receipt}`, c.id, day(rng.int(SPAN)), money(100 * (1 + rng.int(500))), c.currency, '', ''].join(
          ',',
        ),
      );
    if (rng.next() < 0.3)
      rows.credit_memos.push(
        [`M${++memo}`, c.id, '', day(rng.int(SPAN)), money(100 * (1 + rng.int(100))), c.currency, ''].join(
          ',',
        ),
      );
    if (rng.next() < 0.3)
      rows.sales_orders.push(
        [
          `SO-${c.id}`,
          c.id,
          day(rng.int(SPAN)),
          '',
          money(100 * (1 + rng.int(1000))),
          c.currency,
          '',
          'open',
        ].join(','),
      );
  }
  return { rows, corrections, first: day(0), last: day(SPAN) };
}

/**
 * Cut a ledger into loads: every entity in 1–2 chunks (some chunks empty: a file with only its
 * header), the chunks of all entities shuffled together, corrections at random places.
 */
export function randomLoads(ledger: Ledger, seed: number): ExportFile[][] {
  const rng = new SeededRandom(seed, 11);
  const files: ExportFile[] = [];
  for (const [entity, lines] of Object.entries(ledger.rows) as [Entity, readonly string[]][]) {
    const chunks = 1 + rng.int(2);
    const cut: string[][] = Array.from({ length: chunks }, () => []);
    for (const line of lines) cut[rng.int(chunks)]!.push(line);
    for (const lines of cut) files.push({ entity, lines });
  }
  files.push(...ledger.corrections);
  for (let i = files.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [files[i], files[j]] = [files[j]!, files[i]!];
  }
  // Group into steps of 1–4 files (one ingest run each).
  const steps: ExportFile[][] = [];
  for (let i = 0; i < files.length;) {
    const n = 1 + rng.int(4);
    steps.push(files.slice(i, i + n));
    i += n;
  }
  return steps;
}

export function csv(file: ExportFile): string {
  return `${[HEADERS[file.entity], ...file.lines].join('\n')}\n`;
}
