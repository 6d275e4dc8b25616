import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTRACT, CURRENCIES, ENTITY_NAMES, type EntityName } from '../contract.ts';
import { civilFromDays, daysFromCivil, formatDay, parseDay } from '../../core/calendar.ts';
import { generateDemo, type DemoOptions, type DemoSummary } from './generate.ts';

const AS_OF = '2025-06-30';
const INVOICES = 2000;
const SEED = 11;

type Field =
  | 'customer_id'
  | 'customer_name'
  | 'region'
  | 'country'
  | 'segment'
  | 'industry'
  | 'salesperson'
  | 'credit_controller'
  | 'credit_limit'
  | 'payment_terms_days'
  | 'currency'
  | 'status'
  | 'invoice_id'
  | 'issue_date'
  | 'due_date'
  | 'amount'
  | 'product_line'
  | 'sales_order_id'
  | 'shipment_batch'
  | 'receipt_id'
  | 'payment_date'
  | 'method'
  | 'bank_reference'
  | 'applied_date'
  | 'applied_amount'
  | 'credit_memo_id'
  | 'memo_date'
  | 'reason'
  | 'write_off_id'
  | 'write_off_date'
  | 'dispute_id'
  | 'opened_date'
  | 'resolved_date'
  | 'disputed_amount'
  | 'activity_id'
  | 'activity_date'
  | 'activity_type'
  | 'owner'
  | 'outcome'
  | 'promised_date'
  | 'promised_amount'
  | 'note'
  | 'order_date'
  | 'requested_delivery_date'
  | 'open_amount'
  | 'rate_date'
  | 'from_currency'
  | 'to_currency'
  | 'rate';
/** A parsed row; a field the entity does not have reads as undefined at run time, never used so. */
type Row = Readonly<Record<Field, string>>;

/** RFC 4180 parser (quoted fields, doubled quotes, embedded commas and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) throw new Error('file does not end with a newline');
  return rows;
}

const day = (iso: string): number => parseDay(iso);
const cents = (money: string): number => Math.round(Number(money) * 100);
/** Rough USD value, enough to compare product lines. */
const USD: Record<string, number> = { USD: 1, EUR: 1.08, GBP: 1.27, JPY: 0.0068, SGD: 0.74, AUD: 0.66 };
const usd = (money: string, currency: string): number => Number(money) * (USD[currency] ?? NaN);

async function readDir(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const f of (await readdir(dir)).sort()) files.set(f, await readFile(join(dir, f)));
  return files;
}

let root = '';
let dir = '';
let summary: DemoSummary;
let progress: [number, number][] = [];
const data = {} as Record<EntityName, Row[]>;
const raw = new Map<string, string>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'arlens-demo-'));
  dir = join(root, 'a');
  progress = [];
  summary = await generateDemo({
    seed: SEED,
    invoices: INVOICES,
    asOf: AS_OF,
    outDir: dir,
    onProgress: (done, total) => progress.push([done, total]),
  });
  for (const e of ENTITY_NAMES) {
    const text = await readFile(join(dir, `${e}.csv`), 'utf8');
    raw.set(e, text);
    const [header, ...rows] = parseCsv(text);
    data[e] = rows.map((r) => Object.fromEntries((header ?? []).map((h, i) => [h, r[i] ?? ''])) as Row);
  }
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('day arithmetic', () => {
  it('matches the proleptic Gregorian calendar, independent of the process time zone', () => {
    // Years 1..9999 (outside them toISOString switches to expanded years).
    for (let d = daysFromCivil(1, 1, 1); d <= daysFromCivil(9999, 12, 31); d += 997) {
      expect(formatDay(d)).toBe(new Date(d * 86_400_000).toISOString().slice(0, 10));
      expect(parseDay(formatDay(d))).toBe(d);
    }
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(formatDay(daysFromCivil(2024, 2, 29))).toBe('2024-02-29');
    expect(civilFromDays(daysFromCivil(2000, 3, 1) - 1)).toEqual([2000, 2, 29]);
    expect(() => parseDay('2023-02-29')).toThrow(/not a calendar date/);
    expect(() => parseDay('30.06.2025')).toThrow(/YYYY-MM-DD/);
  });
});

