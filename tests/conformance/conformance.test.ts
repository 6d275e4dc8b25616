/**
 * Ledger conformance: the scenarios in scenarios/*.yaml, written in the style of an ERP's own
 * accounts-receivable report tests (ERPNext's test_accounts_receivable.py), each with the expected
 * per-invoice paid / credited / written-off / outstanding amounts, aging, and the customer's gross
 * AR, unapplied cash, unallocated credits and net balance written down before the code ran.
 *
 * Every scenario is one customer of one ledger: `arlens ingest` and `arlens build` (the CLI, in a
 * child process) load and build it as of 2026-03-31, and the answers are read through Cube as a CFO.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import cube from '@cubejs-client/core';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../cube/security.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { canonicalHeader, cliArgs, ROOT, TEST_SECRET, tempDir } from '../helpers.ts';

const AS_OF = '2026-03-31';
const SCENARIOS = join(import.meta.dirname, 'scenarios');
/** Scenario files, read at collection time so each is a test of its own. */
const FILES = (await fs.readdir(SCENARIOS)).filter((f) => f.endsWith('.yaml')).sort();

interface Scenario {
  file: string;
  name: string;
  customer: { id: string; currency: string; terms: number };
  invoices?: { id: string; issue: string; due: string; amount: string }[];
  payments?: { id: string; date: string; amount: string; applied?: Record<string, string> }[];
  credit_memos?: { id: string; date: string; amount: string; invoice?: string }[];
  write_offs?: { id: string; invoice: string; date: string; amount: string }[];
  fx_rates?: { date: string; from: string; rate: string }[];
  expect: {
    invoices: Record<
      string,
      {
        paid: string;
        credited: string;
        written_off: string;
        outstanding: string;
        outstanding_rc?: string;
        invoiced_rc?: string;
        days_past_due: number | null;
        aging_bucket: string | null;
      }
    >;
    customer: {
      gross_ar: string;
      unapplied_cash: string;
      unallocated_credits: string;
      net_ar: string;
      in_credit: boolean;
    };
  };
}

const scenarios: Scenario[] = [];
let root: string;
let server: RunningServer;
let token: string;

function exportsOf(all: readonly Scenario[]): Record<string, string[]> {
  const entities = [
    'customers',
    'invoices',
    'payments',
    'payment_applications',
    'credit_memos',
    'write_offs',
    'fx_rates',
  ] as const;
  const files: Record<string, string[]> = Object.fromEntries(entities.map((e) => [e, [canonicalHeader(e)]]));
  const add = (entity: string, ...fields: string[]) => files[entity]!.push(fields.join(','));
  for (const s of all) {
    const c = s.customer;
    add(
      'customers',
      c.id,
      `Conformance ${c.id}`,
      'EMEA',
      'DE',
      '',
      '',
      '',
      '',
      '',
      String(c.terms),
      c.currency,
      'active',
    );
    for (const i of s.invoices ?? [])
      add('invoices', i.id, c.id, i.issue, i.due, i.amount, c.currency, 'Services', '', '', '');
    for (const p of s.payments ?? []) {
      add('payments', p.id, c.id, p.date, p.amount, c.currency, 'bank_transfer', '');
      for (const [invoice, amount] of Object.entries(p.applied ?? {}))
        add('payment_applications', p.id, invoice, p.date, amount);
    }
    for (const m of s.credit_memos ?? [])
      add('credit_memos', m.id, c.id, m.invoice ?? '', m.date, m.amount, c.currency, '');
    for (const w of s.write_offs ?? [])
      add('write_offs', w.id, w.invoice, c.id, w.date, w.amount, c.currency, '');
    for (const r of s.fx_rates ?? []) add('fx_rates', r.date, r.from, 'USD', r.rate);
  }
  return files;
}

async function cli(...args: string[]): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, cliArgs(...args), {
    cwd: ROOT,
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}

