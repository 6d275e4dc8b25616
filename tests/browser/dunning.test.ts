/**
 * The Dunning page and the customer's collection panel in Chromium, on the demo data: a credit
 * controller proposes a run and excludes an item; they cannot approve it; a credit manager approves it
 * and the letters go to an SMTP server this test started; a second run the same day sends nothing; a
 * promise logged on the customer page shows in the worklist at once (no rebuild); a controller cannot
 * write to another portfolio's customer, nor approve by a crafted request. Screenshots in en and ja.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemWho } from '../../collections/access.ts';
import { setContact } from '../../collections/worklist.store.ts';
import { screenshot, signIn, startBrowserHarness, type BrowserHarness } from './harness.ts';
import { demoWarehouse } from '../cube/harness.ts';

let h: BrowserHarness;
let smtp: SMTPServer;
const caught: ParsedMail[] = [];
let mine: string; // the controller whose portfolio the collector works
let other: string; // a customer of another portfolio
let ownCustomer: string;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _s, cb) {
      simpleParser(stream)
        .then((m) => {
          caught.push(m);
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  h = await startBrowserHarness(demoWarehouse, {
    collections: {
      company: 'ARLens Demo Trading Co.',
      smtp: { host: '127.0.0.1', port, secure: false, from: 'ar@arlens-demo.example', requireTls: false },
    },
  });
  // The controller with the most overdue customers, and their contacts' addresses.
  const [top] = await h.sql(
    `SELECT credit_controller FROM marts.fct_invoices WHERE open_amount > 0 AND due_date < DATE '2026-07-20'
     GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
  );
  mine = String(top!['credit_controller']);
  const customers = await h.sql('SELECT customer_id, credit_controller FROM marts.dim_customers ORDER BY 1');
  const sys = systemWho({ id: null, name: 'test', address: 'test' });
  for (const c of customers) {
    const ref = { customerId: String(c['customer_id']), creditController: String(c['credit_controller']) };
    setContact(h.server.ops, sys, ref, { email: `ap-${ref.customerId}@example.test` });
  }
  other = String(customers.find((c) => c['credit_controller'] !== mine)!['customer_id']);
  const [own] = await h.sql(
    `SELECT customer_id FROM marts.fct_invoices WHERE credit_controller = ? AND open_amount > 0 ORDER BY due_date LIMIT 1`,
    [mine],
  );
  ownCustomer = String(own!['customer_id']);
}, 240_000);

afterEach(() => h.assertNoErrors());
afterAll(async () => {
  await h?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function csrfOf(page: Page): Promise<string> {
  return page.locator('input[name=csrf]').first().inputValue();
}

describe('the Dunning page', () => {
  it('a controller proposes and edits; a credit manager approves and the letters are sent, once', async () => {
    const collector = await h.newPage({ ignoreErrors: [/403/] });
    await signIn(collector, 'collector', { portfolio: mine, next: '/collections/dunning' });
    await collector.locator('input[name=date]').fill('2026-07-20');
    await collector.getByRole('button', { name: 'Propose a run' }).click();
    await expect
      .poll(() => collector.locator('[role=status]').textContent())
      .toMatch(/Run \d+ proposed: \d+ customer/);
    const rows = collector.locator('table.proposal tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    // Every proposed customer is the collector's own.
    const runId = await collector.locator('section.run').getAttribute('data-run');
    // Exclude the first invoice with a reason.
    const first = collector.locator('table.proposal tbody tr:has(form[action="?/exclude"])').first();
    const item = await first.getAttribute('data-item');
    const exclude = first.locator('form[action="?/exclude"]');
    await exclude.locator('input[name=reason]').fill('credit note agreed by phone');
    await exclude.getByRole('button', { name: 'Exclude' }).click();
    await expect
      .poll(() => collector.locator(`tr[data-item="${item}"]`).first().textContent())
      .toContain('Left out: credit note agreed by phone');
    // The collector has no approve button, and a crafted approval is refused.
    expect(await collector.getByRole('button', { name: 'Approve and send' }).count()).toBe(0);
    const version = await collector.locator('section.run').getAttribute('data-version');
    const crafted = await collector.request.post(`${h.url}collections/dunning?/approve`, {
      form: { csrf: await csrfOf(collector), run: runId!, version: version! },
      headers: { origin: h.url.replace(/\/$/, ''), 'x-sveltekit-action': 'true' },
    });
    expect(await crafted.text()).toMatch(/may not/);
    await screenshot(collector, 'dunning-proposal-en');

    const manager = await h.newPage();
    await signIn(manager, 'credit_manager', { next: `/collections/dunning?run=${runId}` });
    await manager.getByRole('button', { name: 'Approve and send' }).click();
    const done = manager.locator('[role=status]');
    await expect.poll(() => done.textContent(), { timeout: 60_000 }).toMatch(/approved: \d+ letter/);
    const text = (await done.textContent()) ?? '';
    const written = Number(/(\d+) letter/.exec(text)![1]);
    const sent = Number(/(\d+) sent/.exec(text)![1]);
    expect(written).toBeGreaterThan(0);
    expect(caught).toHaveLength(sent);
    expect(caught.every((m) => m.attachments[0]?.contentType === 'application/pdf')).toBe(true);
    // The excluded invoice is in no letter.
    expect(caught.some((m) => (m.text ?? '').includes(item!))).toBe(false);
    expect(await manager.locator('table.letters tbody tr').count()).toBe(written);
    // A letter's PDF opens.
    const pdfHref = await manager.locator('table.letters a').first().getAttribute('href');
    const pdf = await manager.request.get(new URL(pdfHref!, h.url).href);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    // "Is dunning working?": a row per level and channel; the run is dated after the data's as-of date,
    // so no window is over yet ("–").
    await expect.poll(() => manager.locator('table.effect-table tbody tr').count()).toBeGreaterThan(0);
    expect(await manager.locator('table.effect-table tbody').textContent()).toContain('–');
    await screenshot(manager, 'dunning-approved-en');
    await manager.goto(`${h.url}lang?to=ja&back=${encodeURIComponent(`/collections/dunning?run=${runId}`)}`);
    await expect.poll(() => manager.locator('h1').textContent()).toBe('督促処理');
    await screenshot(manager, 'dunning-approved-ja');
    await manager.goto(`${h.url}lang?to=en&back=/collections/dunning`);

    // A second run the same day (the excluded item stays out for that date): nothing is sent again.
    await collector.goto(`${h.url}collections/dunning`);
    await collector.locator('input[name=date]').fill('2026-07-20');
    await collector.getByRole('button', { name: 'Propose a run' }).click();
    await expect.poll(() => collector.locator('[role=status]').textContent()).toMatch(/proposed/);
    const second = await collector.locator('section.run').getAttribute('data-run');
    await manager.goto(`${h.url}collections/dunning?run=${second}`);
    if ((await manager.getByRole('button', { name: 'Approve and send' }).count()) > 0) {
      await manager.getByRole('button', { name: 'Approve and send' }).click();
      await expect.poll(() => manager.locator('[role=status]').textContent()).toMatch(/approved: 0 letter/);
    }
    expect(caught).toHaveLength(sent);
  }, 180_000);

  it('a promise logged on the customer page shows in the worklist at once; other portfolios are refused', async () => {
    const page = await h.newPage({ ignoreErrors: [/403/] });
    await signIn(page, 'collector', { portfolio: mine, next: `/customers/${ownCustomer}` });
    const promise = page.locator('form[action="?/promise"]');
    await promise.locator('input[name=date]').fill('2099-01-31');
    await promise.locator('input[name=amount]').fill('1234.50');
    await promise.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('[data-promise]').textContent()).toContain('1234.50 by 2099-01-31');
    await expect.poll(() => page.locator('ol.timeline').textContent()).toContain('promise_to_pay');
    // Hostile input: a note with markup is stored as text, a bad amount is refused with a message.
    const log = page.locator('form[action="?/activity"]');
    await log.locator('textarea[name=note]').fill('<img src=x onerror=alert(9)>');
    await log.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.locator('ol.timeline').textContent())
      .toContain('<img src=x onerror=alert(9)>');
    await promise.locator('input[name=date]').fill('2099-01-31');
    await promise.locator('input[name=amount]').fill('12,5e3');
    await promise.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('[role=alert]').textContent()).toMatch(/must be an amount/);
    await screenshot(page, 'customer-work-en');

    // The worklist shows the promise without a rebuild.
    await page.goto(`${h.url}collections`);
    await expect
      .poll(() => page.locator(`[data-work="${ownCustomer}"]`).first().textContent(), { timeout: 30_000 })
      .toContain('Promise pending');

    // Another portfolio's customer: no forms, and a crafted write is refused.
    await page.goto(`${h.url}customers/${other}`);
    expect(await page.locator('form[action="?/promise"]').count()).toBe(0);
    await page.goto(`${h.url}customers/${ownCustomer}`);
    const res = await page.request.post(`${h.url}customers/${other}?/promise`, {
      form: { csrf: await csrfOf(page), date: '2099-01-31', amount: '1.00' },
      headers: { origin: h.url.replace(/\/$/, ''), 'x-sveltekit-action': 'true' },
    });
    expect(await res.text()).toMatch(/not in your portfolio/);
    const count = h.server.ops.db
      .prepare('SELECT count(*) AS n FROM payment_promises WHERE customer_id = ?')
      .get(other) as { n: number };
    expect(count.n).toBe(0);
  }, 120_000);
});