describe('generateDemo', () => {
  it('is deterministic: same options give identical bytes, another seed differs', async () => {
    const again = join(root, 'b');
    const other = join(root, 'c');
    await generateDemo({ seed: SEED, invoices: INVOICES, asOf: AS_OF, outDir: again });
    await generateDemo({ seed: SEED + 1, invoices: INVOICES, asOf: AS_OF, outDir: other });
    const [a, b, c] = await Promise.all([readDir(dir), readDir(again), readDir(other)]);
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [name, bytes] of a) expect(b.get(name)?.equals(bytes), name).toBe(true);
    expect([...a].some(([name, bytes]) => !c.get(name)?.equals(bytes))).toBe(true);
    expect(c.get('invoices.csv')?.equals(a.get('invoices.csv') as Buffer)).toBe(false);
  });

  it('writes one file per entity with exactly the contract header, UTF-8 without BOM, \\n endings', async () => {
    expect((await readdir(dir)).sort()).toEqual(ENTITY_NAMES.map((e) => `${e}.csv`).sort());
    for (const e of ENTITY_NAMES) {
      const text = raw.get(e) as string;
      expect(text.charCodeAt(0), e).not.toBe(0xfeff);
      expect(text.includes('\r'), e).toBe(false);
      expect(text.endsWith('\n'), e).toBe(true);
      expect(text.slice(0, text.indexOf('\n')), e).toBe(CONTRACT[e].fields.map((f) => f.name).join(','));
    }
  });

  it('writes every field in the contract type (dates, 2-decimal money, enums, currencies, required)', () => {
    for (const e of ENTITY_NAMES) {
      const header = CONTRACT[e].fields.length;
      const [, ...rows] = parseCsv(raw.get(e) as string);
      for (const r of rows) expect(r.length, e).toBe(header);
      for (const row of data[e]) {
        for (const f of CONTRACT[e].fields) {
          const v = (row as Readonly<Record<string, string | undefined>>)[f.name] ?? '';
          const where = `${e}.${f.name}=${JSON.stringify(v)}`;
          if (v === '') {
            expect(f.required, where).toBe(false);
            continue;
          }
          if (f.type === 'date') expect(formatDay(day(v)), where).toBe(v);
          if (f.type === 'money') {
            expect(v, where).toMatch(/^\d+\.\d{2}$/);
            if (f.min?.exclusive) expect(Number(v), where).toBeGreaterThan(0);
          }
          if (f.type === 'rate') expect(v, where).toMatch(/^\d+\.\d{1,8}$/);
          if (f.type === 'integer') expect(v, where).toMatch(/^\d+$/);
          if (f.type === 'currency') expect(CURRENCIES.has(v), where).toBe(true);
          if (f.type === 'country') expect(v, where).toMatch(/^[A-Z]{2}$/);
          if (f.type === 'enum') expect(f.values, where).toContain(v);
        }
      }
    }
  });

  it('reports sensible counts, the date range and progress', () => {
    const c = summary.counts;
    for (const e of ENTITY_NAMES) expect(c[e], e).toBe(data[e].length);
    expect(c.invoices).toBe(INVOICES);
    expect(c.customers).toBe(80);
    expect(c.payments).toBeGreaterThan(0.85 * INVOICES);
    expect(c.payment_applications).toBeGreaterThanOrEqual(c.payments);
    expect(c.credit_memos).toBeGreaterThan(0.015 * INVOICES);
    expect(c.credit_memos).toBeLessThan(0.06 * INVOICES);
    expect(c.disputes).toBeGreaterThan(0.025 * INVOICES);
    expect(c.disputes).toBeLessThan(0.08 * INVOICES);
    expect(c.write_offs).toBeGreaterThan(0);
    expect(c.collection_activities).toBeGreaterThan(0.2 * INVOICES);
    expect(c.sales_orders).toBeGreaterThan(0);
    expect(summary.dateRange).toEqual({ from: '2022-07-01', to: AS_OF });
    expect(summary.story.length).toBeGreaterThanOrEqual(3);
    expect(progress.at(-1)).toEqual([INVOICES, INVOICES]);
  });

  it('keeps references, currencies and dates consistent', () => {
    const asOf = day(AS_OF);
    const customers = new Map(data.customers.map((c) => [c.customer_id, c]));
    const invoices = new Map(data.invoices.map((i) => [i.invoice_id, i]));
    const payments = new Map(data.payments.map((p) => [p.receipt_id, p]));
    expect(customers.size).toBe(data.customers.length);
    expect(invoices.size).toBe(data.invoices.length);
    expect(payments.size).toBe(data.payments.length);

    let previousIssue = '';
    for (const i of data.invoices) {
      const c = customers.get(i.customer_id);
      expect(c, i.invoice_id).toBeDefined();
      expect(i.currency).toBe(c?.currency);
      expect(day(i.due_date)).toBeGreaterThanOrEqual(day(i.issue_date));
      expect(day(i.issue_date)).toBeLessThanOrEqual(asOf);
      expect(i.issue_date >= previousIssue).toBe(true);
      previousIssue = i.issue_date;
    }
    const paid = new Map<string, number>();
    for (const a of data.payment_applications) {
      const p = payments.get(a.receipt_id);
      const i = invoices.get(a.invoice_id);
      expect(p && i, `${a.receipt_id} ${a.invoice_id}`).toBeTruthy();
      expect(a.applied_date).toBe(p?.payment_date);
      expect(p?.customer_id).toBe(i?.customer_id);
      expect(p?.currency).toBe(i?.currency);
      expect(a.applied_date > (i?.issue_date ?? '')).toBe(true);
      paid.set(a.receipt_id, (paid.get(a.receipt_id) ?? 0) + cents(a.applied_amount));
    }
    for (const p of data.payments) {
      expect(paid.get(p.receipt_id), p.receipt_id).toBe(cents(p.amount));
      expect(day(p.payment_date)).toBeLessThanOrEqual(asOf);
    }
    for (const e of ['credit_memos', 'write_offs', 'disputes'] as const) {
      for (const r of data[e]) {
        const i = invoices.get(r.invoice_id);
        expect(i, `${e} ${r.invoice_id}`).toBeDefined();
        expect(r.customer_id).toBe(i?.customer_id);
        expect(r.currency).toBe(i?.currency);
      }
    }
    for (const m of data.credit_memos) {
      expect(m.memo_date > (invoices.get(m.invoice_id)?.issue_date ?? '')).toBe(true);
      expect(day(m.memo_date)).toBeLessThanOrEqual(asOf);
    }
    for (const d of data.disputes) {
      const i = invoices.get(d.invoice_id) as Row;
      expect(cents(d.disputed_amount)).toBeLessThanOrEqual(cents(i.amount));
      expect(d.opened_date > i.issue_date).toBe(true);
      expect(day(d.opened_date)).toBeLessThanOrEqual(asOf);
      expect(d.status === 'open').toBe(d.resolved_date === '');
      if (d.resolved_date) {
        expect(d.resolved_date >= d.opened_date).toBe(true);
        expect(day(d.resolved_date)).toBeLessThanOrEqual(asOf);
      }
    }
    for (const a of data.collection_activities) {
      expect(customers.has(a.customer_id)).toBe(true);
      expect(invoices.get(a.invoice_id)?.customer_id).toBe(a.customer_id);
      expect(a.owner).toBe(customers.get(a.customer_id)?.credit_controller);
      expect(day(a.activity_date)).toBeLessThanOrEqual(asOf);
      if (a.outcome === 'promise_to_pay') {
        expect(a.promised_date > a.activity_date).toBe(true);
        expect(a.promised_amount).not.toBe('');
        expect(a.currency).toBe(invoices.get(a.invoice_id)?.currency);
      } else expect(a.promised_date + a.promised_amount + a.currency).toBe('');
    }
    for (const s of data.sales_orders) {
      const c = customers.get(s.customer_id);
      expect(c?.status).toBe('active');
      expect(s.currency).toBe(c?.currency);
      expect(asOf - day(s.order_date)).toBeGreaterThanOrEqual(0);
      expect(asOf - day(s.order_date)).toBeLessThanOrEqual(60);
      expect(s.requested_delivery_date > s.order_date).toBe(true);
      expect(invoices.size).toBeGreaterThan(0);
    }
    const soIds = new Set(data.invoices.map((i) => i.sales_order_id));
    for (const s of data.sales_orders) expect(soIds.has(s.sales_order_id)).toBe(false);
  });

  it('never settles more than the invoice amount, and collects only while an invoice is unpaid', () => {
    const invoices = new Map(data.invoices.map((i) => [i.invoice_id, i]));
    const settled = new Map<string, { day: number; cents: number }[]>();
    const add = (invoice: string, date: string, amount: string) => {
      const list = settled.get(invoice) ?? [];
      list.push({ day: day(date), cents: cents(amount) });
      settled.set(invoice, list);
    };
    for (const a of data.payment_applications) add(a.invoice_id, a.applied_date, a.applied_amount);
    for (const m of data.credit_memos) add(m.invoice_id, m.memo_date, m.amount);
    for (const w of data.write_offs) add(w.invoice_id, w.write_off_date, w.amount);
    let partial = 0;
    for (const [id, list] of settled) {
      const amount = cents((invoices.get(id) as Row).amount);
      const total = list.reduce((s, x) => s + x.cents, 0);
      expect(total, id).toBeLessThanOrEqual(amount);
      if (total < amount) partial++;
    }
    expect(partial).toBeGreaterThan(0);
    for (const a of data.collection_activities) {
      const amount = cents((invoices.get(a.invoice_id) as Row).amount);
      const before = (settled.get(a.invoice_id) ?? [])
        .filter((x) => x.day <= day(a.activity_date))
        .reduce((s, x) => s + x.cents, 0);
      expect(amount - before, a.activity_id).toBeGreaterThan(0);
      if (a.promised_amount) expect(cents(a.promised_amount)).toBe(amount - before);
    }
  });

  it('writes off only invoices more than 180 days past due, the remaining open amount', () => {
    const invoices = new Map(data.invoices.map((i) => [i.invoice_id, i]));
    const seen = new Set<string>();
    for (const w of data.write_offs) {
      const i = invoices.get(w.invoice_id) as Row;
      expect(day(w.write_off_date) - day(i.due_date), w.write_off_id).toBeGreaterThan(180);
      expect(day(w.write_off_date)).toBeLessThanOrEqual(day(AS_OF));
      expect(seen.has(w.invoice_id)).toBe(false);
      seen.add(w.invoice_id);
      expect(['insolvency', 'uncollectible']).toContain(w.reason);
    }
  });

  it('has several currencies, FX rates for every day and non-USD currency, and a varied customer master', () => {
    const currencies = new Set(data.invoices.map((i) => i.currency));
    expect(currencies.size).toBeGreaterThanOrEqual(2);
    expect(summary.currencies).toEqual([...new Set(data.customers.map((c) => c.currency))].sort());
    const nonUsd = summary.currencies.filter((c) => c !== 'USD');
    const days = day(AS_OF) - day(summary.dateRange.from) + 1;
    expect(data.fx_rates.length).toBe(days * nonUsd.length);
    for (const r of data.fx_rates) {
      expect(r.to_currency).toBe('USD');
      expect(nonUsd).toContain(r.from_currency);
    }
    const eur = data.fx_rates.filter((r) => r.from_currency === 'EUR').map((r) => Number(r.rate));
    if (eur.length > 0) {
      expect(Math.min(...eur)).toBeGreaterThan(0.9);
      expect(Math.max(...eur)).toBeLessThan(1.3);
    }

    const names = data.customers.map((c) => c.customer_name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => /[\u3040-\u30ff\u4e00-\u9fff]/.test(n)).length).toBeGreaterThanOrEqual(2);
    const jp = data.customers.filter((c) => c.country === 'JP');
    expect(jp.every((c) => c.currency === 'JPY' && c.region === 'APAC')).toBe(true);
    const script = data.customers.filter((c) => c.customer_name.includes('<script>'));
    const formula = data.customers.filter((c) => c.customer_name.startsWith('=HYPERLINK('));
    expect(script).toHaveLength(1);
    expect(formula).toHaveLength(1);
    expect([...script, ...formula].every((c) => c.status === 'active')).toBe(true);
    expect(raw.get('customers')).toContain('"=HYPERLINK(""http://example.invalid"",""x"") Ltd"');

    const statuses = new Set(data.customers.map((c) => c.status));
    expect(statuses).toContain('blocked');
    expect(statuses).toContain('blacklisted');
    expect(data.customers.filter((c) => c.status === 'active').length).toBeGreaterThan(
      0.9 * data.customers.length,
    );
    expect(data.customers.some((c) => c.credit_limit === '')).toBe(true);
    for (const r of ['EMEA', 'North America', 'LATAM', 'APAC']) {
      expect(data.customers.some((c) => c.region === r)).toBe(true);
    }
    for (const i of data.invoices) {
      if (i.currency === 'JPY') expect(i.amount.endsWith('.00')).toBe(true);
    }
  });

  it('plants the story: LATAM pays later in the last two quarters than in its first year', () => {
    const customers = new Map(data.customers.map((c) => [c.customer_id, c]));
    const invoices = new Map(data.invoices.map((i) => [i.invoice_id, i]));
    const from = day(summary.dateRange.from);
    const asOf = day(AS_OF);
    const late = (region: string, lo: number, hi: number): number => {
      let sum = 0;
      let n = 0;
      for (const a of data.payment_applications) {
        const i = invoices.get(a.invoice_id) as Row;
        if (customers.get(i.customer_id)?.region !== region) continue;
        const d = day(a.applied_date);
        if (d < lo || d > hi) continue;
        sum += d - day(i.due_date);
        n++;
      }
      expect(n).toBeGreaterThan(10);
      return sum / n;
    };
    const firstYear = late('LATAM', from, from + 364);
    const recent = late('LATAM', asOf - 182, asOf);
    expect(recent - firstYear).toBeGreaterThan(10);
    // Other regions stay flat.
    expect(Math.abs(late('EMEA', asOf - 182, asOf) - late('EMEA', from, from + 364))).toBeLessThan(8);
  });

  it('plants the story: Spare Parts write-offs spike in the last two quarters', () => {
    const invoices = new Map(data.invoices.map((i) => [i.invoice_id, i]));
    const asOf = day(AS_OF);
    const billed = { spare: 0, other: 0 };
    for (const i of data.invoices)
      billed[i.product_line === 'Spare Parts' ? 'spare' : 'other'] += usd(i.amount, i.currency);
    const writtenOff = { spare: 0, other: 0 };
    for (const w of data.write_offs) {
      if (day(w.write_off_date) < asOf - 182) continue;
      const line = (invoices.get(w.invoice_id) as Row).product_line;
      writtenOff[line === 'Spare Parts' ? 'spare' : 'other'] += usd(w.amount, w.currency);
    }
    const spareRate = writtenOff.spare / billed.spare;
    const otherRate = writtenOff.other / billed.other;
    expect(spareRate).toBeGreaterThan(0.005);
    expect(spareRate).toBeGreaterThan(4 * otherRate);
    // The spike is recent: most Spare Parts write-offs fall in the last two quarters.
    const spare = data.write_offs.filter((w) => invoices.get(w.invoice_id)?.product_line === 'Spare Parts');
    const recent = spare.filter((w) => day(w.write_off_date) >= asOf - 182);
    expect(recent.length).toBeGreaterThan(0.6 * spare.length);
  });

  it('plants seasonality: quarter-end months heavier than August', () => {
    const byMonth = new Map<string, number>();
    for (const i of data.invoices) {
      const m = i.issue_date.slice(5, 7);
      byMonth.set(m, (byMonth.get(m) ?? 0) + 1);
    }
    const quarterEnds = ['03', '06', '09', '12'].reduce((s, m) => s + (byMonth.get(m) ?? 0), 0) / 4;
    expect(quarterEnds).toBeGreaterThan(1.6 * (byMonth.get('08') ?? 0));
  });

  it('converts to another reporting currency and rejects bad options', async () => {
    const out = join(root, 'eur');
    const s = await generateDemo({
      seed: 3,
      invoices: 50,
      asOf: '2024-02-29',
      outDir: out,
      reportingCurrency: 'EUR',
    });
    expect(s.dateRange).toEqual({ from: '2021-03-01', to: '2024-02-29' });
    const [, ...rows] = parseCsv(await readFile(join(out, 'fx_rates.csv'), 'utf8'));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r[2] === 'EUR' && r[1] !== 'EUR')).toBe(true);
    expect(rows.some((r) => r[1] === 'USD')).toBe(true);
    const base = { seed: 1, invoices: 10, asOf: AS_OF, outDir: join(root, 'bad') };
    await expect(generateDemo({ ...base, asOf: '2025-02-30' })).rejects.toThrow(/calendar date/);
    await expect(generateDemo({ ...base, invoices: 0 })).rejects.toThrow(/invoice count/);
    await expect(generateDemo({ ...base, reportingCurrency: 'XYZ' })).rejects.toThrow(/reporting currency/);
  });
});

