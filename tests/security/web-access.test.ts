/**
 * Who may open what, over HTTP, against the one route table (auth/access.ts): every page route file
 * is in the table; every page as every role answers 200 or 403 as the table says (403 with the
 * friendly page and none of the page's data, also for SvelteKit's data requests); the menu offers
 * exactly the pages the role may open; signed out, every page sends you to sign in. The JSON API
 * (/api/status, /api/quarantine: every region's loads and rejected raw values) needs the dashboard
 * session or a token, and a role the table allows; /api/health stays public and says nothing else.
 */
import { promises as fs, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayDo, ROUTE_ROLES, routeKey } from '../../auth/access.ts';
import { findUser } from '../../auth/users.ts';
import { ROLES, signToken, type Role, type SecurityContext } from '../../auth/tokens.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { published, ROOT, sessionCookie, signedIn, TEST_SECRET, tempDir } from '../helpers.ts';

let root: string;
let wh: string;
let server: RunningServer;
/** A signed-in context per role (a real region and portfolio of the data). */
let contexts: Record<Role, SecurityContext>;
let customerId: string;

beforeAll(async () => {
  root = await tempDir('arlens-access-');
  wh = await demoWarehouse(root, 400);
  const [c] = await published(
    wh,
    `SELECT customer_id, credit_controller FROM marts.dim_customers
     WHERE region = 'LATAM' AND credit_controller IS NOT NULL ORDER BY customer_id LIMIT 1`,
  );
  customerId = String(c?.['customer_id']);
  contexts = {
    admin: { role: 'admin' },
    cfo: { role: 'cfo' },
    analyst: { role: 'analyst' },
    credit_manager: { role: 'credit_manager' },
    sales_lead: { role: 'sales_lead', regions: ['LATAM'] },
    collector: { role: 'collector', portfolio: String(c?.['credit_controller']) },
  };
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
  await fs.rm(root, { recursive: true, force: true });
});

const get = async (path: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, server.url), { headers, redirect: 'manual' });

/** The route ids of every page file under web/routes ('/(app)/customers/[id]'). */
async function pageRoutes(): Promise<string[]> {
  const dir = join(ROOT, 'web', 'routes');
  const files = (await fs.readdir(dir, { recursive: true })).filter((f) => f.endsWith('+page.svelte'));
  return files.map((f) => `/${f.replace(/\\/g, '/').replace(/\/?\+page\.svelte$/, '')}`).sort();
}

/** A URL path for a route key ('/customers/[id]' → '/customers/0000100001'). */
const pathOf = (key: string) => key.replace('[id]', encodeURIComponent(customerId));

/** The paths the menu of a page (at `path`) links to, in order (SvelteKit writes relative links). */
function menu(html: string, path: string): string[] {
  const nav = /<nav[^>]*aria-label="Main"[^>]*>([\s\S]*?)<\/nav>/.exec(html)?.[1] ?? '';
  return [...nav.matchAll(/href="([^"]*)"/g)].map((m) => new URL(m[1]!, new URL(path, server.url)).pathname);
}

/** Endpoints of the app (a +server.ts, e.g. a letter's PDF): in the table, but not pages. */
const ENDPOINT_KEYS = readdirSync(join(ROOT, 'web', 'routes'), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('+server.ts'))
  .map((f) => routeKey(`/${dirname(f.replace(/\\/g, '/'))}`))
  .filter((k) => Object.hasOwn(ROUTE_ROLES, k));
const PAGE_KEYS = Object.keys(ROUTE_ROLES).filter(
  (k) => !k.startsWith('/api/') && !ENDPOINT_KEYS.includes(k),
);
/** The menu's order (the table lists pages in it). */
const MENU_ORDER = PAGE_KEYS.filter((k) => !k.includes('['));

