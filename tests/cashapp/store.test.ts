/**
 * Cash application in the operational store: import deduplicates overlapping statements and
 * quarantines bad lines, matching applies only above the threshold, every decision is authorised by
 * role, audited, and safe when two people (two connections to the same file) decide at once.
 */
import { promises as fs, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOpsState } from '../../collections/dunning.store.ts';
import {
  CashAppError,
  decideLine,
  getLine,
  importStatement,
  lineCounts,
  listLines,
  loadMemory,
  publishable,
  refreshOpenItems,
  runMatching,
} from '../../cashapp/decisions.store.ts';
import { csvProfile, readStatement } from '../../cashapp/read.ts';
import { normaliseName } from '../../cashapp/normalise.ts';
import { listAudit, verifyAudit } from '../../ops/audit.ts';
import { openOpsStore, type OpsStore } from '../../ops/store.ts';
import { tempDir } from '../helpers.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name));
const ana = { id: 7, name: 'ana', address: '10.0.0.1' };
const ben = { id: 8, name: 'ben', address: '10.0.0.2' };

const OPEN = [
  ['INV-0000101', 'C1', 'Müller Maschinenbau GmbH', 119000, 'EUR'],
  ['INV-0000102', 'C1', 'Müller Maschinenbau GmbH', 50000, 'EUR'],
  ['INV-0000103', 'C2', 'Straits Trading Pte. Ltd.', 100000, 'USD'],
  ['INV-0000104', 'C3', 'Hansa Antriebstechnik AG', 100000, 'EUR'],
  ['INV-0000105', 'C4', 'Schneider Elektrotechnik GmbH', 100000, 'EUR'],
  ['INV-0000106', 'C4', 'Schneider Elektrotechnik GmbH', 75000, 'EUR'],
  ['INV-0000108', 'C5', '山田製作所株式会社', 33000000, 'JPY'],
  ['INV-0000109', 'C6', 'Weber KG', 30000, 'EUR'],
  ['INV-0000110', 'C6', 'Weber KG', 30000, 'EUR'],
] as const;

let dir: string;
let a: OpsStore;
let b: OpsStore;

function importFile(store: OpsStore, name: string, o: Parameters<typeof readStatement>[1] = {}) {
  const bytes = fixture(name);
  return importStatement(store, ana, 'credit_manager', { name, bytes }, readStatement(bytes, o));
}

