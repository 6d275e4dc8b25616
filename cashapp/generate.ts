/**
 * Bank statements with known truth for a ledger's open invoices, and the mess real statements have:
 * clean and mangled references (dashes and zeros dropped, lower case, O for 0), a digit wrong, no
 * reference at all, a wrong reference (another invoice of the same customer), several invoices in
 * one line (with and without references), partial payments in two lines, bank fees deducted,
 * early-payment discounts, overpayments, foreign-currency payments converted by the bank (with the
 * instructed amount, as camt and MT940 carry it), payer names that differ from the customer master
 * (upper case, cut to 35 characters, legal form dropped; Japanese customers paying under a katakana
 * name the master does not have), several customers paying through one treasury account, lines that
 * are no customer payment at all, and lines repeated by overlapping statements. Seeded: the same
 * seed gives the same statements. Pure (core/random.ts).
 */
import { SeededRandom } from '../core/random.ts';
import { addDays } from '../core/calendar.ts';
import type { CustomerInfo, OpenItem } from './match.ts';
import type { StatementLine } from './statement.ts';

export interface TruthLine {
  readonly line: StatementLine;
  /** What the line really pays (invoice, amount in the invoice currency); empty: no invoice. */
  readonly pays: readonly { invoiceId: string; cents: number }[];
  /** The customer who paid, or null for a line that is no customer payment. */
  readonly customerId: string | null;
  /** Which kind of mess the generator made (for the report). */
  readonly kind: string;
  /** True for a repeat of an earlier line (an overlapping statement). */
  readonly duplicate: boolean;
}

export interface MessOptions {
  /** Share of each kind of line; the rest is a clean single-invoice payment. */
  readonly noisyRef: number;
  readonly typo: number;
  readonly noRef: number;
  readonly wrongRef: number;
  readonly bundleWithRefs: number;
  readonly bundleNoRefs: number;
  readonly partial: number;
  readonly fee: number;
  readonly discount: number;
  readonly overpay: number;
  /** Foreign-currency invoices paid into the EUR account (converted by the bank). */
  readonly fx: number;
  /** Customers paying through a shared treasury account. */
  readonly sharedPayer: number;
  /** Lines that are no customer payment (refunds, interest, transfers), per customer line. */
  readonly nonCustomer: number;
  /** Lines repeated by an overlapping statement. */
  readonly duplicate: number;
  /** Share of open invoices paid in the horizon. */
  readonly paidShare: number;
  readonly horizonDays: number;
}

export const DEFAULT_MESS: MessOptions = {
  noisyRef: 0.15,
  typo: 0.03,
  noRef: 0.1,
  wrongRef: 0.02,
  bundleWithRefs: 0.1,
  bundleNoRefs: 0.03,
  partial: 0.05,
  fee: 0.05,
  discount: 0.02,
  overpay: 0.01,
  fx: 0.5,
  sharedPayer: 0.05,
  nonCustomer: 0.03,
  duplicate: 0.05,
  paidShare: 0.9,
  horizonDays: 60,
};

const HOME_ACCOUNT = 'DE89370400440532013000';
const KATAKANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン';
const LEGAL =
  /\s*(GmbH & Co\. KG|GmbH|AG|KG|Ltd\.?|Pte\. Ltd\.|Inc\.?|S\.A\.|SAS|S\.r\.l\.|B\.V\.|Co\.,? Ltd\.?|LLC|Corp\.?|株式会社|有限会社)\s*/g;

interface Payer {
  name: string;
  iban: string;
}

function iban(rng: SeededRandom, country: string): string {
  let s = country;
  for (let i = 0; i < 20; i++) s += String(rng.int(10));
  return s;
}

/** How a bank shows the payer: the master name mangled, or a name the master does not have. */
function payerName(rng: SeededRandom, name: string): string {
  if (/[\u3040-\u30ff\u4e00-\u9fff]/.test(name)) {
    let k = '';
    const n = 6 + rng.int(6);
    for (let i = 0; i < n; i++) k += KATAKANA[rng.int(KATAKANA.length)];
    return `${k}(カ`.normalize('NFKC');
  }
  const r = rng.next();
  if (r < 0.35) return name;
  if (r < 0.6) return name.toUpperCase().slice(0, 35);
  if (r < 0.85) return name.replace(LEGAL, ' ').trim();
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(LEGAL, ' ')
    .trim();
}

