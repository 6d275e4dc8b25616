/**
 * The Credit page in Chromium, as a credit manager: the holds queue shows an order the API held;
 * releasing it without a reason is refused by the browser, with one it is released and leaves the
 * queue; a request by a colleague awaits them and approving it applies the limit, which the
 * customer page's limit history then shows with who and why; their own request does not await them.
 * The holds queue pages through 30 held orders 25 at a time, filtered in the URL.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../auth/passwords.ts';
import { addUser } from '../../auth/users.ts';
import type { CreditActor } from '../../credit/actor.ts';
import { checkOrder } from '../../credit/checks.store.ts';
import { createRequest } from '../../credit/requests.store.ts';
import { listAudit } from '../../ops/audit.ts';
import { gotoReady, startBrowserHarness, type BrowserHarness } from './harness.ts';

let h: BrowserHarness;
const PASSWORD = 'credit manager passphrase 1';
const WAIT = { timeout: 20_000, interval: 100 };
let carl: CreditActor;
let cora: CreditActor;
let customerId = '';
let customerName = '';

beforeAll(async () => {
  h = await startBrowserHarness();
  const add = async (username: string, displayName: string) => {
    const u = addUser(
      h.server.ops,
      { id: null, name: 'system', address: null },
      { username, displayName, role: 'credit_manager', passwordHash: await hashPassword(PASSWORD) },
    );
    return { id: u.id, name: u.username, address: '127.0.0.1', role: 'credit_manager' as const };
  };
  carl = await add('carl', 'Carl Credit');
  cora = await add('cora', 'Cora Credit');
  const snap = await h.server.credit.snapshot();
  const c = [...snap.customers.values()].find(
    (x) => !x.blocked && x.erpLimitCents !== null && snap.rates.has(x.currency),
  )!;
  customerId = c.customerId;
  customerName = c.name;
  // 30 orders far over the limit: held or escalated, one of them SO-1.
  for (let i = 1; i <= 30; i++) {
    checkOrder(
      h.server.ops,
      cora,
      h.server.credit.policy,
      snap,
      { customerId, amountCents: 400_000_00, currency: 'USD', orderId: `SO-${i}` },
      { source: 'api' },
    );
  }
  createRequest(h.server.ops, cora, h.server.credit.policy, snap, {
    customerId,
    newLimit: '1000.00',
    reason: 'Cut after broken promises',
  });
}, 180_000);
afterEach(() => h.assertNoErrors());
afterAll(async () => {
  await h?.close();
});

async function signInAs(page: Page, username: string) {
  await page.goto(`${h.url}signin`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([
    page.waitForURL(`${h.url}credit`),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
}

describe('the Credit page as a credit manager', () => {
  it('pages the holds queue and filters it in the URL', async () => {
    const page = await h.newPage();
    await signInAs(page, 'carl');
    await gotoReady(page, `${h.url}credit`);
    await expect.poll(() => page.locator('tr[data-hold]').count(), WAIT).toBe(25);
    await expect.poll(() => page.locator('#holds').textContent(), WAIT).toContain('(30)');
    await page.getByRole('link', { name: 'Next →' }).first().click();
    await page.waitForURL(/hpage=2/);
    await expect.poll(() => page.locator('tr[data-hold]').count(), WAIT).toBe(5);
    await gotoReady(page, `${h.url}credit?hq=SO-1&hsort=customer&hdir=asc`);
    // SO-1, SO-10 … SO-19: 11 orders contain "SO-1".
    await expect.poll(() => page.locator('tr[data-hold]').count(), WAIT).toBe(11);
  });

  it('releases a hold with a reason; approves a colleague’s request; the customer page shows the history', async () => {
    const page = await h.newPage();
    await signInAs(page, 'carl');
    await gotoReady(page, `${h.url}credit?hq=SO-30`);
    const row = page.locator('tr[data-hold]').first();
    await expect.poll(() => row.textContent(), WAIT).toContain('SO-30');
    const heldEscalated = (await row.textContent()) ?? '';
    if (heldEscalated.includes('Escalate')) {
      // An escalated order is a CFO's to release: the credit manager is told so.
      await row.getByLabel('Reason').fill('Customer paid by wire');
      await row.getByRole('button', { name: 'Release' }).click();
      await expect
        .poll(() => page.locator('[role=alert]').textContent(), WAIT)
        .toContain('An escalated order is released by a CFO.');
      await row.getByRole('button', { name: 'Reject' }).click();
      await expect
        .poll(() => page.locator('[role=status]').first().textContent(), WAIT)
        .toContain('Order SO-30 rejected.');
    } else {
      await row.getByLabel('Reason').fill('Customer paid by wire');
      await row.getByRole('button', { name: 'Release' }).click();
      await expect
        .poll(() => page.locator('[role=status]').first().textContent(), WAIT)
        .toContain('Order SO-30 released.');
    }
    await expect.poll(() => page.locator('tr[data-hold]').count(), WAIT).toBe(0);
    expect(listAudit(h.server.ops, { action: 'credit.hold.' }).map((e) => e.actor)).toContain('carl');

    const awaiting = page.locator('tr[data-request]');
    await expect.poll(() => awaiting.count(), WAIT).toBe(1);
    await awaiting.getByRole('button', { name: 'Approve' }).click();
    await expect
      .poll(() => page.locator('[role=status]').first().textContent(), WAIT)
      .toMatch(/Request \d+ approved: the new limit applies now\./);

    await gotoReady(page, `${h.url}customers/${encodeURIComponent(customerId)}`);
    const history = page.locator('tr[data-limit-request]');
    await expect.poll(() => history.count(), WAIT).toBe(1);
    const text = (await history.textContent()) ?? '';
    expect(text).toContain('Approved');
    expect(text).toContain('cora');
    expect(text).toContain('carl');
    expect(text).toContain('Cut after broken promises');
    expect(await page.locator('h1').first().textContent()).toContain(customerName.slice(0, 10));
  });

  it('never offers a request to its own requester', async () => {
    const page = await h.newPage();
    await signInAs(page, 'cora');
    await gotoReady(page, `${h.url}credit`);
    await expect.poll(() => page.locator('#awaiting').textContent(), WAIT).toContain('(0)');
    expect(carl.id).not.toBe(cora.id);
  });
});
