/**
 * Signing in, out, and where the browser is sent after. On the demo data set one-click demo users
 * refuse a region or portfolio the data does not have; on a user's own data there are only accounts
 * (user name and password), with lock-out, CSRF on every signed-in write, and revocation that takes
 * effect on the next request (pages, the API, Cube). Redirect targets (/signin?next=, /lang?back=)
 * stay on this server, whatever a link puts there. Sign-out and the language cookie work over plain
 * http on any host name (a `Secure` deletion is ignored by the browser on a non-loopback http host),
 * checked by Set-Cookie and in Chromium on http://arlens.internal.
 */
import { request } from 'node:http';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../auth/passwords.ts';
import { addUser, disableUser, findUser } from '../../auth/users.ts';
import { listAudit } from '../../ops/audit.ts';
import { signToken } from '../../auth/tokens.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { CHROMIUM, CHROMIUM_ARGS, HYDRATION_PROBE } from '../browser/harness.ts';
import { ingest } from '../../ingest/load.ts';
import { CUSTOMERS_HEADER, customerRow, published, TEST_SECRET, tempDir, writeText } from '../helpers.ts';
import { chromium } from 'playwright-core';

let root: string;
let wh: string;
let controller: string;

beforeAll(async () => {
  root = await tempDir('arlens-signin-');
  wh = await demoWarehouse(root, 400);
  const [c] = await published(
    wh,
    `SELECT credit_controller FROM marts.dim_customers WHERE credit_controller IS NOT NULL ORDER BY 1 LIMIT 1`,
  );
  controller = String(c?.['credit_controller']);
}, 120_000);
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly location: string | undefined;
  readonly cookies: string[];
  readonly body: string;
}

/**
 * One HTTP request with exactly these headers (fetch would not let a test set Host). `host` is the
 * name the browser would use; the connection goes to the server's address.
 */