function mangle(rng: SeededRandom, id: string): string {
  const m = /^([A-Za-z]*)[^0-9]*(\d+)$/.exec(id);
  if (!m) return id;
  const [, prefix, digits] = m;
  switch (rng.int(5)) {
    case 0:
      return `${prefix}${digits}`;
    case 1:
      return `${prefix} ${digits!.replace(/^0+/, '')}`;
    case 2:
      return id.toLowerCase();
    case 3:
      return `${prefix}${digits!.replace(/0/g, 'O')}`;
    default:
      return `${digits!.replace(/^0+/, '')}`.length >= 4 ? digits!.replace(/^0+/, '') : `${prefix}-${digits}`;
  }
}

function typo(rng: SeededRandom, id: string): string {
  const m = /^(.*?)(\d+)$/.exec(id);
  if (!m) return id;
  const d = m[2]!.split('');
  const i = d.length - 1 - rng.int(Math.min(4, d.length));
  if (rng.chance(0.5) && i > 0) [d[i], d[i - 1]] = [d[i - 1]!, d[i]!];
  else d[i] = String((Number(d[i]) + 1 + rng.int(8)) % 10);
  return m[1]! + d.join('');
}

const PHRASES = ['Invoice', 'Rechnung', 'RE', 'Inv.', 'Facture', 'Payment', '請求書', 'Ref'];

/**
 * Statement lines paying `items` (and some that pay nothing), with the truth, sorted by booking date.
 * `startDate`: the first booking date; `rates`: units of each currency per EUR (the account's).
 */