beforeAll(async () => {
  dir = await tempDir('arlens-cashapp-store-');
  a = openOpsStore(join(dir, 'ops.sqlite'));
  b = openOpsStore(join(dir, 'ops.sqlite'));
  refreshOpenItems(
    a,
    OPEN.map(([invoiceId, customerId, customerName, openCents, currency]) => ({
      invoiceId,
      customerId,
      customerName,
      openCents,
      currency,
      documentDate: '2026-04-01',
      dueDate: '2026-05-01',
    })),
    [],
  );
});
afterAll(async () => {
  a.close();
  b.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('import', () => {
  it('adds new lines, skips them on re-import of an overlapping statement, keeps quarantined ones with reasons', () => {
    const first = importFile(a, 'camt053-v08.xml');
    expect(first).toMatchObject({ format: 'camt.053', read: 5, added: 5, duplicates: 0, quarantined: 1 });
    const again = importStatement(
      a,
      ana,
      'credit_manager',
      { name: 'next.xml', bytes: new Uint8Array([1]) },
      readStatement(
        Buffer.from(fixture('camt053-v08.xml').toString().replace('STMT-20260601-001', 'STMT-20260602-001')),
      ),
    );
    expect(again).toMatchObject({ read: 5, added: 0, duplicates: 5 });
    expect(importFile(a, 'mt940.sta')).toMatchObject({ added: 4, quarantined: 1 });
    expect(importFile(a, 'sparkasse.csv', { csvProfile: csvProfile('sparkasse-camt') })).toMatchObject({
      added: 2,
      quarantined: 2,
    });
    expect(importFile(a, 'camt054-v02.xml')).toMatchObject({ added: 1 });
    const q = a.db.prepare('SELECT reason FROM bank_quarantine ORDER BY rowid').all() as { reason: string }[];
    expect(q.map((r) => r.reason)).toEqual([
      expect.stringMatching(/CdtDbtInd/),
      expect.stringMatching(/CdtDbtInd/),
      expect.stringMatching(/MT940 line 4/),
      expect.stringMatching(/not a date/),
      expect.stringMatching(/not an amount/),
    ]);
    expect(lineCounts(a)).toMatchObject({ new: 10, outgoing: 2 });
  });

  it('refuses roles without the action, before writing anything', () => {
    for (const role of ['analyst', 'collector', 'cfo', 'admin', 'sales_lead'] as const) {
      expect(() =>
        importStatement(
          a,
          ana,
          role,
          { name: 'x', bytes: fixture('mt940.sta') },
          readStatement(fixture('mt940.sta')),
        ),
      ).toThrow(/may not import/);
    }
    expect(() => runMatching(a, ana, 'analyst')).toThrow(CashAppError);
  });
});

describe('matching and review', () => {
  it('applies what is sure and queues the rest, audited', () => {
    const r = runMatching(a, ana, 'credit_manager');
    expect(r.matched).toBe(10);
    const applied = listLines(a, { status: 'applied' });
    const invoices = applied.flatMap((l) => l.applications.map((x) => `${x.invoiceId}=${x.cents}`)).sort();
    expect(invoices).toEqual([
      'INV-0000101=119000',
      'INV-0000102=50000',
      'INV-0000103=100000',
      'INV-0000104=99000',
      'INV-0000105=100000',
      'INV-0000106=75000',
    ]);
    expect(r.autoApplied).toBe(applied.length);
    expect(r.review).toBe(10 - applied.length);
    expect(listAudit(a, { action: 'cashapp.auto_apply' } as never).length).toBeGreaterThanOrEqual(
      applied.length,
    );
    // The second MT940 payment of INV-0000101 (already applied above) waits for a person.
    const dup = listLines(a, { status: 'review' }).find((l) => l.remittance.includes('INV-0000101'));
    expect(dup).toBeDefined();
  });

  it('two people deciding the same line: the second is told it changed', () => {
    const weber = listLines(a, { status: 'review' }).find((l) => l.counterpartyName === 'Weber KG')!;
    expect(weber.proposals[0]).toMatchObject({ customerId: 'C6', rule: 'customer_amount' });
    const done = decideLine(a, ana, 'credit_manager', weber.id, weber.version, {
      kind: 'accept',
      proposal: 0,
    });
    expect(done).toMatchObject({ status: 'applied', decidedBy: 'ana' });
    expect(() =>
      decideLine(b, ben, 'credit_manager', weber.id, weber.version, { kind: 'unapplied', customerId: 'C6' }),
    ).toThrow(/changed since you opened it .*by ana/);
    expect(getLine(b, weber.id)!.applications).toHaveLength(1);
  });

  it('never applies more than is open, whoever comes second', () => {
    const dup = listLines(a, { status: 'review' }).find((l) => l.remittance.includes('INV-0000101'))!;
    expect(() =>
      decideLine(b, ben, 'credit_manager', dup.id, dup.version, {
        kind: 'split',
        customerId: 'C1',
        applications: [{ invoiceId: 'INV-0000101', cents: 100 }],
      }),
    ).toThrow(/is not open/);
    const unknown = listLines(a, { status: 'review' }).find((l) => l.amountCents === 7525)!;
    const bad: [Parameters<typeof decideLine>[5], RegExp][] = [
      [
        { kind: 'split', customerId: 'C6', applications: [{ invoiceId: 'INV-0000110', cents: 30001 }] },
        /30000|more/,
      ],
      [
        { kind: 'split', customerId: 'C6', applications: [{ invoiceId: 'INV-0000110', cents: -5 }] },
        /more than zero/,
      ],
      [
        { kind: 'split', customerId: 'C6', applications: [{ invoiceId: 'INV-0000110', cents: 0.5 }] },
        /more than zero/,
      ],
      [
        { kind: 'split', customerId: 'C1', applications: [{ invoiceId: 'INV-0000110', cents: 100 }] },
        /belongs to customer C6/,
      ],
      [
        {
          kind: 'split',
          customerId: 'C6',
          applications: [{ invoiceId: "x'); DROP TABLE bank_lines;--", cents: 100 }],
        },
        /not open/,
      ],
      [{ kind: 'split', customerId: 'C6', applications: [] }, /at least one/],
      [{ kind: 'unapplied', customerId: '<script>alert(1)</script>' }, /Unknown customer/],
      [{ kind: 'reject', reason: '   ' }, /Say why/],
      [{ kind: 'accept', proposal: 9 }, /No such proposal/],
    ];
    for (const [decision, message] of bad) {
      expect(() => decideLine(a, ana, 'credit_manager', unknown.id, unknown.version, decision)).toThrow(
        message,
      );
    }
    expect(() =>
      decideLine(a, ana, 'analyst', unknown.id, unknown.version, { kind: 'reject', reason: 'x' }),
    ).toThrow(/may not/);
    expect(() => decideLine(a, ana, 'credit_manager', 999999, 0, { kind: 'reject', reason: 'x' })).toThrow(
      /No bank line/,
    );
    expect(getLine(a, unknown.id)!.status).toBe('review');
    const split = decideLine(a, ana, 'credit_manager', unknown.id, unknown.version, {
      kind: 'split',
      customerId: 'C6',
      applications: [{ invoiceId: 'INV-0000110', cents: 7525 }],
    });
    expect(split.status).toBe('applied');
  });

  it('learns: the payer name of a confirmed line identifies the customer next time; audit chain holds', () => {
    const jp = listLines(a, { status: 'review' }).find((l) => l.currency === 'JPY')!;
    decideLine(a, ana, 'credit_manager', jp.id, jp.version, { kind: 'accept', proposal: 0 });
    const memory = loadMemory(a);
    expect(memory.names.get(normaliseName('ﾔﾏﾀﾞｾｲｻｸｼﾖ(ｶ'))).toEqual(new Map([['C5', 1]]));
    const dup = listLines(a, { status: 'review' }).find((l) => l.remittance.includes('INV-0000101'))!;
    decideLine(a, ana, 'credit_manager', dup.id, dup.version, { kind: 'unapplied', customerId: 'C1' });
    const rows = publishable(a);
    expect(
      rows.payments.find(
        (p) =>
          p.customer_id === 'C1' &&
          p.amount === '1190.00' &&
          !rows.applications.some((x) => x.receipt_id === p.receipt_id),
      ),
    ).toBeDefined();
    expect(rows.applications.find((x) => x.invoice_id === 'INV-0000103')).toMatchObject({
      applied_amount: '1000.00',
    });
    // Dunning sees the applied money at once, before publish: the same amounts, invoice by invoice.
    const received = readOpsState(a).cashApplied;
    for (const app of rows.applications)
      expect(received.get(app.invoice_id), app.invoice_id).toBeGreaterThanOrEqual(
        BigInt(app.applied_amount.replace('.', '')),
      );
    expect([...received.keys()].sort()).toEqual(
      [...new Set(rows.applications.map((x) => x.invoice_id))].sort(),
    );
    const actions = listAudit(a, {}).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'cashapp.import',
        'cashapp.match',
        'cashapp.auto_apply',
        'cashapp.accept',
        'cashapp.split',
        'cashapp.unapplied',
      ]),
    );
    expect(verifyAudit(a)).toMatchObject({ ok: true });
  });
});

