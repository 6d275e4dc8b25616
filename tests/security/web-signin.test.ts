/**
 * Signing in and where the browser is sent after. Redirect targets (/signin?next=, /lang?back=)
 * stay on this server, whatever a link puts there: browsers read `/\\evil.example` as
 * `//evil.example` and skip tabs in URLs.
 */
import { request } from 'node:http';
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/index.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { TEST_SECRET, tempDir } from '../helpers.ts';

let root: string;
let wh: string;

beforeAll(async () => {
  root = await tempDir('arlens-signin-');
  wh = await demoWarehouse(root, 400);
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
    server = await startServer({ warehouseDir: wh, host: '127.0.0.1', port: 0, apiSecret: TEST_SECRET });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
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
});
