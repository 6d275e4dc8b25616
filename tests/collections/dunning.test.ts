/**
 * Dunning runs in the operational store, end to end below the entry points: propose, edit, approve
 * (four eyes), letters written once per customer/currency/level/date, PDFs rendered, mail sent to an
 * SMTP server this test starts on a free port (and read back: recipients, subject, language,
 * attachment, amounts), failures recorded and retried, portfolio rules, and two users at once.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemWho, type Who } from '../../collections/access.ts';
import {
  approveRun,
  createRun,
  customerLevels,
  excludeItem,
  getRun,
  holdCustomerInRun,
  listLetters,
  runDetail,
} from '../../collections/dunning.store.ts';
import { renderPending, sendQueued, type SmtpConfig } from '../../collections/mail.ts';
import { loadPolicy } from '../../collections/policy.ts';
import type { OpenItem } from '../../collections/proposal.ts';
import { safeCell, writeEvidencePack } from '../../collections/evidence.ts';
import {
  addPromise,
  listTasks,
  logActivity,
  openDispute,
  reviewPromises,
  setContact,
  taskTitle,
  worklistOverlay,
} from '../../collections/worklist.store.ts';
import { verifyAudit, listAudit } from '../../ops/audit.ts';
import { openOpsStore, type OpsStore } from '../../ops/store.ts';
import { ROOT, tempDir, TSX_IMPORT } from '../helpers.ts';

const policy = loadPolicy();
const RUN = '2026-07-01';
const AS_OF = '2026-06-30';

const who = (name: string, role: Who['role'], portfolio: string | null = null): Who => ({
  actor: { id: name.length, name, address: '192.0.2.1' },
  role,
  portfolio,
});
const bob = who('bob', 'collector', 'Bob');
const eve = who('eve', 'collector', 'Eve');
const cm1 = who('mari', 'credit_manager');
const cm2 = who('ken', 'credit_manager');

const item = (o: Partial<OpenItem> & { itemId: string; customerId: string }): OpenItem => ({
  customerName: `Customer ${o.customerId}`,
  region: 'EMEA',
  countryCode: 'DE',
  creditController: 'Bob',
  customerStatus: 'active',
  itemType: 'invoice',
  documentDate: '2026-04-01',
  dueDate: '2026-05-20',
  currencyCode: 'EUR',
  openAmount: '1234.56',
  hasOpenDispute: false,
  ...o,
});

const ITEMS: OpenItem[] = [
  item({ customerId: 'DE1', itemId: 'INV-1', openAmount: '1234.56' }),
  item({ customerId: 'DE1', itemId: 'INV-2', openAmount: '100.00', dueDate: '2026-06-25' }),
  item({
    customerId: 'DE1',
    itemId: 'PAY-1',
    itemType: 'unapplied_payment',
    openAmount: '-34.56',
    dueDate: null,
  }),
  item({
    customerId: 'JP1',
    itemId: 'INV-3',
    countryCode: 'JP',
    customerName: '株式会社テスト',
    currencyCode: 'JPY',
    openAmount: '500000.00',
    dueDate: '2026-05-25',
  }),
  item({ customerId: 'EV1', itemId: 'INV-4', creditController: 'Eve', dueDate: '2026-06-20' }),
  item({ customerId: 'DIS', itemId: 'INV-5', hasOpenDispute: true }),
];

let dir: string;
let store: OpsStore;

beforeEach(async () => {
  dir = await tempDir('arlens-dunning-');
  store = openOpsStore(join(dir, 'ops.sqlite'));
});
afterEach(async () => {
  store.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const propose = (w: Who, runDate = RUN) =>
  createRun(store, w, { policy, runDate, asOfDate: AS_OF, items: ITEMS });

describe('a dunning run', () => {
  it('proposes by level with reasons, and a collector sees only their portfolio', () => {
    const { run, proposal } = propose(cm1);
    expect(run.status).toBe('proposed');
    expect(proposal.customers.map((c) => [c.customerId, c.level, c.netAmount])).toEqual([
      ['DE1', 3, '1300.00'],
      ['JP1', 3, '500000.00'],
      ['EV1', 2, '1234.56'],
    ]);
    expect(proposal.skipped).toEqual([{ customerId: 'DIS', itemId: 'INV-5', reason: 'disputed' }]);
    const mine = propose(bob);
    expect(mine.proposal.customers.map((c) => c.customerId)).toEqual(['DE1', 'JP1']);
    expect(mine.run.scope).toBe('Bob');
    expect(() => runDetail(store, eve, mine.run.id)).toThrow(/no dunning run/);
  });

  it('refuses a run dated before the as-of date (it would dun items paid since)', () => {
    expect(() =>
      createRun(store, cm1, { policy, runDate: '2026-06-29', asOfDate: AS_OF, items: ITEMS }),
    ).toThrow(/as of 2026-06-30.*paid since/);
  });

  it('is edited (exclude an item, hold a customer) and approved by someone else; writes each letter once', () => {
    const { run } = propose(bob);
    expect(() =>
      excludeItem(store, eve, { runId: run.id, customerId: 'DE1', itemId: 'INV-2', reason: 'x' }),
    ).toThrow(/no dunning run|not in your portfolio/);
    excludeItem(store, bob, {
      runId: run.id,
      customerId: 'DE1',
      itemId: 'INV-2',
      reason: 'credit note coming',
    });
    // The collector may not approve, nor may a credit manager who edited the run.
    expect(() => approveRun(store, bob, policy, { runId: run.id })).toThrow(/may not/);
    holdCustomerInRun(store, cm1, { runId: run.id, customerId: 'JP1', reason: 'talks with sales' });
    expect(() => approveRun(store, cm1, policy, { runId: run.id })).toThrow(/segregation of duties/);
    // A stale page (the version before the last edit) is refused.
    expect(() => approveRun(store, cm2, policy, { runId: run.id, version: 1 })).toThrow(
      /changed by someone else/,
    );
    const res = approveRun(store, cm2, policy, { runId: run.id, version: getRun(store, run.id).version });
    expect(res.letters).toHaveLength(1);
    const [letter] = listLetters(store, cm2, { runId: run.id });
    expect(letter).toMatchObject({
      customerId: 'DE1',
      level: 3,
      currencyCode: 'EUR',
      totalAmount: '1200.00', // 1234.56 - 34.56 unapplied; INV-2 excluded
      status: 'to_print', // no email address on file
    });
    expect(letter!.items.map((i) => i.itemId)).toEqual(['INV-1', 'PAY-1']);
    expect(customerLevels(store).get('DE1')).toEqual({ highest: 3, date: RUN });
    // Level 3: a task for the controller and key focus.
    expect(listTasks(store, 'Bob').map((t) => [t.customerId, t.dueDate])).toEqual([['DE1', '2026-07-04']]);
    // Its title in the reader's language (stored in English for the marts and the audit log).
    const [task] = listTasks(store, 'Bob');
    expect(taskTitle(task!, 'en')).toMatch(/^Dunning level 3 \(.+\): call Customer DE1$/);
    expect(taskTitle(task!, 'ja')).toMatch(/^督促レベル3（.+）：Customer DE1に電話$/);
    expect(worklistOverlay(store, ['DE1']).get('DE1')?.keyFocus?.reason).toBe('dunning level 3');
    // Approved: no more edits, no second approval.
    expect(() => approveRun(store, cm2, policy, { runId: run.id })).toThrow(/is approved/);
    // The held customer stays out of later runs.
    const again = propose(cm1);
    expect(again.proposal.skipped).toContainEqual({
      customerId: 'JP1',
      itemId: null,
      reason: 'customer_on_hold',
    });
    expect(again.proposal.skipped).toContainEqual({
      customerId: 'DE1',
      itemId: null,
      reason: 'already_dunned',
    });
    expect(verifyAudit(store).ok).toBe(true);
    expect(listAudit(store, { action: 'dunning.' }).map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'dunning.propose',
        'dunning.exclude_item',
        'dunning.hold_customer',
        'dunning.approve',
      ]),
    );
  });

  it('sends nothing twice: two proposals for the same day, both approved, write each letter once', () => {
    const a = propose(cm1);
    const b = propose(cm1);
    expect(approveRun(store, cm2, policy, { runId: a.run.id }).letters).toHaveLength(3);
    const second = approveRun(store, cm2, policy, { runId: b.run.id });
    expect(second.letters).toHaveLength(0);
    expect(second.alreadySent).toBe(3);
    expect(listLetters(store, cm2)).toHaveLength(3);
  });

  it('an item excluded from an approved run stays out of later runs the same day (and only that day)', () => {
    const a = propose(cm1);
    excludeItem(store, cm1, { runId: a.run.id, customerId: 'EV1', itemId: 'INV-4', reason: 'agreed' });
    expect(approveRun(store, cm2, policy, { runId: a.run.id }).letters).toHaveLength(2);
    const b = propose(cm1);
    expect(b.proposal.customers).toEqual([]);
    expect(b.proposal.skipped).toContainEqual({ customerId: 'EV1', itemId: 'INV-4', reason: 'item_on_hold' });
    expect(approveRun(store, cm2, policy, { runId: b.run.id }).letters).toHaveLength(0);
    const tomorrow = propose(cm1, '2026-07-02');
    expect(tomorrow.proposal.customers.map((c) => c.customerId)).toEqual(['EV1']);
  });
});

interface Caught {
  readonly envelope: string[];
  readonly mail: ParsedMail;
}

async function smtp(reject: (rcpt: string) => boolean = () => false) {
  const caught: Caught[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (reject(address.address))
        cb(Object.assign(new Error('550 mailbox unavailable'), { responseCode: 550 }));
      else cb();
    },
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => {
          caught.push({ envelope: session.envelope.rcptTo.map((r) => r.address), mail });
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const config: SmtpConfig = {
    host: '127.0.0.1',
    port,
    secure: false,
    from: 'ar@arlens.example',
    requireTls: false,
  };
  return { caught, config, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('letters by email', () => {
  it('renders PDFs and sends each to the customer over SMTP, in their language, once', async () => {
    const sys = systemWho({ id: null, name: 'cli:test', address: 'cli' });
    setContact(store, sys, { customerId: 'DE1', creditController: 'Bob' }, { email: 'ap@de1.example' });
    setContact(store, sys, { customerId: 'JP1', creditController: 'Bob' }, { email: 'keiri@jp1.example' });
    const { run } = propose(cm1);
    approveRun(store, cm2, policy, { runId: run.id });
    expect(await renderPending(store, sys, policy, 'ARLens Demo Co.')).toBe(3);
    const server = await smtp();
    try {
      expect(await sendQueued(store, sys, server.config)).toEqual({ sent: 2, failed: 0 });
      const byRcpt = new Map(server.caught.map((c) => [c.envelope[0], c.mail]));
      expect([...byRcpt.keys()].sort()).toEqual(['ap@de1.example', 'keiri@jp1.example']);
      const de = byRcpt.get('ap@de1.example')!;
      expect(de.subject).toBe(`Payment reminder — Customer DE1 (${RUN})`);
      expect(de.headers.get('content-language')).toBe('en');
      expect(de.text).toContain('€1,300.00');
      expect(de.attachments).toHaveLength(1);
      expect(de.attachments[0]!.contentType).toBe('application/pdf');
      expect(de.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
      const jp = byRcpt.get('keiri@jp1.example')!;
      expect(jp.subject).toContain('お支払いのお願い');
      expect(jp.headers.get('content-language')).toBe('ja, en');
      expect(jp.text).toContain('￥500,000');
      expect(jp.text).toContain('株式会社テスト 御中');
      // The EV1 letter has no address: kept to print, not lost.
      expect(listLetters(store, cm2).map((l) => [l.customerId, l.status])).toEqual([
        ['DE1', 'sent'],
        ['JP1', 'sent'],
        ['EV1', 'to_print'],
      ]);
      // Sending again sends nothing.
      expect(await sendQueued(store, sys, server.config)).toEqual({ sent: 0, failed: 0 });
      expect(server.caught).toHaveLength(2);
      expect(listAudit(store, { action: 'dunning.letter_sent' })).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('records a refused or unreachable server, retries after the pause, and never loses a letter', async () => {
    const sys = systemWho({ id: null, name: 'cli:test', address: 'cli' });
    setContact(store, sys, { customerId: 'DE1', creditController: 'Bob' }, { email: 'bounce@de1.example' });
    approveRun(store, cm2, policy, { runId: propose(cm1).run.id });
    await renderPending(store, sys, policy, 'ARLens Demo Co.');
    let refuse = true;
    const server = await smtp(() => refuse);
    const t0 = new Date('2026-07-01T09:00:00Z');
    try {
      expect(await sendQueued(store, sys, server.config, () => t0)).toEqual({ sent: 0, failed: 1 });
      let [letter] = listLetters(store, cm2, { customerId: 'DE1' });
      expect(letter).toMatchObject({ status: 'failed', attempts: 1 });
      expect(letter!.lastError).toMatch(/550/);
      // Before the pause is over, nothing is tried.
      expect(await sendQueued(store, sys, server.config, () => new Date(t0.getTime() + 30_000))).toEqual({
        sent: 0,
        failed: 0,
      });
      refuse = false;
      expect(await sendQueued(store, sys, server.config, () => new Date(t0.getTime() + 61_000))).toEqual({
        sent: 1,
        failed: 0,
      });
      [letter] = listLetters(store, cm2, { customerId: 'DE1' });
      expect(letter).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
      expect(server.caught).toHaveLength(1);
    } finally {
      await server.close();
    }
    // A server that is not there at all: recorded as failed too.
    setContact(store, sys, { customerId: 'JP1', creditController: 'Bob' }, { email: 'keiri@jp1.example' });
    store.db
      .prepare(
        "UPDATE dunning_letters SET recipient = 'keiri@jp1.example', status = 'queued' WHERE customer_id = 'JP1'",
      )
      .run();
    const closed = { ...server.config };
    expect(await sendQueued(store, sys, closed)).toEqual({ sent: 0, failed: 1 });
    expect(listLetters(store, cm2, { customerId: 'JP1' })[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
    });
  });
});

describe('promises to pay', () => {
  it('are settled after their date: kept when the invoices were paid, broken otherwise (with a follow-up task)', () => {
    const ref = { customerId: 'DE1', creditController: 'Bob', currencyCode: 'EUR' };
    addPromise(store, bob, ref, {
      date: '2026-07-05',
      amount: '100.00',
      invoiceIds: 'INV-1',
      today: '2026-07-01',
    });
    addPromise(store, bob, ref, {
      date: '2026-07-06',
      amount: '50.00',
      invoiceIds: 'INV-2',
      today: '2026-07-01',
    });
    expect(() =>
      addPromise(store, bob, ref, { date: '2026-06-30', amount: '1.00', today: '2026-07-01' }),
    ).toThrow(/in the past/);
    expect(() =>
      addPromise(store, eve, ref, { date: '2026-07-09', amount: '1.00', today: '2026-07-01' }),
    ).toThrow(/not in your portfolio/);
    // A pending promise keeps the customer out of a run until its date.
    expect(propose(cm1, '2026-07-03').proposal.skipped).toContainEqual({
      customerId: 'DE1',
      itemId: null,
      reason: 'promise_pending',
    });
    const sys = systemWho({ id: null, name: 'cli:test', address: 'cli' });
    // On 2026-07-06 only the first promise's date has passed; INV-1 is still open: broken.
    const open = new Set(['INV-1']);
    expect(
      reviewPromises(
        store,
        sys,
        '2026-07-06',
        (_c, ids) => ids.some((i) => open.has(i)),
        () => 'Bob',
      ),
    ).toEqual({
      kept: 0,
      broken: 1,
    });
    expect(listTasks(store, 'Bob').map((t) => [t.title, t.dueDate])).toEqual([
      ['Broken promise of 2026-07-05 (100.00): follow up', '2026-07-07'],
    ]);
    expect(taskTitle(listTasks(store, 'Bob')[0]!, 'ja')).toBe(
      '2026-07-05の支払約束（100.00）が守られませんでした：フォローアップ',
    );
    // The next day the second promise's date has passed too and INV-2 was paid: kept. Settled once.
    expect(
      reviewPromises(
        store,
        sys,
        '2026-07-07',
        (_c, ids) => ids.some((i) => open.has(i)),
        () => 'Bob',
      ),
    ).toEqual({
      kept: 1,
      broken: 0,
    });
    expect(
      reviewPromises(
        store,
        sys,
        '2026-07-08',
        () => true,
        () => 'Bob',
      ),
    ).toEqual({ kept: 0, broken: 0 });
    expect(
      listAudit(store, { action: 'collections.promise_' })
        .map((e) => e.action)
        .sort(),
    ).toEqual(['collections.promise_broken', 'collections.promise_kept']);
  });
});

describe('the evidence pack', () => {
  it('holds the open invoices, letters with PDFs, history and audit entries, hashed in a manifest', async () => {
    const sys = systemWho({ id: null, name: 'cli:test', address: 'cli' });
    const ref = { customerId: 'DE1', creditController: 'Bob', customerName: 'Customer DE1' };
    approveRun(store, cm2, policy, { runId: propose(cm1).run.id });
    await renderPending(store, sys, policy, 'ARLens Demo Co.');
    logActivity(store, bob, ref, {
      kind: 'call',
      outcome: 'refused',
      note: '=HYPERLINK("http://x")',
      date: '2026-07-02',
    });
    openDispute(
      store,
      bob,
      { ...ref, currencyCode: 'EUR' },
      { invoiceIds: 'INV-1', reason: 'damaged goods', amount: '100.00' },
    );
    const ledger = ITEMS.map((i) => ({
      ...i,
      salesOrderId: `SO-${i.itemId}`,
      shipmentBatch: 'B7',
      daysPastDueAsOf: 1,
    }));
    // Another portfolio's controller may not produce it.
    await expect(writeEvidencePack(store, eve, ref, ledger, join(dir, 'no'))).rejects.toThrow(
      /not in your portfolio/,
    );
    const out = join(dir, 'pack');
    const r = await writeEvidencePack(store, bob, ref, ledger, out);
    expect(r.files.map((f) => f.name).sort()).toEqual([
      'audit.csv',
      'evidence.pdf',
      'history.csv',
      'letters.csv',
      'letters/letter-1-L3-2026-07-01.pdf',
      'open-invoices.csv',
    ]);
    const invoices = await fs.readFile(join(out, 'open-invoices.csv'), 'utf8');
    expect(invoices).toContain('INV-1,invoice,2026-04-01,2026-05-20,EUR,1234.56,SO-INV-1,B7,no');
    const history = await fs.readFile(join(out, 'history.csv'), 'utf8');
    expect(history).toContain(`"refused: =HYPERLINK(""http://x"")"`);
    // A cell that starts like a formula is text in a spreadsheet; plain numbers stay numbers.
    expect(safeCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(safeCell('+1+2')).toBe("'+1+2");
    expect(safeCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(safeCell('-34.56')).toBe('-34.56');
    expect(history).toMatch(/dispute,"opened \(100\.00 EUR\): damaged goods/);
    const audit = await fs.readFile(join(out, 'audit.csv'), 'utf8');
    for (const a of [
      'dunning.letter',
      'dunning.letter_rendered',
      'collections.activity',
      'collections.dispute_open',
    ])
      expect(audit).toContain(a);
    const manifest = await fs.readFile(join(out, 'MANIFEST.txt'), 'utf8');
    expect(manifest).toMatch(/Audit chain verified/);
    for (const f of r.files) {
      const bytes = await fs.readFile(join(out, f.name));
      expect(manifest).toContain(
        `${createHash('sha256').update(bytes).digest('hex')}  ${bytes.length}  ${f.name}`,
      );
    }
    expect((await fs.readFile(join(out, 'evidence.pdf'))).subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('two users at once', () => {
  it('two processes writing to one customer at the same time lose nothing; the chain holds', async () => {
    const script = `
      import { openOpsStore } from ${JSON.stringify(join(ROOT, 'ops', 'store.ts'))};
      import { logActivity } from ${JSON.stringify(join(ROOT, 'collections', 'worklist.store.ts'))};
      const store = openOpsStore(process.argv[1]);
      const who = { actor: { id: 1, name: process.argv[2], address: 'x' }, role: 'collector', portfolio: 'Bob' };
      for (let i = 0; i < 40; i++)
        logActivity(store, who, { customerId: 'DE1', creditController: 'Bob' },
          { kind: 'call', outcome: 'contacted', note: process.argv[2] + ' ' + i, date: '2026-07-01' });
      store.close();
    `;
    const run = (name: string) =>
      new Promise<number>((resolve, reject) => {
        const p = spawn(
          process.execPath,
          ['--import', TSX_IMPORT, '--input-type=module', '-e', script, store.path, name],
          {
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        );
        p.on('error', reject);
        p.on('exit', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([run('alice'), run('bruno')])).toEqual([0, 0]);
    const rows = store.db
      .prepare(
        "SELECT user_name, count(*) AS n FROM collection_activities WHERE customer_id = 'DE1' GROUP BY user_name ORDER BY 1",
      )
      .all();
    expect(rows).toEqual([
      { user_name: 'alice', n: 40 },
      { user_name: 'bruno', n: 40 },
    ]);
    expect(verifyAudit(store)).toMatchObject({ ok: true, entries: 80 });
  });
});