describe('the route table', () => {
  it('covers every page of the app, and only pages and the API', async () => {
    const routes = await pageRoutes();
    const keys = routes.map(routeKey).filter((k) => k !== '/signin');
    expect(keys.sort()).toEqual([...PAGE_KEYS].sort());
  });

  it('gives the Data page and the status API to the admin, the CFO and analysts only', () => {
    for (const route of ['/data', '/api/status', '/api/quarantine']) {
      expect([...ROUTE_ROLES[route]!].sort(), route).toEqual(['admin', 'analyst', 'cfo']);
    }
    // Every role has a page to land on.
    for (const role of ROLES) expect(MENU_ORDER.some((k) => ROUTE_ROLES[k]!.includes(role))).toBe(true);
  });
});

describe('endpoints of the app as every role, as the table says', () => {
  const cases = ROLES.flatMap((role) => ENDPOINT_KEYS.map((key) => [role, key] as const));
  it('finds the letter endpoint', () => {
    expect(ENDPOINT_KEYS).toContain('/collections/dunning/letters/[id]');
  });
  it.for(cases)('%s opens %s only when allowed', async ([role, key]) => {
    const allowed = ROUTE_ROLES[key]!.includes(role);
    const cookie = await sessionCookie(server, contexts[role]);
    // No such letter: allowed roles get 404 (nothing to see), others 403 before the handler runs.
    const res = await get(key.replace('[id]', '999999'), cookie);
    expect(res.status).toBe(allowed ? 404 : 403);
  });
});

describe('every page as every role, as the table says', () => {
  const cases = ROLES.flatMap((role) => PAGE_KEYS.map((key) => [role, key] as const));
  it.for(cases)('%s opens %s only when allowed', async ([role, key]) => {
    const allowed = ROUTE_ROLES[key]!.includes(role);
    const cookie = await sessionCookie(server, contexts[role]);
    const res = await get(pathOf(key), cookie);
    const html = await res.text();
    expect(res.status).toBe(allowed ? 200 : 403);
    const own = MENU_ORDER.filter((k) => ROUTE_ROLES[k]!.includes(role));
    // The menu offers exactly the pages the role may open, on every page (the 403 page too).
    expect(menu(html, pathOf(key))).toEqual(own);
    if (!allowed) {
      expect(html).toContain('Not available to your role');
      // The friendly page lists where the role may go instead.
      const list = /<section[^>]*data-status="403"[^>]*>([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
      expect(menu(`<nav aria-label="Main">${list}</nav>`, pathOf(key))).toEqual(own);
      // Nothing of the page itself: not its heading, not its data.
      expect(html).not.toContain('Quarantined rows');
      expect(html).not.toContain('customers.csv');
    }
    // SvelteKit's data request for the page (client-side navigation).
    const data = await get(`${pathOf(key).replace(/\/$/, '')}/__data.json`, cookie);
    expect(data.status).toBe(allowed ? 200 : 403);
    if (!allowed) expect(await data.text()).not.toContain('customers.csv');
  });

  it('a signed-out visitor is sent to sign in from every page', async () => {
    for (const key of PAGE_KEYS) {
      const res = await get(pathOf(key));
      expect(res.status, key).toBe(303);
      expect(res.headers.get('location'), key).toBe(`/signin?next=${encodeURIComponent(pathOf(key))}`);
    }
    expect((await get('/signin')).status).toBe(200);
  });
});

describe('every action as every role, as the declaration says (auth/policy.ts)', () => {
  it.for(ROLES)('%s: users.manage and audit.read', async (role) => {
    const { cookie, csrf } = await signedIn(server, contexts[role]);
    // users.manage: adding a user through the Users page's form action.
    const username = `made-by-${role.replace('_', '-')}`;
    const post = await fetch(new URL('/admin/users?/add', server.url), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie,
        origin: server.url.replace(/\/$/, ''),
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'x-sveltekit-action': 'true',
      },
      body: new URLSearchParams({ csrf, username, role: 'analyst', sso: 'on' }).toString(),
    });
    const made = findUser(server.ops, username) !== null;
    expect(made, `${role} made a user (HTTP ${post.status})`).toBe(mayDo(role, 'users.manage'));
    if (!made) expect(post.status).toBe(403);
    // audit.read: the audit log on the Data page, for the roles that may open it.
    if (ROUTE_ROLES['/data']!.includes(role)) {
      const html = await (await get('/data', { cookie })).text();
      expect(html.includes('Audit log'), role).toBe(mayDo(role, 'audit.read'));
    }
  });
});

