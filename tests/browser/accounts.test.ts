/**
 * Accounts in Chromium: an admin adds a user on the Users page (the password is shown once), the user
 * signs in with it and lands on their role's page with their name in the header; signing out ends
 * the session; the admin disables a user who is signed in elsewhere and that user's next click goes
 * to sign-in; five wrong passwords lock the account with a message that says what to do. Every step
 * is in the audit log, which the admin reads on the Data page with the chain verified.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../auth/passwords.ts';
import { addUser } from '../../auth/users.ts';
import { listAudit } from '../../ops/audit.ts';
import {
  documentStatus,
  gotoReady,
  startBrowserHarness,
  waitForCharts,
  type BrowserHarness,
} from './harness.ts';

let h: BrowserHarness;
const ADMIN_PASSWORD = 'the admin passphrase 1';
/** How long a readiness probe may wait for the page (a form post hashes a password on a busy machine). */
const WAIT = { timeout: 20_000, interval: 100 };
beforeAll(async () => {
  h = await startBrowserHarness();
  addUser(
    h.server.ops,
    { id: null, name: 'system', address: null },
    {
      username: 'root-admin',
      displayName: 'Rin Admin',
      role: 'admin',
      passwordHash: await hashPassword(ADMIN_PASSWORD),
    },
  );
}, 180_000);
afterEach(() => h.assertNoErrors());
afterAll(async () => {
  await h?.close();
});

/** Sign in through the password form; resolves on the page the server sends the browser to. */
async function passwordSignIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${h.url}signin`);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await Promise.all([
    page.waitForResponse((r) => r.url().includes('/signin') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Sign in', exact: true }).click(),
  ]);
  await page.waitForLoadState('load');
}

describe('accounts through the browser', () => {
  let password = '';

  it('an admin adds a user; the password is shown once and signs them in', async () => {
    const admin = await h.newPage();
    await passwordSignIn(admin, 'root-admin', ADMIN_PASSWORD);
    await admin.waitForURL(`${h.url}admin/users`);
    await expect
      .poll(() => admin.locator('header .who').textContent(), WAIT)
      .toContain('Rin Admin · Administrator');
    const form = admin.locator('form[action="?/add"]');
    await form.getByLabel('User name', { exact: true }).fill('aoi');
    await form.getByLabel('Name', { exact: true }).fill('Aoi Tanaka');
    await form.getByLabel('Role').selectOption('sales_lead');
    await form.getByLabel('Regions (sales lead, comma-separated)').fill('EMEA, LATAM');
    await form.getByRole('button', { name: 'Add user' }).click();
    const done = admin.getByRole('status').filter({ hasText: 'Added aoi' });
    await expect.poll(() => done.textContent(), WAIT).toMatch(/hand it over safely: \S{20}$/);
    password = /: (\S{20})$/.exec((await done.textContent()) ?? '')![1]!;
    await expect
      .poll(() => admin.locator('tr[data-user="aoi"]').textContent(), WAIT)
      .toContain('EMEA, LATAM');

    const aoi = await h.newPage();
    await passwordSignIn(aoi, 'aoi', password);
    expect(new URL(aoi.url()).pathname).toBe('/');
    expect(await documentStatus(aoi)).toBe(200);
    await expect
      .poll(() => aoi.locator('header .who').textContent(), WAIT)
      .toContain('Aoi Tanaka · Sales lead · EMEA, LATAM');
    // The overview's queries finish first: one still in flight at sign-out is answered 403 (signed out).
    await waitForCharts(aoi);
    // Sign out: back to sign-in, and the app is closed to this browser.
    await Promise.all([
      aoi.waitForURL((u) => u.pathname === '/signin'),
      aoi.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    await aoi.goto(`${h.url}credit`);
    expect(new URL(aoi.url()).pathname).toBe('/signin');
  }, 120_000);

  it('disabling a signed-in user sends them to sign-in on their next click', async () => {
    // Her last sign-in attempt, once disabled, is answered 400.
    const aoi = await h.newPage({ ignoreErrors: [/status of 400/] });
    await passwordSignIn(aoi, 'aoi', password);
    await gotoReady(aoi, `${h.url}customers`);
    const admin = await h.newPage();
    await passwordSignIn(admin, 'root-admin', ADMIN_PASSWORD);
    await admin.locator('tr[data-user="aoi"]').getByRole('button', { name: 'Disable' }).click();
    await expect
      .poll(() => admin.getByRole('status').textContent(), WAIT)
      .toContain('aoi is disabled and signed out.');
    await aoi.goto(`${h.url}credit`);
    expect(new URL(aoi.url()).pathname).toBe('/signin');
    await passwordSignIn(aoi, 'aoi', password);
    await expect
      .poll(() => aoi.getByRole('alert').textContent(), WAIT)
      .toContain('This account is disabled.');
  }, 120_000);

  it('five wrong passwords lock the account, and the right one is refused until it opens again', async () => {
    addUser(
      h.server.ops,
      { id: null, name: 'system', address: null },
      {
        username: 'ren',
        role: 'analyst',
        passwordHash: await hashPassword('ren’s real passphrase'),
      },
    );
    const page = await h.newPage({ ignoreErrors: [/status of 4(00|29)/] });
    for (let i = 1; i <= 4; i++) {
      await passwordSignIn(page, 'ren', `wrong guess number ${i}`);
      await expect
        .poll(() => page.getByRole('alert').textContent(), WAIT)
        .toBe('Wrong user name or password.');
    }
    await passwordSignIn(page, 'ren', 'wrong guess number 5');
    await expect
      .poll(() => page.getByRole('alert').textContent(), WAIT)
      .toMatch(
        /^Too many failed sign-ins for this account\. Try again in 15 min, or ask an administrator to reset the password\.$/,
      );
    await passwordSignIn(page, 'ren', 'ren’s real passphrase');
    await expect
      .poll(() => page.getByRole('alert').textContent(), WAIT)
      .toContain('Too many failed sign-ins');
    expect(new URL(page.url()).pathname).toBe('/signin');
  }, 120_000);

  it('the admin reads every step in the audit log, chain verified', async () => {
    const admin = await h.newPage();
    await passwordSignIn(admin, 'root-admin', ADMIN_PASSWORD);
    await gotoReady(admin, `${h.url}data`);
    await expect
      .poll(() => admin.getByRole('status').filter({ hasText: 'Chain verified' }).count(), WAIT)
      .toBe(1);
    const log = admin.locator('table.audit');
    for (const action of [
      'user.add',
      'sign_in',
      'sign_out',
      'user.disable',
      'sign_in.failure',
      'sign_in.locked',
    ]) {
      expect(
        await log.locator('code', { hasText: new RegExp(`^${action.replace('.', '\\.')}$`) }).count(),
        action,
      ).toBeGreaterThan(0);
    }
    const actions = listAudit(h.server.ops, { limit: 1000 }).map(
      (e) => `${e.actor}:${e.action}:${e.target ?? ''}`,
    );
    expect(actions).toContain('root-admin:user.add:aoi');
    expect(actions).toContain('root-admin:user.disable:aoi');
    expect(actions).toContain('ren:sign_in.locked:ren');
  }, 120_000);
});
