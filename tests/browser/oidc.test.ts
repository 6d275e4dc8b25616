/**
 * Single sign-on through OpenID Connect, in Chromium, against a provider the test starts on this
 * machine (tests/browser/idp.ts: oidc-provider at http://localhost:<port>, ARLens at
 * http://127.0.0.1:<port>, so the redirects between them are cross-site as in a deployment).
 *
 * An ARLens user whose email the provider has verified signs in, lands on their role's start page
 * with their name in the header, and their identity is linked on that first sign-in (audited
 * user.link_oidc, then sign_in with method oidc); the next sign-in finds them by subject and goes on
 * to the page they asked for. An unknown email lands on /signin with the "no ARLens user" notice, a
 * disabled user is refused, a forged or replayed callback opens no session, and a provider that
 * cannot be reached sends the browser back to sign-in (and is tried again at the next sign-in).
 */
import { promises as fs } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addUser, disableUser, findUser } from '../../auth/users.ts';
import { listAudit, verifyAudit, type AuditEntry } from '../../ops/audit.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { TEST_SECRET, tempDir } from '../helpers.ts';
import { CSP_PROBE, HYDRATION_PROBE, launchChromium, recordErrors } from './harness.ts';
import { IDP_CLIENT, listenIdp, type Idp } from './idp.ts';

const LABEL = 'Test IdP';
const ADMIN = { id: null, name: 'test', address: null };

let root: string;
let idp: Idp | undefined;
let server: RunningServer | undefined;
let browser: Browser | undefined;
let base: string;
let unreachable: Response;
const contexts = new Set<BrowserContext>();
let errors: string[] = [];

beforeAll(async () => {
  root = await tempDir('arlens-oidc-');
  const wh = await demoWarehouse(root, 400);
  idp = await listenIdp();
  server = await startServer({
    warehouseDir: wh,
    host: '127.0.0.1',
    port: 0,
    apiSecret: TEST_SECRET,
    oidc: { issuer: idp.issuer, client_id: IDP_CLIENT.id, client_secret: IDP_CLIENT.secret, label: LABEL },
  });
  base = server.url;
  // The provider is not serving yet (it answers 503): a sign-in started now cannot reach it.
  unreachable = await fetch(`${base}signin/oidc?next=%2Fcredit`, { redirect: 'manual' });
  await idp.serve([`${base}signin/oidc/callback`], {
    'sub-akiko': { email: 'akiko@example.com', emailVerified: true },
    'sub-kenji': { email: 'kenji@example.com', emailVerified: true },
    'sub-nobody': { email: 'nobody@example.com', emailVerified: true },
  });
  addUser(server.ops, ADMIN, {
    username: 'akiko',
    displayName: 'Akiko Tanaka',
    email: 'akiko@example.com',
    role: 'cfo',
    passwordHash: null,
  });
  addUser(server.ops, ADMIN, {
    username: 'kenji',
    email: 'kenji@example.com',
    role: 'analyst',
    passwordHash: null,
  });
  disableUser(server.ops, ADMIN, 'kenji');
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await idp?.close();
  await fs.rm(root, { recursive: true, force: true });
});

afterEach(async () => {
  for (const c of contexts) await c.close();
  contexts.clear();
  // ARLens's pages only: the provider's pages are not ours (their font request is refused above).
  const found = errors.filter((e) => e.startsWith(base));
  errors = [];
  expect(found).toEqual([]);
});

/** A page in a fresh context; console errors and CSP violations are recorded (favicons aside). */
async function newPage(): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser!.newContext({ locale: 'en-US', timezoneId: 'Asia/Tokyo' });
  contexts.add(context);
  await context.addInitScript(HYDRATION_PROBE);
  await context.addInitScript(CSP_PROBE);
  // Offline: nothing leaves this machine (the provider's development pages ask for a web font).
  await context.route(
    (u) => !u.href.startsWith(base) && !u.href.startsWith(idp!.issuer),
    (r) => r.abort(),
  );
  const page = await context.newPage();
  recordErrors(page, errors);
  return { page, context };
}

const inArlens = (u: URL) => u.href.startsWith(base) && !u.pathname.startsWith('/signin/oidc');

/**
 * From /signin through the provider's sign-in form as `login` (the account's subject) and back, until
 * ARLens shows a page other than the callback's.
 */