describe('a rule a change breaks, on the Users page', () => {
  it("is told in the user's language (Japanese here), not the CLI's English", async () => {
    const { cookie, csrf } = await signedIn(server, contexts.admin);
    const add = async (fields: Record<string, string>) => {
      const res = await fetch(new URL('/admin/users?/add', server.url), {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: `${cookie}; arlens_lang=ja`,
          origin: server.url.replace(/\/$/, ''),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          'x-sveltekit-action': 'true',
        },
        body: new URLSearchParams({ csrf, role: 'analyst', sso: 'on', ...fields }).toString(),
      });
      return (await res.json()) as { type: string; status: number; data: string };
    };
    expect((await add({ username: 'hanako' })).type).toBe('success');
    const taken = await add({ username: 'hanako' });
    expect(taken).toMatchObject({ type: 'failure', status: 400 });
    expect(taken.data).toContain('ユーザー名 hanako はすでに使われています。');
    expect(taken.data).not.toContain('exists already');
    const region = await add({ username: 'taro', role: 'sales_lead' });
    expect(region.data).toContain('営業責任者には地域を1つ以上指定してください。');
  });
});

describe('the JSON API', () => {
  const API = ['/api/status', '/api/quarantine'];

  it('answers no one without a session or a token', async () => {
    for (const path of API) {
      const res = await get(path);
      expect(res.status, path).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const body = await res.text();
      expect(body).not.toContain('customers.csv');
      expect(body).not.toContain('rows');
    }
    const expired = await signToken(TEST_SECRET, { role: 'cfo' }, Math.floor(Date.now() / 1000) - 60);
    const wrongSecret = await signToken('another-secret-another-secret-another!', { role: 'cfo' });
    for (const authorization of [`Bearer ${expired}`, `Bearer ${wrongSecret}`, 'Bearer nonsense', 'cookie']) {
      expect((await get('/api/status', { authorization })).status, authorization).toBe(401);
    }
    // A cookie that is not even well-formed is no session either.
    expect((await get('/api/status', { cookie: 'arlens_session=%E0%A4%A' })).status).toBe(401);
  });

  it('answers a token or the session of a role the table allows, and 403 to others', async () => {
    for (const role of ROLES) {
      const allowed = ROUTE_ROLES['/api/status']!.includes(role);
      const token = await signToken(TEST_SECRET, contexts[role]);
      for (const path of API) {
        for (const headers of [
          { authorization: `Bearer ${token}` },
          { authorization: token },
          await sessionCookie(server, contexts[role]),
        ]) {
          const res = await get(path, headers);
          expect(res.status, `${role} ${path}`).toBe(allowed ? 200 : 403);
          const body = (await res.json()) as Record<string, unknown>;
          if (allowed)
            expect(Object.keys(body)).toEqual(
              path === '/api/status' ? ['generation', 'tables', 'loads'] : ['rows'],
            );
          else expect(body).toEqual({ error: 'Your role may not use this API.' });
        }
      }
    }
    const cfo = { authorization: `Bearer ${await signToken(TEST_SECRET, { role: 'cfo' })}` };
    expect((await get('/api/nope', cfo)).status).toBe(404);
  });

  it('/api/health is public and says only whether a warehouse is served, and which', async () => {
    const res = await get('/api/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['generation', 'ok']);
    expect(body['ok']).toBe(true);
    expect(typeof body['generation']).toBe('number');
  });
});