function http(
  server: RunningServer,
  method: 'GET' | 'POST',
  path: string,
  options: { host?: string; headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<Answer> {
  const address = new URL(server.url);
  const host = options.host ? `${options.host}:${address.port}` : address.host;
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address.hostname,
        port: address.port,
        method,
        path,
        headers: {
          host,
          // As a browser's form post or navigation (SvelteKit answers JSON to other clients).
          accept: 'text/html',
          ...(body !== undefined
            ? { 'content-type': 'application/x-www-form-urlencoded', origin: `http://${host}` }
            : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            cookies: res.headers['set-cookie'] ?? [],
            body: text,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The Set-Cookie line for `name`, if any. */
const cookie = (a: Answer, name: string) => a.cookies.find((c) => c.startsWith(`${name}=`));
/** The attributes of a Set-Cookie line, lower-cased names ('max-age' → '0', 'secure' → ''). */
function attributes(line: string | undefined): Record<string, string> {
  const [, ...parts] = (line ?? '').split(';');
  return Object.fromEntries(
    parts.map((p) => {
      const [k, ...v] = p.trim().split('=');
      return [k!.toLowerCase(), v.join('=')];
    }),
  );
}
const sessionOf = (a: Answer) => cookie(a, 'arlens_session')?.split(';')[0]?.slice('arlens_session='.length);

/** Values a link could put into ?next= or ?back= to send the browser elsewhere. */
const HOSTILE_TARGETS = [
  '/\\evil.example',
  '/\\/evil.example',
  '\\\\evil.example',
  '//evil.example',
  '/\t/evil.example',
  'https://evil.example/',
  'javascript:alert(9)',
  '/a/..//evil.example',
];

describe('on the demo data set', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      warehouseDir: wh,
      host: '127.0.0.1',
      port: 0,
      apiSecret: TEST_SECRET,
      demo: true,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('offers the role picker with the regions and portfolios of the data', async () => {
    const page = await http(server, 'GET', '/signin');
    expect(page.status).toBe(200);
    expect(page.body.match(/type="radio"/g)).toHaveLength(6);
    expect(page.body).toContain('name="password"');
    expect(page.body).toContain('Demo users');
    expect(page.body).toContain('<option value="LATAM">LATAM</option>');
  });

  it('refuses a region or a portfolio the data does not have', async () => {
    const mars = await http(server, 'POST', '/signin', { form: { role: 'sales_lead', region: 'Mars' } });
    expect(mars.status).toBe(400);
    expect(mars.body).toContain('There is no region "Mars" in the data.');
    expect(sessionOf(mars)).toBeUndefined();
    const nobody = await http(server, 'POST', '/signin', {
      form: { role: 'collector', portfolio: 'Nobody' },
    });
    expect(nobody.status).toBe(400);
    expect(sessionOf(nobody)).toBeUndefined();
    const latam = await http(server, 'POST', '/signin', { form: { role: 'sales_lead', region: 'LATAM' } });
    expect(latam.status).toBe(303);
    // The cookie is an opaque session id; the session is a demo user's, scoped to LATAM.
    expect(sessionOf(latam)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const demo = server.ops.db
      .prepare("SELECT username, regions, demo FROM users WHERE role = 'sales_lead'")
      .all();
    expect(demo).toEqual([expect.objectContaining({ regions: '["LATAM"]', demo: 1 })]);
    const own = await http(server, 'POST', '/signin', { form: { role: 'collector', portfolio: controller } });
    expect(own.status).toBe(303);
    expect(own.location).toBe('/collections');
  });

  it.for(HOSTILE_TARGETS)('never redirects off-site: %j', async (target) => {
    const lang = await http(server, 'GET', `/lang?to=ja&back=${encodeURIComponent(target)}`);
    expect(lang.status).toBe(303);
    expect(lang.location).toBe('/');
    const signin = await http(server, 'POST', `/signin?next=${encodeURIComponent(target)}`, {
      form: { role: 'cfo' },
    });
    expect(signin.status).toBe(303);
    expect(signin.location).toBe('/');
  });

  it('follows same-origin targets, with their query', async () => {
    const back = '/credit?region=LATAM&pl=Spare+Parts';
    expect((await http(server, 'GET', `/lang?to=en&back=${encodeURIComponent(back)}`)).location).toBe(back);
    const signin = await http(server, 'POST', `/signin?next=${encodeURIComponent(back)}`, {
      form: { role: 'cfo' },
    });
    expect(signin.location).toBe(back);
  });

  it('signs in and out over plain http on a host name that is not loopback', async () => {
    const host = 'arlens.internal';
    const signin = await http(server, 'POST', '/signin', { host, form: { role: 'cfo' } });
    expect(signin.status).toBe(303);
    const session = cookie(signin, 'arlens_session');
    expect(attributes(session)).toMatchObject({ path: '/', httponly: '', samesite: 'Strict' });
    expect(attributes(session)).not.toHaveProperty('secure');
    const page = await http(server, 'GET', '/', {
      host,
      headers: { cookie: `arlens_session=${sessionOf(signin)}` },
    });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    expect(csrf).not.toBe('');
    const signout = await http(server, 'POST', '/signout', {
      host,
      form: { csrf },
      headers: { cookie: `arlens_session=${sessionOf(signin)}` },
    });
    expect(signout.status).toBe(303);
    const deletion = cookie(signout, 'arlens_session');
    expect(deletion).toBeDefined();
    expect(attributes(deletion)).toMatchObject({ path: '/', 'max-age': '0' });
    // A Secure deletion over http to this host is dropped by the browser: the session would stay.
    expect(attributes(deletion)).not.toHaveProperty('secure');
    const lang = await http(server, 'GET', '/lang?to=ja&back=/', { host });
    expect(attributes(cookie(lang, 'arlens_lang'))).not.toHaveProperty('secure');
  });

  it('in Chromium, sign-out on http://arlens.internal ends the session', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP arlens.internal 127.0.0.1'],
      headless: true,
    });
    try {
      const context = await browser.newContext();
      await context.addInitScript(HYDRATION_PROBE);
      const page = await context.newPage();
      const base = `http://arlens.internal:${new URL(server.url).port}`;
      await page.goto(`${base}/signin`);
      await page.locator('input[name=role][value=cfo]').check();
      await Promise.all([
        page.waitForURL(`${base}/`),
        page.getByRole('button', { name: 'Sign in as a demo user' }).click(),
      ]);
      expect((await context.cookies()).map((c) => c.name)).toContain('arlens_session');
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/signin'),
        page.getByRole('button', { name: 'Sign out' }).click(),
      ]);
      expect((await context.cookies()).map((c) => c.name)).not.toContain('arlens_session');
      await page.goto(`${base}/credit`);
      expect(new URL(page.url()).pathname).toBe('/signin');
    } finally {
      await browser.close();
    }
  });
});