beforeAll(async () => {
  for (const file of FILES) {
    scenarios.push({
      file,
      ...(parseYaml(await fs.readFile(join(SCENARIOS, file), 'utf8')) as Omit<Scenario, 'file'>),
    });
  }
  root = await tempDir('arlens-conformance-');
  const exports = join(root, 'exports');
  await fs.mkdir(exports);
  for (const [entity, lines] of Object.entries(exportsOf(scenarios))) {
    await fs.writeFile(join(exports, `${entity}.csv`), `${lines.join('\n')}\n`);
  }
  const wh = join(root, 'wh');
  const loaded = await cli('-w', wh, 'ingest', exports, '--profile', 'canonical');
  // Every row loads: the quarantined column (the fifth) of each file's line reads 0.
  const quarantined = loaded
    .split('\n')
    .filter((l) => /^\S+\.csv\s/.test(l))
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols[4] !== '0');
  expect(quarantined).toEqual([]);
  await cli('-w', wh, 'build', '--vars', `{as_of_date: ${AS_OF}}`);
  server = await startServer({ warehouseDir: wh, host: '127.0.0.1', port: 0, apiSecret: TEST_SECRET });
  token = await signToken(TEST_SECRET, { role: 'cfo' });
}, 300_000);

afterAll(async () => {
  await server?.close();
  await fs.rm(root, { recursive: true, force: true });
});

type Row = Record<string, string | number | boolean | null>;

async function load(query: object): Promise<Row[]> {
  const api = cube(token, { apiUrl: `${server.url}cubejs-api/v1` });
  return (await api.load(query)).rawData() as Row[];
}

const money = (v: unknown) => (v === null || v === undefined ? null : Number(v).toFixed(2));

describe('ledger conformance scenarios (through the CLI and Cube)', () => {
  it('has scenarios to run', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(10);
  });

  it.each(FILES)('%s', async (file) => {
    const s = scenarios.find((x) => x.file === file)!;
    const ids = Object.keys(s.expect.invoices);
    if (ids.length > 0) {
      const rows = await load({
        dimensions: [
          'analyst.invoice_id',
          'analyst.paid_amount_document',
          'analyst.credited_amount_document',
          'analyst.written_off_amount_document',
          'analyst.open_amount_document',
          'analyst.days_past_due',
          'analyst.aging_bucket',
        ],
        measures: ['analyst.open_amount', 'analyst.invoiced'],
        filters: [{ member: 'analyst.invoice_id', operator: 'equals', values: ids }],
      });
      const got = Object.fromEntries(
        rows.map((r) => [
          String(r['analyst.invoice_id']),
          {
            paid: money(r['analyst.paid_amount_document']),
            credited: money(r['analyst.credited_amount_document']),
            written_off: money(r['analyst.written_off_amount_document']),
            outstanding: money(r['analyst.open_amount_document']),
            outstanding_rc: money(r['analyst.open_amount']),
            invoiced_rc: money(r['analyst.invoiced']),
            days_past_due: r['analyst.days_past_due'] === null ? null : Number(r['analyst.days_past_due']),
            aging_bucket: r['analyst.aging_bucket'] ?? null,
          },
        ]),
      );
      for (const [id, want] of Object.entries(s.expect.invoices)) {
        expect(got[id], `${s.name}: invoice ${id}`).toMatchObject(want);
      }
    }
    const [ledger] = await load({
      measures: [
        'ledger.gross_ar',
        'ledger.unapplied_cash',
        'ledger.unallocated_credits',
        'ledger.net_ar',
        'ledger.customers_in_credit',
      ],
      filters: [{ member: 'ledger.customer_id', operator: 'equals', values: [s.customer.id] }],
    });
    const c = s.expect.customer;
    expect(
      {
        gross_ar: money(ledger?.['ledger.gross_ar'] ?? 0),
        unapplied_cash: money(ledger?.['ledger.unapplied_cash'] ?? 0),
        unallocated_credits: money(ledger?.['ledger.unallocated_credits'] ?? 0),
        net_ar: money(ledger?.['ledger.net_ar'] ?? 0),
        in_credit: Number(ledger?.['ledger.customers_in_credit'] ?? 0) > 0,
      },
      `${s.name}: the customer's ledger`,
    ).toEqual(c);
  });

  it('the ledger adds up: net AR = gross AR - unapplied cash - unallocated credits (+ overpaid invoices)', async () => {
    const [all] = await load({
      measures: ['ledger.gross_ar', 'ledger.unapplied_cash', 'ledger.unallocated_credits', 'ledger.net_ar'],
    });
    const sum = scenarios.reduce((t, s) => t + Number(s.expect.customer.net_ar), 0);
    expect(money(all!['ledger.net_ar'])).toBe(sum.toFixed(2));
    expect(
      money(
        Number(all!['ledger.gross_ar']) -
          Number(all!['ledger.unapplied_cash']) -
          Number(all!['ledger.unallocated_credits']),
      ),
    ).toBe(money(all!['ledger.net_ar']));
  });
});