/**
 * Same seed, same bytes, pinned: a SHA-256 over every file written (name, length, bytes, in name
 * order) and the summary. A change here means the demo data changed for everyone (dashboards, tests,
 * screenshots): refactors must keep these hashes; a deliberate change to the data updates them.
 */
describe('pinned demo output', () => {
  const PINNED: readonly (Omit<DemoOptions, 'outDir'> & { what: string; sha256: string })[] = [
    {
      what: "npm start's demo",
      seed: 42,
      invoices: 20_000,
      asOf: '2026-06-30',
      sha256: '058f690694f82959ee9fabcde625974e9d28325449d23e2edadd3c216c8050b4',
    },
    {
      what: 'this file',
      seed: SEED,
      invoices: INVOICES,
      asOf: AS_OF,
      sha256: '24bdd7875aa5cb3ec3d377d0abac20e8085d657a211af4da42f402a47d2cefd5',
    },
    {
      what: 'EUR, leap day',
      seed: 3,
      invoices: 50,
      asOf: '2024-02-29',
      reportingCurrency: 'EUR',
      sha256: '80648c9fa0783b59f3500b80f4a7275f699ee3fdda871b851caf3de6a26f78ec',
    },
    {
      what: 'tests/cube, tests/models',
      seed: 5,
      invoices: 3000,
      asOf: '2026-06-30',
      sha256: '7fe3f4f7b53f2b6247fe866fc3b46660eaa4b69575f7a6d8696f39f6ab44e76c',
    },
    {
      what: 'tests/models incremental',
      seed: 9,
      invoices: 2500,
      asOf: '2026-06-30',
      sha256: '848cecb8b703a398dfa72058c87072f3061b01f5b3e918de2496133fc100da92',
    },
    {
      what: 'a seed above 2^32',
      seed: 2 ** 40 + 7,
      invoices: 300,
      asOf: '2026-06-30',
      sha256: '483f2991ea908e2b4dd9ebd6da52384f2aee0e916a70a4f1690b8d82ecae9364',
    },
    {
      what: 'a negative fractional seed',
      seed: -7.5,
      invoices: 300,
      asOf: '2026-06-30',
      sha256: 'c336c8d821a396fb6888a5356995636b3cd7e7364a63f973781e8e7f831e682e',
    },
  ];

  it.each(PINNED)('keeps the bytes of seed $seed, $invoices invoices as of $asOf ($what)', async (p) => {
    const { what: _what, sha256, ...options } = p;
    const out = join(root, `pinned-${PINNED.indexOf(p)}`);
    const { outDir: _outDir, ...rest } = await generateDemo({ ...options, outDir: out });
    const hash = createHash('sha256');
    for (const [name, bytes] of await readDir(out)) hash.update(`${name}\0${bytes.length}\0`).update(bytes);
    hash.update(JSON.stringify(rest));
    expect(hash.digest('hex')).toBe(sha256);
    await rm(out, { recursive: true, force: true });
  });
});