async function viaProvider(page: Page, login: string, next?: string): Promise<URL> {
  await page.goto(`${base}signin${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(idp!.issuer)),
    page.getByRole('link', { name: `Sign in with ${LABEL}` }).click(),
  ]);
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await Promise.all([
    page.waitForURL(inArlens, { waitUntil: 'load' }),
    page.getByRole('button', { name: 'Sign-in' }).click(),
  ]);
  return new URL(page.url());
}

async function cookieNames(context: BrowserContext): Promise<string[]> {
  return (await context.cookies(base)).map((c) => c.name);
}

const entries = (action: string, target?: string): AuditEntry[] =>
  listAudit(server!.ops, { action, limit: 1000 }).filter(
    (e) => e.action === action && (target === undefined || e.target === target),
  );
const after = (e: AuditEntry | undefined) => JSON.parse(e?.after ?? 'null') as Record<string, unknown>;

/** The header's account text once the page has hydrated. */
async function signedInAs(page: Page): Promise<string> {
  await page.waitForFunction(() => (window as { __arlensHydrated?: boolean }).__arlensHydrated === true);
  return (await page.locator('header .account').innerText()).replace(/\s+/g, ' ');
}

describe('single sign-on in Chromium', () => {
  it('sends the browser back to sign-in when the provider cannot be reached, and tries again later', async () => {
    expect(unreachable.status).toBe(303);
    expect(unreachable.headers.get('location')).toBe('/signin?sso=failed&next=%2Fcredit');
    expect(unreachable.headers.get('set-cookie')).toBeNull();
    // Discovery is not cached after a failure: now that the provider answers, sign-in starts.
    const started = await fetch(`${base}signin/oidc`, { redirect: 'manual' });
    expect(started.status).toBe(303);
    expect(started.headers.get('location')).toMatch(new RegExp(`^${idp!.issuer}/`));
    expect(started.headers.get('set-cookie')).toMatch(/^arlens_oidc=v1\./);
  });

  it('signs in a user by their verified email, links the identity, and lands on their start page', async () => {
    const { page, context } = await newPage();
    const landed = await viaProvider(page, 'sub-akiko');
    expect(landed.pathname).toBe('/');
    expect(await signedInAs(page)).toContain('Akiko Tanaka');
    expect(await cookieNames(context)).toContain('arlens_session');
    expect(await cookieNames(context)).not.toContain('arlens_oidc');
    expect(findUser(server!.ops, 'akiko')?.oidcSubject).toBe('sub-akiko');
    const [link] = entries('user.link_oidc', 'akiko');
    expect(after(link)).toEqual({ issuer: idp!.issuer, subject: 'sub-akiko' });
    const [signIn] = entries('sign_in', 'akiko');
    expect(after(signIn)).toEqual({ method: 'oidc', role: 'cfo' });
    // Linked first, then signed in.
    expect(signIn!.seq).toBeGreaterThan(link!.seq);
    expect(verifyAudit(server!.ops)).toMatchObject({ ok: true });
  });

  it('finds a linked user by subject next time, and goes on to the page asked for', async () => {
    const { page } = await newPage();
    const landed = await viaProvider(page, 'sub-akiko', '/credit?region=EMEA');
    expect(`${landed.pathname}${landed.search}`).toBe('/credit?region=EMEA');
    expect(await signedInAs(page)).toContain('Akiko Tanaka');
    expect(entries('user.link_oidc')).toHaveLength(1);
    expect(entries('sign_in', 'akiko')).toHaveLength(2);
  });

  it('sends an unknown email back to sign-in with the "no ARLens user" notice', async () => {
    const { page, context } = await newPage();
    const landed = await viaProvider(page, 'sub-nobody');
    expect(landed.pathname).toBe('/signin');
    expect(landed.searchParams.get('sso')).toBe('unknown');
    expect(landed.searchParams.get('email')).toBe('nobody@example.com');
    await expect
      .poll(() => page.getByRole('alert').innerText())
      .toContain('Your single sign-on account (nobody@example.com) has no ARLens user');
    expect(await cookieNames(context)).not.toContain('arlens_session');
    const [failure] = entries('sign_in.failure', 'nobody@example.com');
    expect(after(failure)).toMatchObject({
      method: 'oidc',
      reason: 'no ARLens user has this email',
      subject: 'sub-nobody',
    });
  });

  it('refuses a disabled user', async () => {
    const { page, context } = await newPage();
    const landed = await viaProvider(page, 'sub-kenji');
    expect(landed.pathname).toBe('/signin');
    expect(landed.searchParams.get('sso')).toBe('failed');
    await expect
      .poll(() => page.getByRole('alert').innerText())
      .toContain('Single sign-on did not sign you in');
    expect(await cookieNames(context)).not.toContain('arlens_session');
    expect(after(entries('sign_in.failure', 'kenji')[0])).toMatchObject({ reason: 'account disabled' });
    expect(findUser(server!.ops, 'kenji')?.oidcSubject).toBeNull();
    expect(entries('sign_in', 'kenji')).toHaveLength(0);
  });

  it('refuses a forged state, and a callback no sign-in here started (without an audit entry)', async () => {
    const { page, context } = await newPage();
    // A sign-in under way: the transaction cookie is set and the browser is at the provider.
    await page.goto(`${base}signin/oidc`);
    expect(page.url().startsWith(idp!.issuer)).toBe(true);
    const failures = entries('sign_in.failure').length;
    // As another's answer would come (the provider's issuer included), with a state of its own.
    const forged = `${base}signin/oidc/callback?code=forged-code&state=forged-state&iss=${encodeURIComponent(idp!.issuer)}`;
    await page.goto(forged);
    expect(new URL(page.url()).searchParams.get('sso')).toBe('failed');
    expect(await cookieNames(context)).not.toContain('arlens_session');
    expect(await cookieNames(context)).not.toContain('arlens_oidc');
    expect(entries('sign_in.failure')).toHaveLength(failures + 1);
    expect(String(after(entries('sign_in.failure')[0])['reason'])).toMatch(/"state"/);
    // The transaction is spent: the same answer again has none, and leaves no entry.
    await page.goto(forged);
    expect(new URL(page.url()).searchParams.get('sso')).toBe('failed');
    expect(entries('sign_in.failure')).toHaveLength(failures + 1);
  });

  it('refuses a replayed callback, with or without the transaction cookie', async () => {
    const { page, context } = await newPage();
    let callback = '';
    page.on('request', (r) => {
      if (r.url().startsWith(`${base}signin/oidc/callback`)) callback = r.url();
    });
    await page.goto(`${base}signin`);
    const [authorization] = await Promise.all([
      page.waitForRequest((r) => r.url().startsWith(idp!.issuer)),
      page.waitForURL((u) => u.href.startsWith(idp!.issuer)),
      page.getByRole('link', { name: `Sign in with ${LABEL}` }).click(),
    ]);
    const transaction = (await context.cookies(`${base}signin/oidc`)).find((c) => c.name === 'arlens_oidc');
    expect(transaction).toMatchObject({
      path: '/signin/oidc',
      httpOnly: true,
      sameSite: 'Lax',
      secure: false,
    });
    expect(transaction!.expires - Date.now() / 1000).toBeLessThanOrEqual(600);
    // The request to the provider: code flow, PKCE S256, state and nonce, our redirect URI.
    const asked = new URL(authorization.url()).searchParams;
    expect(asked.get('code_challenge_method')).toBe('S256');
    expect(asked.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(asked.get('state')).toBeTruthy();
    expect(asked.get('nonce')).toBeTruthy();
    expect(asked.get('redirect_uri')).toBe(`${base}signin/oidc/callback`);
    await page.locator('input[name=login]').fill('sub-akiko');
    await page.locator('input[name=password]').fill('any password');
    await Promise.all([
      page.waitForURL(inArlens, { waitUntil: 'load' }),
      page.getByRole('button', { name: 'Sign-in' }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(callback).toMatch(/[?&]code=/);
    const signIns = entries('sign_in', 'akiko').length;

    // The same browser again: its transaction was spent.
    await page.goto(callback);
    expect(new URL(page.url()).searchParams.get('sso')).toBe('failed');

    // Another browser with a copy of the transaction cookie: the provider refuses the spent code.
    const { page: other, context: otherContext } = await newPage();
    await otherContext.addCookies([{ ...transaction!, sameSite: 'Lax' }]);
    await other.goto(callback);
    expect(new URL(other.url()).searchParams.get('sso')).toBe('failed');
    expect(await cookieNames(otherContext)).not.toContain('arlens_session');
    expect(String(after(entries('sign_in.failure')[0])['reason'])).toContain('invalid_grant');
    expect(entries('sign_in', 'akiko')).toHaveLength(signIns);
  });
});