export function generateStatements(
  seed: number,
  items: readonly OpenItem[],
  customers: readonly CustomerInfo[],
  startDate: string,
  mess: MessOptions = DEFAULT_MESS,
  rates: ReadonlyMap<string, number> = new Map([
    ['EUR', 1],
    ['USD', 1.1],
    ['JPY', 160],
    ['GBP', 0.85],
  ]),
): TruthLine[] {
  const rng = new SeededRandom(seed, 42);
  // Payers: one or two accounts per customer; some customers share a treasury account.
  const payers = new Map<string, Payer[]>();
  const treasuries: Payer[] = Array.from({ length: 5 }, (_, i) => ({
    name: `GROUP TREASURY SERVICES ${String.fromCharCode(65 + i)}`,
    iban: iban(rng, 'NL'),
  }));
  for (const c of customers) {
    const own: Payer = { name: payerName(rng, c.name), iban: iban(rng, 'DE') };
    const list = [own];
    if (rng.chance(0.1)) list.push({ name: payerName(rng, c.name), iban: iban(rng, 'DE') });
    if (rng.chance(mess.sharedPayer)) list.splice(0, list.length, treasuries[rng.int(treasuries.length)]!);
    payers.set(c.customerId, list);
  }
  const byCustomer = new Map<string, OpenItem[]>();
  for (const it of items) {
    if (it.openCents <= 0 || !rng.chance(mess.paidShare)) continue;
    const l = byCustomer.get(it.customerId) ?? [];
    l.push(it);
    byCustomer.set(it.customerId, l);
  }
  const out: TruthLine[] = [];
  let ref = 0;
  const emit = (
    customerId: string | null,
    pays: { invoiceId: string; cents: number }[],
    o: {
      amount: number;
      currency: string;
      remittance: string;
      kind: string;
      instructed?: { cents: number; currency: string };
      charges?: number;
    },
  ) => {
    const payer = customerId
      ? rng.pick(payers.get(customerId)!)
      : {
          name: rng.pick(['Finanzamt', 'Allianz Versicherung', 'Own transfer', 'Zinsen']),
          iban: iban(rng, 'DE'),
        };
    const date = addDays(startDate, rng.int(mess.horizonDays));
    const line: StatementLine = {
      position: out.length + 1,
      account: HOME_ACCOUNT,
      bookingDate: date,
      valueDate: date,
      amountCents: o.amount,
      currency: o.currency,
      instructedCents: o.instructed?.cents ?? null,
      instructedCurrency: o.instructed?.currency ?? null,
      chargesCents: o.charges ?? null,
      counterpartyName: payer.name,
      counterpartyIban: rng.chance(0.92) ? payer.iban : '',
      remittance: o.remittance,
      endToEndId: rng.chance(0.3) ? `E2E${String(++ref).padStart(10, '0')}` : '',
      bankReference: `BR${String(out.length + 1).padStart(10, '0')}`,
    };
    out.push({ line, pays, customerId, kind: o.kind, duplicate: false });
  };
  const pay = (customerId: string, group: OpenItem[], kind: string) => {
    const currency = group[0]!.currency;
    const total = group.reduce((s, it) => s + it.openCents, 0);
    const refs = group.map((it) => it.invoiceId);
    let amount = total;
    let remittance = `${rng.pick(PHRASES)} ${refs.join(', ')}`;
    let charges: number | undefined;
    let pays = group.map((it) => ({ invoiceId: it.invoiceId, cents: it.openCents }));
    switch (kind) {
      case 'noisy_ref':
        remittance = refs.map((r) => mangle(rng, r)).join(' ');
        break;
      case 'typo':
        remittance = `${rng.pick(PHRASES)} ${typo(rng, refs[0]!)}`;
        break;
      case 'no_ref':
      case 'bundle_no_refs':
        remittance = rng.pick(['', 'Payment', 'Zahlung', 'Thank you', 'お振込', 'Settlement']);
        break;
      case 'wrong_ref': {
        const others = (byCustomer.get(customerId) ?? []).filter((it) => !refs.includes(it.invoiceId));
        remittance = `${rng.pick(PHRASES)} ${others.length ? rng.pick(others).invoiceId : 'INV-9999999'}`;
        break;
      }
      case 'fee': {
        const fee = Math.min(Math.floor(total * 0.015), 500 + rng.int(2000));
        amount = total - fee;
        if (rng.chance(0.5)) charges = fee;
        pays = pays.map((p, i) => (i === pays.length - 1 ? { ...p, cents: p.cents - fee } : p));
        break;
      }
      case 'discount': {
        const d = Math.floor(total * 0.02);
        amount = total - d;
        remittance += ' abzgl. 2% Skonto';
        pays = pays.map((p, i) => (i === pays.length - 1 ? { ...p, cents: p.cents - d } : p));
        break;
      }
      case 'overpay':
        amount = total + 100 * (1 + rng.int(200));
        break;
    }
    // Foreign currency: converted by the bank into the EUR account, the instructed amount kept.
    if (currency !== 'EUR' && rng.chance(mess.fx)) {
      const rate = rates.get(currency) ?? 1;
      emit(customerId, pays, {
        amount: Math.round(amount / rate),
        currency: 'EUR',
        remittance,
        kind: `${kind}+fx`,
        instructed: { cents: amount, currency },
        ...(charges !== undefined ? { charges: Math.round(charges / rate) } : {}),
      });
      return;
    }
    emit(customerId, pays, {
      amount,
      currency,
      remittance,
      kind,
      ...(charges !== undefined ? { charges } : {}),
    });
  };
  for (const [customerId, open] of byCustomer) {
    const queue = [...open];
    while (queue.length > 0) {
      const r = rng.next();
      let acc = 0;
      const pick = (p: number) => r < (acc += p);
      if ((pick(mess.bundleWithRefs) || pick(mess.bundleNoRefs)) && queue.length >= 2) {
        const n = Math.min(queue.length, 2 + rng.int(3));
        const same = queue.filter((it) => it.currency === queue[0]!.currency).slice(0, n);
        for (const it of same) queue.splice(queue.indexOf(it), 1);
        pay(customerId, same, r < mess.bundleWithRefs ? 'bundle_refs' : 'bundle_no_refs');
        continue;
      }
      const it = queue.shift()!;
      if (pick(mess.partial) && it.openCents >= 200) {
        const first = Math.round(it.openCents * (0.3 + rng.next() * 0.4));
        emit(customerId, [{ invoiceId: it.invoiceId, cents: first }], {
          amount: first,
          currency: it.currency,
          remittance: `${rng.pick(PHRASES)} ${it.invoiceId} ${rng.pick(['Teilzahlung', 'partial', '1/2'])}`,
          kind: 'partial',
        });
        emit(customerId, [{ invoiceId: it.invoiceId, cents: it.openCents - first }], {
          amount: it.openCents - first,
          currency: it.currency,
          remittance: `${rng.pick(PHRASES)} ${it.invoiceId} ${rng.pick(['Rest', 'balance', '2/2'])}`,
          kind: 'partial',
        });
        continue;
      }
      const kinds: [string, number][] = [
        ['noisy_ref', mess.noisyRef],
        ['typo', mess.typo],
        ['no_ref', mess.noRef],
        ['wrong_ref', mess.wrongRef],
        ['fee', mess.fee],
        ['discount', mess.discount],
        ['overpay', mess.overpay],
      ];
      let kind = 'clean';
      for (const [k, p] of kinds) if (pick(p)) kind = kind === 'clean' ? k : kind;
      pay(customerId, [it], kind);
    }
  }
  const customerLines = out.length;
  for (let i = 0; i < Math.round(customerLines * mess.nonCustomer); i++) {
    emit(null, [], {
      amount: 100 * (10 + rng.int(5000)),
      currency: 'EUR',
      remittance: rng.pick(['Erstattung', 'Zinsgutschrift', 'Umbuchung', 'Refund premium', '']),
      kind: 'non_customer',
    });
  }
  // Partial payments come in two lines: the second after the first.
  const sorted = out.sort((a, b) =>
    a.line.bookingDate === b.line.bookingDate
      ? a.line.position - b.line.position
      : a.line.bookingDate < b.line.bookingDate
        ? -1
        : 1,
  );
  const dups = Math.round(sorted.length * mess.duplicate);
  const withDups = [...sorted];
  for (let i = 0; i < dups; i++) {
    const orig = sorted[rng.int(sorted.length)]!;
    withDups.push({ ...orig, duplicate: true });
  }
  return withDups;
}

