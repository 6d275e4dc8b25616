/**
 * What every response of the ARLens server says about itself: the security headers on pages, the
 * JSON API, Cube's API, assets, redirects and errors (pages with SvelteKit's nonce-based CSP, no
 * 'unsafe-inline' or 'unsafe-eval' for scripts); and what an API error tells a client: a request id,
 * never SQL or paths (those go to the server log).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { CUSTOMERS_HEADER, customerRow, sessionCookie, TEST_SECRET, tempDir, writeText } from '../helpers.ts';

let root: string;

beforeAll(async () => {
  root = await tempDir('arlens-headers-');
}, 60_000);
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** A CSP header as directive → sources. */
function csp(header: string | null): Map<string, string[]> {
  return new Map(
    (header ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('security headers', () => {
  let server: RunningServer;
  beforeAll(async () => {
    const exports = join(root, 'exports');
    await fs.mkdir(exports);
    await writeText(exports, 'customers.csv', [CUSTOMERS_HEADER, customerRow('C1')].join('\n'));
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: join(root, 'wh') });
    server = await startServer({
      warehouseDir: join(root, 'wh'),
      host: '127.0.0.1',
      port: 0,
      apiSecret: TEST_SECRET,
      demo: true,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('are on every kind of response', async () => {
    const cfo = await sessionCookie(server, { role: 'cfo' });
    const signin = await fetch(`${server.url}signin`);
    // Links and assets are relative ('./_app/immutable/…').
    const asset = /_app\/immutable\/[^"]+\.js/.exec(await signin.text())?.[0];
    expect(asset).toBeDefined();
    const responses: [string, Response][] = [
      ['page', signin],
      ['page signed in', await fetch(`${server.url}customers`, { headers: cfo })],
      ['redirect to sign in', await fetch(server.url, { redirect: 'manual' })],
      ['page not found', await fetch(`${server.url}nope`, { headers: cfo })],
      ['asset', await fetch(new URL(asset!, server.url))],
      ['API health', await fetch(`${server.url}api/health`)],
      ['API refused', await fetch(`${server.url}api/status`)],
      ['API answer', await fetch(`${server.url}api/status`, { headers: cfo })],
      ['Cube refused', await fetch(`${server.url}cubejs-api/v1/meta`)],
      [
        'Cube answer',
        await fetch(`${server.url}cubejs-api/v1/meta`, { headers: { ...cfo, authorization: 'cookie' } }),
      ],
    ];
    for (const [what, res] of responses) {
      if (!res.bodyUsed) await res.arrayBuffer();
      const h = res.headers;
      expect(h.get('x-frame-options'), what).toBe('DENY');
      expect(h.get('x-content-type-options'), what).toBe('nosniff');
      expect(h.get('referrer-policy'), what).toBe('strict-origin-when-cross-origin');
      expect(h.get('x-powered-by'), what).toBeNull();
      const policy = csp(h.get('content-security-policy'));
      expect(policy.get('frame-ancestors'), what).toEqual(["'none'"]);
      expect(policy.get('object-src') ?? policy.get('default-src'), what).toEqual(["'none'"]);
    }
  });

  it("pages allow only this server's scripts and their own start-up script (by nonce)", async () => {
    const res = await fetch(`${server.url}signin`);
    const html = await res.text();
    const policy = csp(res.headers.get('content-security-policy'));
    const scripts = policy.get('script-src') ?? [];
    expect(scripts).toContain("'self'");
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts).not.toContain("'unsafe-eval'");
    const nonce = scripts.find((s) => s.startsWith("'nonce-"))?.slice(7, -1);
    expect(nonce).toBeDefined();
    // Every inline script of the page carries that nonce; there are no inline event handlers.
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1]);
    expect(inline.length).toBeGreaterThan(0);
    for (const attrs of inline) expect(attrs).toContain(`nonce="${nonce}"`);
    expect(html).not.toMatch(/\son[a-z]+="/);
    expect(policy.get('style-src')).not.toContain("'unsafe-inline'");
    expect(policy.get('base-uri')).toEqual(["'none'"]);
    expect(policy.get('form-action')).toEqual(["'self'"]);
    // A fresh nonce on every response.
    const again = csp((await fetch(`${server.url}signin`)).headers.get('content-security-policy'));
    expect(again.get('script-src')).not.toEqual(scripts);
  });
});

describe('API errors', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // No warehouse published yet: /api/status fails inside DuckDB.
    server = await startServer({
      warehouseDir: join(root, 'empty'),
      host: '127.0.0.1',
      port: 0,
      apiSecret: TEST_SECRET,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('say a request id and nothing of SQL, tables or paths; the log has the detail', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await fetch(`${server.url}api/status`, {
        headers: await sessionCookie(server, { role: 'cfo' }),
      });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: string; requestId: string };
      expect(Object.keys(body).sort()).toEqual(['error', 'requestId']);
      expect(body.error).toBe('The server could not answer this request. The server log has the details.');
      expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers.get('x-request-id')).toBe(body.requestId);
      const text = JSON.stringify(body);
      for (const detail of ['raw.', 'meta.', 'SELECT', 'Catalog', 'Error', root]) {
        expect(text).not.toContain(detail);
      }
      const line = logged.mock.calls
        .map((c) => c.map(String).join(' '))
        .find((l) => l.includes(body.requestId));
      expect(line).toBeDefined();
      expect(line).toContain('/api/status');
    } finally {
      logged.mockRestore();
    }
  });

  it('a malformed session cookie is no session, and does not stop the server', async () => {
    const bad = { cookie: 'arlens_session=%E0%A4%A' };
    expect(
      (await fetch(`${server.url}cubejs-api/v1/meta`, { headers: { ...bad, authorization: 'cookie' } }))
        .status,
    ).toBe(403);
    expect((await fetch(`${server.url}api/status`, { headers: bad })).status).toBe(401);
    expect((await fetch(`${server.url}api/health`)).status).toBe(503);
  });
});
