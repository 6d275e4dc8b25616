/**
 * Behind a TLS proxy (ORIGIN=https://…, as docs/security.md says to set it) every cookie the
 * dashboard sets or deletes is `Secure`. Its own file: adapter-node reads ORIGIN once, when the
 * server first loads the dashboard in this process (Vitest runs each file in its own process).
 */
import { request } from 'node:http';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { CUSTOMERS_HEADER, customerRow, signedIn, TEST_SECRET, tempDir, writeText } from '../helpers.ts';

const ORIGIN = 'https://arlens.example';
let root: string;
let server: RunningServer;
const before = process.env['ORIGIN'];

beforeAll(async () => {
  root = await tempDir('arlens-tls-');
  const exports = join(root, 'exports');
  await fs.mkdir(exports);
  await writeText(exports, 'customers.csv', [CUSTOMERS_HEADER, customerRow('C1')].join('\n'));
  await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: join(root, 'wh') });
  process.env['ORIGIN'] = ORIGIN;
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
  if (before === undefined) delete process.env['ORIGIN'];
  else process.env['ORIGIN'] = before;
  await fs.rm(root, { recursive: true, force: true });
});

/** Set-Cookie lines of one request, as the TLS proxy would pass it on (Host of the public name). */
function setCookies(
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string> = {},
  form?: string,
) {
  const address = new URL(server.url);
  return new Promise<string[]>((resolve, reject) => {
    const req = request(
      {
        host: address.hostname,
        port: address.port,
        method,
        path,
        headers: {
          host: 'arlens.example',
          accept: 'text/html',
          ...(form !== undefined
            ? { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN }
            : {}),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers['set-cookie'] ?? []));
      },
    );
    req.on('error', reject);
    req.end(form);
  });
}

const secure = (line: string | undefined) =>
  (line ?? '')
    .split(';')
    .slice(1)
    .some((a) => a.trim().toLowerCase() === 'secure');

it('sets and deletes the session and language cookies with Secure', async () => {
  const signin = await setCookies('POST', '/signin', {}, 'role=cfo');
  const session = signin.find((c) => c.startsWith('arlens_session='));
  expect(session).toBeDefined();
  expect(secure(session)).toBe(true);
  const cfo = await signedIn(server, { role: 'cfo' });
  const signout = await setCookies(
    'POST',
    '/signout',
    { cookie: cfo.cookie },
    `csrf=${encodeURIComponent(cfo.csrf)}`,
  );
  const deletion = signout.find((c) => c.startsWith('arlens_session='));
  expect(deletion).toContain('Max-Age=0');
  expect(secure(deletion)).toBe(true);
  const lang = (await setCookies('GET', '/lang?to=ja&back=/')).find((c) => c.startsWith('arlens_lang='));
  expect(secure(lang)).toBe(true);
});