const WORDS =
  'Alpen Rhein Hansa Nord Sakura Fuji Lion Marina Atlas Orion Delta Nova Apex Summit Harbor Cedar Falcon Vertex'.split(
    ' ',
  );
const TRADES =
  'Maschinenbau Logistics Trading Electronics Engineering 製作所 Systems Medical Chemicals Foods'.split(' ');
const FORMS = ['GmbH', 'AG', 'Ltd.', 'Pte. Ltd.', 'Inc.', 'S.A.', '株式会社'];

/** A ledger of `invoices` open invoices over `customerCount` customers, for throughput runs. */
export function syntheticLedger(
  seed: number,
  customerCount: number,
  invoices: number,
): { items: OpenItem[]; customers: CustomerInfo[] } {
  const rng = new SeededRandom(seed, 7);
  const currencies = ['EUR', 'EUR', 'EUR', 'USD', 'JPY', 'GBP'];
  const customers: CustomerInfo[] = [];
  const currencyOf: string[] = [];
  for (let i = 0; i < customerCount; i++) {
    const form = rng.pick(FORMS);
    const core = `${rng.pick(WORDS)} ${rng.pick(TRADES)} ${i}`;
    customers.push({
      customerId: `C${String(i + 1).padStart(6, '0')}`,
      name: form === '株式会社' ? `${core}${form}` : `${core} ${form}`,
    });
    currencyOf.push(rng.pick(currencies));
  }
  const items: OpenItem[] = [];
  for (let i = 0; i < invoices; i++) {
    const c = rng.int(customerCount);
    const currency = currencyOf[c]!;
    const cents =
      currency === 'JPY' ? 100 * 1000 * (10 + rng.int(2000)) : 100 * (50 + rng.int(20000)) + rng.int(100);
    const day = 1 + rng.int(28);
    items.push({
      invoiceId: `INV-${String(i + 1).padStart(7, '0')}`,
      customerId: customers[c]!.customerId,
      openCents: cents,
      currency,
      documentDate: `2026-05-${String(day).padStart(2, '0')}`,
      dueDate: `2026-06-${String(day).padStart(2, '0')}`,
    });
  }
  return { items, customers };
}