describe('the open-item snapshot and the warehouse', () => {
  it('takes off the applications of lines the warehouse does not hold yet, whatever the order of refresh and build', () => {
    const applied = listLines(a, { status: 'applied' }).find((l) =>
      l.applications.some((x) => x.invoiceId === 'INV-0000105'),
    )!;
    const snapshot = (inWarehouse: number[], open105: number) =>
      refreshOpenItems(
        a,
        [
          {
            invoiceId: 'INV-0000105',
            customerId: 'C4',
            customerName: 'Schneider Elektrotechnik GmbH',
            openCents: open105,
            currency: 'EUR',
            documentDate: '2026-04-01',
            dueDate: '2026-05-01',
          },
        ],
        inWarehouse,
      );
    const dupe = (): string => {
      const r = importStatement(
        a,
        ana,
        'credit_manager',
        { name: 'again.csv', bytes: new Uint8Array([2]) },
        {
          format: 'csv',
          statementId: `again-${Math.random()}`,
          account: 'X',
          quarantined: [],
          lines: [
            {
              position: 1,
              account: 'X',
              bookingDate: '2026-06-05',
              valueDate: '2026-06-05',
              amountCents: 100000,
              currency: 'EUR',
              instructedCents: null,
              instructedCurrency: null,
              chargesCents: null,
              counterpartyName: '',
              counterpartyIban: '',
              remittance: 'INV-0000105',
              endToEndId: '',
              bankReference: `AGAIN-${Math.random()}`,
            },
          ],
        },
      );
      expect(r.added).toBe(1);
      runMatching(a, ana, 'credit_manager');
      const mine = a.db.prepare('SELECT status FROM bank_lines WHERE id = ?').get(lastLine()) as {
        status: string;
      };
      return mine.status;
    };
    const lastLine = () => (a.db.prepare('SELECT max(id) AS id FROM bank_lines').get() as { id: number }).id;
    // A warehouse built before the first line was published: 1000.00 open there, but this store
    // applied it, so a second payment of the invoice is not applied again: it waits for a person.
    snapshot([], 100000);
    expect(dupe()).toBe('review');
    // A warehouse that holds the first receipt and still shows 1000.00 open (say, a credit memo was
    // reversed): its open amount already counts the application, so nothing is taken off twice.
    snapshot([applied.id], 100000);
    expect(dupe()).toBe('applied');
  });
});
