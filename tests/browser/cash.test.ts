/**
 * The Cash application page in Chromium, on a small ledger (tests/cashapp/ledger.ts): a credit
 * manager uploads a camt.053; the sure lines are applied at once and the rest wait in the queue with
 * their reasons; the queue is worked by keyboard (j/k, a, r); two credit managers deciding the same
 * line: the second is told it changed; hostile form values come back as text; the CFO sees the page
 * without the forms and a CFO's form post is refused. Every decision is in the audit log.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../ops/audit.ts';
import { listLines } from '../../cashapp/decisions.store.ts';
import { ledgerWarehouse } from '../cashapp/ledger.ts';
import { signedIn } from '../helpers.ts';
import { documentStatus, startBrowserHarness, type BrowserHarness } from './harness.ts';

let h: BrowserHarness;
const WAIT = { timeout: 20_000, interval: 100 };
const FIX = join(import.meta.dirname, '..', 'cashapp', 'fixtures');

beforeAll(async () => {
  h = await startBrowserHarness(ledgerWarehouse);
}, 240_000);
afterEach(() => h.assertNoErrors());
afterAll(async () => {
  await h?.close();
});

/** Sign in with the demo picker as `role` and land on /cash. */
async function openCash(page: Page, role: 'credit_manager' | 'cfo'): Promise<void> {
  await page.goto(`${h.url}signin?next=/cash`);
  await page.locator(`input[name=role][value=${role}]`).check();
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/cash', { waitUntil: 'load' }),
    page.getByRole('button', { name: /demo user/ }).click(),
  ]);
  expect(await documentStatus(page)).toBe(200);
  await page.waitForFunction(() => document.documentElement.dataset['hydrated'] === 'true');
}

const line = (page: Page, payer: string) => page.locator('article.line', { hasText: payer });

