/**
 * Cash application through the real entry point, end to end: a small ledger ingested and built;
 * a camt.053, an MT940, a CSV (Sparkasse profile) and a camt.054 statement imported with `arlens
 * bank import`; the sure matches applied, the rest listed for review; a decision from the shell;
 * `arlens bank publish` loads the decided lines as payments and applications through the ingest and
 * rebuilds: the warehouse shows the receipts, the paid invoices are closed and leave dunning, and the
 * unapplied cash sits on its customer.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEDGER_CUSTOMERS, LEDGER_INVOICES } from './ledger.ts';
import {
  cliArgs,
  CUSTOMERS_HEADER,
  INVOICES_HEADER,
  published,
  ROOT,
  tempDir,
  writeText,
} from '../helpers.ts';

const FIX = join(import.meta.dirname, 'fixtures');
let root: string;
let cfg: string;
let wh: string;

async function arlens(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, cliArgs('-c', cfg, ...args), {
      cwd: ROOT,
      timeout: 240_000,
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

beforeAll(async () => {
  root = await tempDir('arlens-bank-cli-');
  wh = join(root, 'data', 'warehouse');
  cfg = await writeText(root, 'arlens.config.yaml', `warehouse: ${wh}\nas_of: 2026-06-30\n`);
  const exports = join(root, 'exports');
  await fs.mkdir(exports);
  await writeText(exports, 'customers.csv', [CUSTOMERS_HEADER, ...LEDGER_CUSTOMERS].join('\n'));
  await writeText(exports, 'invoices.csv', [INVOICES_HEADER, ...LEDGER_INVOICES].join('\n'));
  expect((await arlens('ingest', exports)).code).toBe(0);
  expect((await arlens('build')).code).toBe(0);
}, 300_000);
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('arlens bank', () => {
  it('imports the three formats, matches, takes a decision, publishes into the warehouse', async () => {
    const dunningBefore = await published(
      wh,
      "SELECT invoice_id, dunning_level FROM marts.fct_invoices WHERE invoice_id IN ('INV-0000101', 'INV-0000105') ORDER BY 1",
    );
    expect(dunningBefore.every((r) => Number(r['dunning_level']) >= 3)).toBe(true);

    const camt = await arlens('bank', 'import', join(FIX, 'camt053-v08.xml'), join(FIX, 'camt054-v02.xml'));
    expect(camt.err).toBe('');
    expect(camt.out).toMatch(
      /camt053-v08\.xml \(camt\.053\): 5 line\(s\) read, 5 new, 0 already imported, 1 quarantined/,
    );
    expect(camt.out).toMatch(/quarantined: camt\.053 entry \d+: CdtDbtInd must be CRDT or DBIT/);
    const mt = await arlens('bank', 'import', join(FIX, 'mt940.sta'));
    expect(mt.out).toMatch(/mt940\.sta \(mt940\): 4 line\(s\) read, 4 new/);
    const csv = await arlens('bank', 'import', '--csv-profile', 'sparkasse-camt', join(FIX, 'sparkasse.csv'));
    expect(csv.out).toMatch(
      /sparkasse\.csv \(csv\): 2 line\(s\) read, 2 new, 0 already imported, 2 quarantined/,
    );
    expect(csv.out).toMatch(/applied automatically/);
    const again = await arlens('bank', 'import', join(FIX, 'camt053-v08.xml'));
    expect(again.out).toMatch(/5 line\(s\) read, 0 new, 5 already imported/);

    const applied = JSON.parse((await arlens('bank', 'list', '--status', 'applied', '--json')).out) as {
      applications: { invoiceId: string }[];
    }[];
    expect(applied.flatMap((l) => l.applications.map((a) => a.invoiceId)).sort()).toEqual([
      'INV-0000101',
      'INV-0000102',
      'INV-0000103',
      'INV-0000104',
      'INV-0000105',
      'INV-0000106',
    ]);
    const review = JSON.parse((await arlens('bank', 'list', '--json')).out) as {
      id: number;
      version: number;
      currency: string;
      proposals: { customerId: string; rule: string }[];
    }[];
    const jp = review.find((l) => l.currency === 'JPY')!;
    expect(jp.proposals[0]).toMatchObject({ customerId: 'C5', rule: 'amount_only' });
    expect(
      (await arlens('bank', 'decide', String(jp.id), '--version', String(jp.version), '--accept', '0')).out,
    ).toMatch(/is now applied \(customer C5\)/);
    const stale = await arlens(
      'bank',
      'decide',
      String(jp.id),
      '--version',
      String(jp.version),
      '--reject',
      'x',
    );
    expect(stale.code).toBe(1);
    expect(stale.err).toMatch(/changed since you opened it/);
    const weber = review.find((l) => l.proposals[0]?.customerId === 'C6')!;
    expect(
      (
        await arlens(
          'bank',
          'decide',
          String(weber.id),
          '--version',
          String(weber.version),
          '--unapplied',
          '--customer',
          'C6',
        )
      ).code,
    ).toBe(0);

    // Bad input gets a clear error and changes nothing.
    const bad: [string[], RegExp][] = [
      [
        [
          'bank',
          'decide',
          String(weber.id),
          '--version',
          '0',
          '--split',
          'INV-0000109=abc',
          '--customer',
          'C6',
        ],
        /is not INVOICE=AMOUNT/,
      ],
      [
        ['bank', 'decide', String(weber.id), '--version', '0', '--accept', '0', '--reject', 'x'],
        /exactly one of/,
      ],
      [['bank', 'decide', 'abc', '--version', '0', '--reject', 'x'], /No bank line/],
      [['bank', 'import', join(root, 'missing.xml')], /ENOENT|no such file/],
      [
        ['bank', 'import', '--auto-threshold', '2', join(FIX, 'mt940.sta')],
        /auto-threshold must be a number/,
      ],
      [
        ['bank', 'import', '--csv-profile', '../../etc/passwd', join(FIX, 'sparkasse.csv')],
        /unknown CSV profile/,
      ],
    ];
    for (const [args, message] of bad) {
      const r = await arlens(...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(message);
    }

    const out = join(root, 'erp');
    const pub = await arlens('bank', 'publish', '--out', out);
    expect(pub.code, pub.out).toBe(0);
    expect(pub.out).toMatch(/Published \d+ payment\(s\) and 7 application\(s\)/);
    expect(await fs.readFile(join(out, 'payment_applications_bank.csv'), 'utf8')).toMatch(
      /^receipt_id,invoice_id,applied_date,applied_amount\n/,
    );

    const invoices = await published(
      wh,
      'SELECT invoice_id, open_amount::VARCHAR AS open_amount, dunning_level FROM marts.fct_invoices ORDER BY 1',
    );
    const byId = Object.fromEntries(invoices.map((r) => [r['invoice_id'], r]));
    for (const id of [
      'INV-0000101',
      'INV-0000102',
      'INV-0000103',
      'INV-0000105',
      'INV-0000106',
      'INV-0000108',
    ]) {
      expect(byId[id]).toMatchObject({ open_amount: '0.00', dunning_level: 0 });
    }
    expect(byId['INV-0000104']!['open_amount']).toBe('10.00'); // the bank fee the payer deducted stays open
    expect(byId['INV-0000109']!['open_amount']).toBe('300.00');
    const payments = await published(
      wh,
      "SELECT receipt_id, customer_id, unapplied_amount::VARCHAR AS unapplied FROM marts.fct_payments WHERE receipt_id LIKE 'BANK-%' ORDER BY 1",
    );
    expect(payments.find((p) => p['customer_id'] === 'C6')).toMatchObject({ unapplied: '300.00' });
    expect((await arlens('bank', 'publish')).out).toMatch(/Nothing to publish/);
  }, 600_000);
});
