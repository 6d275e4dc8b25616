/**
 * Early-warning alerts below the entry points (issue 18, Deliver 7): each condition raised once when
 * it starts to hold (not at every build), again after it recovers; every subscription within its
 * user's row-level security as the user is now; unknown amounts never raise nor clear; risk bands
 * compared with the last band seen; broken promises reported once and only those after subscribing;
 * hostile subscription input refused; two processes evaluating at once raise each alert once; email
 * at once and as a daily digest to an SMTP server this test starts, failures retried.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { evaluateAlerts } from '../../alerts/evaluate.ts';
import type { CustomerFacts, Facts } from '../../alerts/facts.ts';
import { sendAlertMail, sendDigests } from '../../alerts/mail.ts';
import { AlertError } from '../../alerts/rules.ts';
import { cancelSubscription, listAlerts, markRead, subscribe, unreadCount } from '../../alerts/store.ts';
import { alertText } from '../../alerts/text.ts';
import { addUser, disableUser, setRole } from '../../auth/users.ts';
import type { SmtpConfig } from '../../collections/mail.ts';
import { listAudit, verifyAudit, type Actor } from '../../ops/audit.ts';
import { openOpsStore, type OpsStore } from '../../ops/store.ts';
import { ROOT, tempDir, TSX_IMPORT } from '../helpers.ts';

const ADMIN: Actor = { id: null, name: 'test', address: 'cli' };

const customer = (o: Partial<CustomerFacts> & { customerId: string }): CustomerFacts => ({
  customerName: `Customer ${o.customerId}`,
  region: 'EMEA',
  creditController: 'Bob',
  openAr: '1000.00',
  overdueAr: '0.00',
  overdueShare: 0,
  maxDaysPastDue: null,
  utilisation: null,
  riskBand: 'low',
  ...o,
});

const facts = (customers: CustomerFacts[], o: Partial<Facts> = {}): Facts => ({
  asOfDate: '2026-06-30',
  customers,
  regions: [],
  bandOrder: ['low', 'medium', 'high', 'very high', 'in default'],
  ...o,
});

let dir: string;
let store: OpsStore;
let cfo: number;
let lead: number;
let bob: number;
const actor = (id: number): Actor => ({ id, name: `user${id}`, address: '192.0.2.1' });

beforeEach(async () => {
  dir = await tempDir('arlens-alerts-');
  store = openOpsStore(join(dir, 'ops.sqlite'));
  cfo = addUser(store, ADMIN, {
    username: 'cfo',
    email: 'cfo@example.com',
    role: 'cfo',
    passwordHash: null,
  }).id;
  lead = addUser(store, ADMIN, {
    username: 'lead',
    email: 'lead@example.com',
    role: 'sales_lead',
    regions: ['APAC'],
    passwordHash: null,
  }).id;
  bob = addUser(store, ADMIN, {
    username: 'bob',
    role: 'collector',
    portfolio: 'Bob',
    passwordHash: null,
  }).id;
});
afterEach(async () => {
  store.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const kinds = (userId: number) =>
  listAlerts(store, userId).alerts.map((a) => [
    a.kind,
    a.customerId ?? a.region,
    a.facts.value ?? a.facts.band,
  ]);

describe('conditions', () => {
  it('raise once when a condition starts to hold, again only after it recovers', () => {
    subscribe(store, actor(cfo), cfo, { kind: 'days_past_due', threshold: '60' });
    const late = customer({ customerId: 'C1', maxDaysPastDue: 75 });
    const fine = customer({ customerId: 'C2', maxDaysPastDue: 10 });
    expect(evaluateAlerts(store, facts([late, fine]), { trigger: 'build' })).toMatchObject({ raised: 1 });
    expect(kinds(cfo)).toEqual([['days_past_due', 'C1', 75]]);
    // The next build: still late, nothing new.
    expect(
      evaluateAlerts(store, facts([{ ...late, maxDaysPastDue: 90 }, fine]), { trigger: 'build' }),
    ).toMatchObject({
      raised: 0,
    });
    // Paid (no overdue invoice), then late again.
    expect(
      evaluateAlerts(store, facts([{ ...late, maxDaysPastDue: null }, fine]), { trigger: 'build' }),
    ).toMatchObject({ raised: 0, cleared: 1 });
    evaluateAlerts(store, facts([{ ...late, maxDaysPastDue: 61 }, fine]), { trigger: 'build' });
    expect(kinds(cfo)).toEqual([
      ['days_past_due', 'C1', 61],
      ['days_past_due', 'C1', 75],
    ]);
    // Exactly at the threshold is not above it.
    evaluateAlerts(store, facts([late, { ...fine, maxDaysPastDue: 60 }]), { trigger: 'build' });
    expect(unreadCount(store, cfo)).toBe(2);
  });

  it('judge overdue share and utilisation; an unknown amount neither raises nor clears', () => {
    subscribe(store, actor(cfo), cfo, { kind: 'overdue_share', threshold: '50' });
    subscribe(store, actor(cfo), cfo, { kind: 'utilisation', threshold: '100' });
    const over = customer({ customerId: 'C1', overdueShare: 62.5, overdueAr: '625.00', utilisation: 130.4 });
    const noLimit = customer({ customerId: 'C2', overdueShare: 10, utilisation: null });
    const unknown = customer({ customerId: 'C3', openAr: null, overdueAr: null, overdueShare: null });
    const r = evaluateAlerts(store, facts([over, noLimit, unknown]), { trigger: 'build' });
    expect(r).toMatchObject({ raised: 2, unknown: 1 });
    expect(kinds(cfo).sort()).toEqual([
      ['overdue_share', 'C1', 62.5],
      ['utilisation', 'C1', 130.4],
    ]);
    // C1's AR becomes unconvertible: its condition stays as it was (no clear, no new alert on return).
    const r2 = evaluateAlerts(store, facts([{ ...over, openAr: null, overdueShare: null }]), {
      trigger: 'build',
    });
    expect(r2).toMatchObject({ raised: 0, unknown: 1 });
    expect(evaluateAlerts(store, facts([over]), { trigger: 'build' })).toMatchObject({ raised: 0 });
    const [a] = listAlerts(store, cfo).alerts.filter((x) => x.kind === 'overdue_share');
    expect(alertText(a!.kind, a!.facts, 'en')).toBe(
      'Customer C1: 62.5% of the open AR is overdue (threshold 50%)',
    );
    expect(alertText(a!.kind, a!.facts, 'ja')).toBe('Customer C1：延滞額が債権残高の62.5%（しきい値 50%）');
  });

  it('compare a risk band with the last one seen: worse raises, better and first sight do not', () => {
    subscribe(store, actor(cfo), cfo, { kind: 'risk_band' });
    const c = customer({ customerId: 'C1', riskBand: 'medium' });
    expect(evaluateAlerts(store, facts([c]), { trigger: 'score' }).raised).toBe(0);
    expect(evaluateAlerts(store, facts([{ ...c, riskBand: 'very high' }]), { trigger: 'score' }).raised).toBe(
      1,
    );
    expect(evaluateAlerts(store, facts([{ ...c, riskBand: 'high' }]), { trigger: 'score' }).raised).toBe(0);
    expect(
      evaluateAlerts(store, facts([{ ...c, riskBand: 'in default' }]), { trigger: 'score' }).raised,
    ).toBe(1);
    const texts = listAlerts(store, cfo).alerts.map((a) => alertText(a.kind, a.facts, 'en'));
    expect(texts).toEqual([
      'Customer C1: risk band worsened from high to in default',
      'Customer C1: risk band worsened from medium to very high',
    ]);
    expect(alertText('risk_band', listAlerts(store, cfo).alerts[0]!.facts, 'ja')).toBe(
      'Customer C1：リスク区分が「高」から「デフォルト」に悪化',
    );
  });

  it("report a region's DSO above its target, for the regions the user sees", () => {
    subscribe(store, actor(cfo), cfo, { kind: 'region_dso', threshold: '45' });
    subscribe(store, actor(lead), lead, { kind: 'region_dso', threshold: '40' });
    const regions = [
      { region: 'APAC', month: '2026-06-01', dso: 52.25 },
      { region: 'EMEA', month: '2026-06-01', dso: 47 },
      { region: 'AMER', month: '2026-06-01', dso: null },
    ];
    const r = evaluateAlerts(store, facts([], { regions }), { trigger: 'build' });
    expect(r).toMatchObject({ raised: 3, unknown: 1 }); // AMER is unknown to the CFO; the lead does not see it
    expect(kinds(cfo)).toEqual([
      ['region_dso', 'EMEA', 47],
      ['region_dso', 'APAC', 52.25],
    ]);
    expect(kinds(lead)).toEqual([['region_dso', 'APAC', 52.25]]);
    expect(alertText('region_dso', listAlerts(store, lead).alerts[0]!.facts, 'en')).toBe(
      'APAC: DSO for 2026-06 is 52.25 days (target 40 days)',
    );
  });

  it('report a promise broken after subscribing, once', () => {
    const promise = (id: number, status: string, settledAt: string | null) =>
      store.db
        .prepare(
          `INSERT INTO payment_promises (id, customer_id, promised_date, amount, currency_code, status, created_by, created_at, settled_at)
           VALUES (?, 'C1', '2026-06-15', '1200.50', 'EUR', ?, 'bob', '2026-06-01', ?)`,
        )
        .run(id, status, settledAt);
    promise(1, 'broken', '2000-01-01T00:00:00.000Z');
    subscribe(store, actor(bob), bob, { kind: 'broken_promise', delivery: 'immediate' });
    promise(2, 'broken', new Date().toISOString());
    promise(3, 'kept', new Date().toISOString());
    const c = [customer({ customerId: 'C1' })];
    expect(evaluateAlerts(store, facts(c), { trigger: 'build' }).raised).toBe(1);
    expect(evaluateAlerts(store, facts(c), { trigger: 'worklist', customerId: 'C1' }).raised).toBe(0);
    const [a] = listAlerts(store, bob).alerts;
    expect(a).toMatchObject({
      subject: 'promise:2',
      mailStatus: 'none',
      lastError: 'No email address on the account.',
    });
    expect(alertText(a!.kind, a!.facts, 'en')).toBe(
      'Customer C1: the promise to pay €1,200.50 by 2026-06-15 was broken',
    );
  });
});

describe('row-level security', () => {
  it('keeps each user to their rows, as their account is now (a changed region, a disabled user)', () => {
    subscribe(store, actor(lead), lead, { kind: 'days_past_due', threshold: '30' });
    subscribe(store, actor(bob), bob, { kind: 'days_past_due', threshold: '30' });
    const all = [
      customer({ customerId: 'E1', region: 'EMEA', creditController: 'Bob', maxDaysPastDue: 40 }),
      customer({ customerId: 'A1', region: 'APAC', creditController: 'Eve', maxDaysPastDue: 40 }),
      customer({ customerId: 'A2', region: 'APAC', creditController: 'Bob', maxDaysPastDue: 40 }),
    ];
    evaluateAlerts(store, facts(all), { trigger: 'build' });
    expect(
      kinds(lead)
        .map((k) => k[1])
        .sort(),
    ).toEqual(['A1', 'A2']);
    expect(
      kinds(bob)
        .map((k) => k[1])
        .sort(),
    ).toEqual(['A2', 'E1']);
    setRole(store, ADMIN, 'lead', { role: 'sales_lead', regions: ['EMEA'] });
    disableUser(store, ADMIN, 'bob');
    const r = evaluateAlerts(store, facts(all.map((c) => ({ ...c, maxDaysPastDue: 0 }))), {
      trigger: 'build',
    });
    expect(r.skipped).toEqual([expect.objectContaining({ reason: 'the user is disabled' })]);
    evaluateAlerts(store, facts(all), { trigger: 'build' });
    expect(
      kinds(lead)
        .map((k) => k[1])
        .sort(),
    ).toEqual(['A1', 'A2', 'E1']);
    expect(kinds(bob)).toHaveLength(2);
  });

  it('refuses hostile and out-of-scope subscriptions with a clear message', () => {
    const bad: [number, Record<string, unknown>, RegExp][] = [
      [cfo, { kind: 'drop table' }, /The condition must be one of/],
      [cfo, { kind: 'days_past_due', threshold: '1e9' }, /whole number of days/],
      [cfo, { kind: 'overdue_share', threshold: '101' }, /outside 0 to 100/],
      [cfo, { kind: 'overdue_share', threshold: '-5' }, /percentage/],
      [cfo, { kind: 'utilisation', threshold: 'NaN' }, /percentage/],
      [cfo, { kind: 'days_past_due', customerId: "x'; DELETE FROM alerts;--" }, /The customer must be/],
      [cfo, { kind: 'days_past_due', customerId: 'a\u0000b' }, /The customer must be/],
      [cfo, { kind: 'days_past_due', delivery: 'sms' }, /The delivery must be one of/],
      [cfo, { kind: 'region_dso', customerId: 'C1' }, /not about one customer/],
      [lead, { kind: 'days_past_due', region: 'EMEA' }, /not one of yours/],
      [bob, { kind: 'region_dso' }, /outside your portfolio/],
    ];
    for (const [user, input, message] of bad) {
      expect(() => subscribe(store, actor(user), user, input), JSON.stringify(input)).toThrow(message);
    }
    const admin = addUser(store, ADMIN, { username: 'root', role: 'admin', passwordHash: null }).id;
    expect(() => subscribe(store, actor(admin), admin, { kind: 'days_past_due' })).toThrow(/no receivables/);
    const s = subscribe(store, actor(cfo), cfo, { kind: 'days_past_due' });
    expect(s.threshold).toBe('60');
    expect(() => subscribe(store, actor(cfo), cfo, { kind: 'days_past_due' })).toThrow(/already/);
    // Someone else's subscription and alerts are out of reach.
    expect(() => cancelSubscription(store, actor(lead), lead, s.id)).toThrow(AlertError);
    evaluateAlerts(store, facts([customer({ customerId: 'C1', maxDaysPastDue: 99 })]), { trigger: 'build' });
    const [alert] = listAlerts(store, cfo).alerts;
    expect(markRead(store, actor(lead), lead, [alert!.id])).toBe(0);
    expect(unreadCount(store, cfo)).toBe(1);
    expect(markRead(store, actor(cfo), cfo, 'all')).toBe(1);
    cancelSubscription(store, actor(cfo), cfo, s.id);
    expect(listAudit(store).map((e) => e.action)).toEqual(
      expect.arrayContaining(['alerts.subscribe', 'alerts.read', 'alerts.unsubscribe']),
    );
    expect(verifyAudit(store)).toMatchObject({ ok: true });
  });
});

describe('two evaluations at once', () => {
  it('raise each alert once', async () => {
    subscribe(store, actor(cfo), cfo, { kind: 'days_past_due', threshold: '30' });
    const script = `
      import { openOpsStore } from ${JSON.stringify(join(ROOT, 'ops', 'store.ts'))};
      import { evaluateAlerts } from ${JSON.stringify(join(ROOT, 'alerts', 'evaluate.ts'))};
      const store = openOpsStore(process.argv[1]);
      const customers = Array.from({ length: 300 }, (_, i) => ({ customerId: 'C' + i, customerName: 'C' + i,
        region: 'EMEA', creditController: 'Bob', openAr: '1.00', overdueAr: '1.00', overdueShare: 100,
        maxDaysPastDue: 31 + (i % 5), utilisation: null, riskBand: null }));
      for (let i = 0; i < 5; i++)
        evaluateAlerts(store, { asOfDate: '2026-06-30', customers, regions: [], bandOrder: [] }, { trigger: 'build' });
      store.close();
    `;
    const run = () =>
      new Promise<number>((resolve, reject) => {
        const p = spawn(
          process.execPath,
          ['--import', TSX_IMPORT, '--input-type=module', '-e', script, store.path],
          {
            stdio: ['ignore', 'ignore', 'inherit'],
          },
        );
        p.on('error', reject);
        p.on('exit', (code) => resolve(code ?? -1));
      });
    expect(await Promise.all([run(), run()])).toEqual([0, 0]);
    expect(listAlerts(store, cfo, { limit: 500 }).total).toBe(300);
  });
});

describe('email', () => {
  interface Caught {
    readonly to: string[];
    readonly mail: ParsedMail;
  }
  async function smtpServer(reject: (to: string) => boolean = () => false) {
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
            caught.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
            cb();
          })
          .catch(cb);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    const smtp: SmtpConfig = { host: '127.0.0.1', port, secure: false, from: 'ar@example.com' };
    return { caught, smtp, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  it('sends at once, retries a refusal, and sends one digest a day', async () => {
    let refuse = true;
    const s = await smtpServer((to) => refuse && to === 'cfo@example.com');
    try {
      subscribe(store, actor(cfo), cfo, { kind: 'days_past_due', threshold: '30', delivery: 'immediate' });
      subscribe(store, actor(lead), lead, { kind: 'overdue_share', threshold: '10', delivery: 'digest' });
      evaluateAlerts(
        store,
        facts([
          customer({
            customerId: 'A1',
            region: 'APAC',
            customerName: '株式会社テスト',
            maxDaysPastDue: 45,
            overdueShare: 20,
          }),
          customer({ customerId: 'A2', region: 'APAC', overdueShare: 30 }),
        ]),
        { trigger: 'build' },
      );
      let clock = new Date('2026-07-01T00:00:00Z');
      const now = () => clock;
      expect(await sendAlertMail(store, s.smtp, { now })).toEqual({ sent: 0, failed: 1 });
      expect(listAlerts(store, cfo).alerts[0]).toMatchObject({ mailStatus: 'failed' });
      expect(listAlerts(store, cfo).alerts[0]!.lastError).toMatch(/550/);
      // Not before its pause is over; then delivered.
      refuse = false;
      expect(await sendAlertMail(store, s.smtp, { now })).toEqual({ sent: 0, failed: 0 });
      clock = new Date('2026-07-01T00:02:00Z');
      expect(await sendAlertMail(store, s.smtp, { now, link: 'https://ar.example.com' })).toEqual({
        sent: 1,
        failed: 0,
      });
      expect(await sendAlertMail(store, s.smtp, { now })).toEqual({ sent: 0, failed: 0 });
      const [first] = s.caught;
      expect(first!.to).toEqual(['cfo@example.com']);
      expect(first!.mail.subject).toBe(
        '[ARLens] 株式会社テスト: the oldest open invoice is 45 days past due (threshold 30 days)',
      );
      expect(first!.mail.text).toContain('株式会社テスト：最も古い請求書が支払期日を45日超過');
      expect(first!.mail.text).toContain('https://ar.example.com/alerts');

      expect(await sendDigests(store, s.smtp, '2026-07-01', { now })).toEqual({ sent: 1, failed: 0 });
      expect(await sendDigests(store, s.smtp, '2026-07-01', { now })).toEqual({ sent: 0, failed: 0 });
      const digest = s.caught[1]!;
      expect(digest.to).toEqual(['lead@example.com']);
      expect(digest.mail.subject).toBe('[ARLens] 2 alerts on 2026-07-01 / アラート2件');
      expect(digest.mail.text).toContain('Customer A2: 30% of the open AR is overdue (threshold 10%)');
      expect(listAlerts(store, lead).alerts.map((a) => a.mailStatus)).toEqual(['digested', 'digested']);
      // A later alert waits for the next day's digest.
      evaluateAlerts(store, facts([customer({ customerId: 'A3', region: 'APAC', overdueShare: 99 })]), {
        trigger: 'build',
      });
      expect(await sendDigests(store, s.smtp, '2026-07-01', { now })).toEqual({ sent: 0, failed: 0 });
      expect(await sendDigests(store, s.smtp, '2026-07-02', { now })).toEqual({ sent: 1, failed: 0 });
      expect(s.caught).toHaveLength(3);
    } finally {
      await s.close();
    }
  });
});