describe('cash application in the browser', () => {
  it('uploads a statement: sure lines applied, the rest queued with reasons', async () => {
    const page = await h.newPage();
    await openCash(page, 'credit_manager');
    await expect.poll(() => page.getByTestId('counts').textContent(), WAIT).toContain('Review 0');
    await page.locator('input[name=statement]').setInputFiles(join(FIX, 'camt053-v08.xml'));
    await page.getByRole('button', { name: 'Import and match' }).click();
    const done = page.getByRole('status');
    await expect
      .poll(() => done.textContent(), WAIT)
      .toMatch(
        /camt053-v08\.xml \(camt\.053\): 5 line\(s\) read, 5 new.*1 quarantined.*3 applied automatically, 1 to review/,
      );
    await expect
      .poll(() => page.locator('.quarantine').textContent(), WAIT)
      .toContain('CdtDbtInd must be CRDT or DBIT');
    const weber = line(page, 'Weber KG');
    await expect.poll(() => weber.textContent(), WAIT).toContain('customer_amount');
    expect(await weber.textContent()).toContain('resembles the customer');
    await expect.poll(() => page.locator('table.applied tbody tr').count(), WAIT).toBe(3);
    // The same statement again: nothing new.
    await page.locator('input[name=statement]').setInputFiles(join(FIX, 'camt053-v08.xml'));
    await page.getByRole('button', { name: 'Import and match' }).click();
    await expect.poll(() => done.textContent(), WAIT).toMatch(/0 new, 5 already imported/);
  });

  it('works the queue by keyboard, and the second of two people deciding one line is told', async () => {
    const a = await h.newPage();
    const b = await h.newPage();
    await openCash(a, 'credit_manager');
    await openCash(b, 'credit_manager');
    // Also queue the MT940's and the CSV's lines.
    for (const [file, profile] of [
      ['mt940.sta', 'arlens'],
      ['sparkasse.csv', 'sparkasse-camt'],
    ] as const) {
      await a.locator('input[name=statement]').setInputFiles(join(FIX, file));
      await a.locator('select[name=profile]').selectOption(profile);
      await a.getByRole('button', { name: 'Import and match' }).click();
      await expect.poll(() => a.getByRole('status').textContent(), WAIT).toContain(file);
    }
    const queued = listLines(h.server.ops, { status: 'review' });
    expect(queued.length).toBeGreaterThanOrEqual(3);
    // b still shows the page from before: accept Weber there after a has decided it.
    await a.reload();
    await a.waitForFunction(() => document.documentElement.dataset['hydrated'] === 'true');
    await line(a, 'Weber KG').click();
    await a.keyboard.press('a');
    await expect.poll(() => a.getByRole('status').textContent(), WAIT).toMatch(/Line \d+ is now applied/);
    await expect.poll(() => line(a, 'Weber KG').count(), WAIT).toBe(0);
    await line(b, 'Weber KG').getByRole('button', { name: 'Accept 1' }).click();
    await expect.poll(() => b.getByRole('alert').textContent(), WAIT).toMatch(/changed since you opened it/);

    // j moves to the next line; r focuses the reason; Enter rejects.
    await a.locator('article.line').first().click();
    const second = await a.locator('article.line').nth(1).getAttribute('data-line');
    await a.keyboard.press('j');
    await expect.poll(() => a.locator('article.line.selected').getAttribute('data-line'), WAIT).toBe(second);
    await a.keyboard.press('r');
    await a.keyboard.type('Refund from our insurer');
    await a.keyboard.press('Enter');
    await expect
      .poll(() => a.getByRole('status').textContent(), WAIT)
      .toMatch(new RegExp(`Line ${second} is now rejected`));

    const actions = listAudit(h.server.ops, { action: 'cashapp.' }).map((e) => `${e.action} ${e.actor}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^cashapp\.accept t?-?\S*/),
        expect.stringMatching(/^cashapp\.reject /),
        expect.stringMatching(/^cashapp\.import /),
      ]),
    );
  });

  it('hostile values come back as text', async () => {
    const page = await h.newPage();
    await openCash(page, 'credit_manager');
    const first = page.locator('article.line').first();
    const hostile = '"><img src=x onerror="document.title=1">';
    await first.locator('form:has(input[name=kind][value=unapplied]) input[name=customer]').fill(hostile);
    await first.getByRole('button', { name: 'Unapplied on customer' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toContain('Unknown customer');
    expect(await page.locator('img[src=x]').count()).toBe(0);
    await first.locator('textarea[name=splits]').fill(`INV-0000109=1e9\n${hostile}`);
    await first.getByRole('button', { name: 'Split' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toContain('INVOICE=AMOUNT');
  });

  it('hostile statement contents show as text; a file that is no statement is refused with its reason', async () => {
    const page = await h.newPage();
    await openCash(page, 'credit_manager');
    const csv = [
      'account,booking_date,value_date,amount,currency,counterparty_name,counterparty_iban,remittance,end_to_end_id,bank_reference',
      'DE89370400440532013000,2026-06-03,2026-06-03,12.34,EUR,"<img src=x onerror=""document.title=2"">",,"=HYPERLINK(""http://x"")<script>document.title=3</script>",,HOSTILE-1',
    ].join('\n');
    await page
      .locator('input[name=statement]')
      .setInputFiles({ name: 'hostile.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import and match' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), WAIT)
      .toContain('hostile.csv (csv): 1 line(s) read, 1 new');
    const hostile = page.locator('article.line', { hasText: '<img src=x' });
    await expect
      .poll(() => hostile.textContent(), WAIT)
      .toContain('=HYPERLINK("http://x")<script>document.title=3</script>');
    expect(await page.locator('article.line img').count()).toBe(0);
    expect(await page.title()).toBe('ARLens — Cash application');

    await page
      .locator('input[name=statement]')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\nworld\n') });
    await page.getByRole('button', { name: 'Import and match' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), WAIT)
      .toMatch(/the header lacks "account"/);
    await page.locator('input[name=statement]').setInputFiles({
      name: 'evil.xml',
      mimeType: 'application/xml',
      buffer: Buffer.from(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>',
      ),
    });
    await page.getByRole('button', { name: 'Import and match' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), WAIT)
      .toMatch(/document type declaration is not allowed/);
  });

  it('the CFO sees the queue without forms, and a CFO form post is refused', async () => {
    const page = await h.newPage();
    await openCash(page, 'cfo');
    expect(await page.locator('form[action^="?/"]').count()).toBe(0);
    await expect
      .poll(() => page.locator('main').textContent(), WAIT)
      .toContain('a credit manager decides it');
    const { cookie, csrf } = await signedIn(h.server, { role: 'cfo' });
    const l = listLines(h.server.ops, { status: 'review' })[0]!;
    const post = await fetch(new URL('/cash?/decide', h.url), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie,
        origin: h.url.replace(/\/$/, ''),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'x-sveltekit-action': 'true',
      },
      body: new URLSearchParams({
        csrf,
        line: String(l.id),
        version: String(l.version),
        kind: 'reject',
        reason: 'x',
      }).toString(),
    });
    expect(post.status).toBe(403);
    expect(listLines(h.server.ops, { status: 'rejected' }).some((x) => x.id === l.id)).toBe(false);
  });
});