describe("on a user's own data (accounts only)", () => {
  let server: RunningServer;
  let opsPath: string;
  const PASSWORD = 'a long enough passphrase';
  beforeAll(async () => {
    server = await startServer({ warehouseDir: wh, host: '127.0.0.1', port: 0, apiSecret: TEST_SECRET });
    opsPath = server.ops.path;
    const hash = await hashPassword(PASSWORD);
    const admin = { id: null, name: 'test', address: null };
    addUser(server.ops, admin, {
      username: 'emi',
      role: 'sales_lead',
      regions: ['EMEA'],
      passwordHash: hash,
    });
    addUser(server.ops, admin, { username: 'kai', role: 'cfo', passwordHash: hash });
    addUser(server.ops, admin, { username: 'lou', role: 'cfo', passwordHash: hash });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  const signIn = (username: string, password: string, next = '') =>
    http(server, 'POST', `/signin${next ? `?next=${encodeURIComponent(next)}` : ''}`, {
      form: { username, password },
    });
  const asSession = (a: Answer) => ({ cookie: `arlens_session=${sessionOf(a)}` });

  it('offers a user name and password, no role picker and no token', async () => {
    const page = await http(server, 'GET', '/signin');
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('type="radio"');
    expect(page.body).not.toContain('name="token"');
    expect(page.body).toContain('name="username"');
    expect(page.body).toContain('autocomplete="current-password"');
  });

  it('refuses the demo role picker', async () => {
    const cfo = await http(server, 'POST', '/signin', { form: { role: 'cfo' } });
    expect(cfo.status).toBe(403);
    expect(sessionOf(cfo)).toBeUndefined();
  });

  it('signs in with the right password: an opaque session of 8 hours, the role’s home or ?next', async () => {
    const res = await signIn('emi', PASSWORD, '/credit');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/credit');
    expect(sessionOf(res)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Number(attributes(cookie(res, 'arlens_session'))['max-age'])).toBe(8 * 3600);
    const home = await http(server, 'GET', '/', { headers: asSession(res) });
    expect(home.status).toBe(200);
    expect(home.body).toContain('emi · Sales lead · EMEA');
    const wrong = await signIn('emi', 'not the password');
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('Wrong user name or password.');
    expect(sessionOf(wrong)).toBeUndefined();
    // A made-up name gets the same answer as a wrong password.
    expect((await signIn('nobody-at-all', PASSWORD)).body).toContain('Wrong user name or password.');
  });

  it('locks the account after 5 failures, even for the right password', async () => {
    for (let i = 0; i < 4; i++) expect((await signIn('lou', `guess ${i} guess ${i}`)).status).toBe(400);
    const fifth = await signIn('lou', 'guess 5 guess 5');
    expect(fifth.status).toBe(429);
    expect(fifth.body).toContain('Too many failed sign-ins for this account');
    const right = await signIn('lou', PASSWORD);
    expect(right.status).toBe(429);
    expect(sessionOf(right)).toBeUndefined();
    expect(listAudit(server.ops, { action: 'sign_in.locked' }).map((e) => e.target)).toContain('lou');
  });

  it('refuses a signed-in write without the session’s CSRF token, or from another origin', async () => {
    const s = asSession(await signIn('kai', PASSWORD));
    const noToken = await http(server, 'POST', '/signout', { form: {}, headers: s });
    expect(noToken.status).toBe(403);
    expect(cookie(noToken, 'arlens_session')).toBeUndefined();
    const page = await http(server, 'GET', '/', { headers: s });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const foreign = await http(server, 'POST', '/signout', {
      form: { csrf },
      headers: { ...s, origin: 'https://evil.example' },
    });
    expect(foreign.status).toBe(403);
    // Still signed in after both.
    expect((await http(server, 'GET', '/', { headers: s })).status).toBe(200);
    const out = await http(server, 'POST', '/signout', { form: { csrf }, headers: s });
    expect(out.status).toBe(303);
    // Signed out for real: the same cookie opens nothing any more.
    expect((await http(server, 'GET', '/', { headers: s })).status).toBe(303);
  });

  it('disabling a user ends their session and their API token at once, on pages, the API and Cube', async () => {
    const s = asSession(await signIn('kai', PASSWORD));
    const kai = findUser(server.ops, 'kai')!;
    const token = await signToken(TEST_SECRET, { role: 'cfo', uid: kai.id, name: 'kai' }, '1h');
    const cube = (headers: Record<string, string>) =>
      fetch(
        `${server.url}cubejs-api/v1/load?query=${encodeURIComponent('{"measures":["cfo_overview.total_ar"]}')}`,
        {
          headers,
        },
      );
    expect((await http(server, 'GET', '/', { headers: s })).status).toBe(200);
    expect(
      (await fetch(`${server.url}api/status`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    expect((await cube({ ...s, authorization: 'cookie' })).status).toBe(200);
    disableUser(server.ops, { id: null, name: 'test', address: null }, 'kai');
    expect((await http(server, 'GET', '/', { headers: s })).status).toBe(303);
    expect(
      (await fetch(`${server.url}api/status`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401);
    expect((await cube({ ...s, authorization: 'cookie' })).status).toBe(403);
    expect((await cube({ authorization: token })).status).toBe(403);
    expect((await signIn('kai', PASSWORD)).body).toContain('This account is disabled.');
  });

  it('a demo user’s session opens nothing once the server serves other data', async () => {
    // One server per process (the dashboard's handler is loaded once): the demo server, then the
    // user's own on the same operational store.
    await server.close();
    const options = {
      warehouseDir: wh,
      host: '127.0.0.1',
      port: 0,
      apiSecret: TEST_SECRET,
      opsStore: opsPath,
    };
    const demoServer = await startServer({ ...options, demo: true });
    let demo: Answer;
    try {
      demo = await http(demoServer, 'POST', '/signin', { form: { role: 'cfo' } });
      expect(demo.status).toBe(303);
      expect((await http(demoServer, 'GET', '/', { headers: asSession(demo) })).status).toBe(200);
    } finally {
      await demoServer.close();
    }
    server = await startServer(options);
    expect((await http(server, 'GET', '/', { headers: asSession(demo) })).status).toBe(303);
  });
});

describe('`arlens start` offers demo sign-in only on the demo data set', () => {
  it('is on when every load came from the demo exports, off otherwise', async () => {
    const { onlyDemoLoads } = await import('../../server/demo.ts');
    // demoWarehouse loads <root>/exports.
    expect(await onlyDemoLoads(wh, join(root, 'exports'))).toBe(true);
    expect(await onlyDemoLoads(wh, join(root, 'elsewhere'))).toBe(false);
    expect(await onlyDemoLoads(wh, join(root, 'export'))).toBe(false);
    // The user loads a file of their own into the demo warehouse: no demo sign-in any more.
    const own = join(root, 'own');
    await fs.mkdir(own);
    await writeText(own, 'customers.csv', [CUSTOMERS_HEADER, customerRow('OWN-1')].join('\n'));
    await ingest([{ path: own, profile: 'canonical' }], { warehouseDir: wh });
    expect(await onlyDemoLoads(wh, join(root, 'exports'))).toBe(false);
  });
});
