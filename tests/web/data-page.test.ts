import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { CUSTOMERS_HEADER, TEST_SECRET, customerRow, sessionCookie, tempDir, writeText } from '../helpers.ts';

describe('Data page and API', () => {
  let root: string;
  let server: RunningServer;
  beforeAll(async () => {
    root = await tempDir();
    const exports = join(root, 'exports');
    await fs.mkdir(exports);
    await writeText(
      exports,
      'customers.csv',
      [
        CUSTOMERS_HEADER,
        customerRow('C1', '"<img src=x onerror=alert(1)> GmbH"'),
        'C2,Two,EMEA,DE,SMB,Retail,Anna,Bob,10.00,30,EUR,<script>alert(2)</script>',
      ].join('\n'),
    );
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: join(root, 'wh') });
    server = await startServer({
      warehouseDir: join(root, 'wh'),
      host: '127.0.0.1',
      port: 0,
      apiSecret: TEST_SECRET,
    });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('renders loads and quarantined rows server-side, with hostile text as text', async () => {
    // Signed out: the page sends you to sign in.
    const anonymous = await fetch(`${server.url}data`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/signin?next=%2Fdata');
    const res = await fetch(`${server.url}data`, { headers: await sessionCookie(server, { role: 'cfo' }) });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Data</h1>');
    const text = html.replace(/<!--[^>]*-->/g, '').replace(/ class="[^"]*"/g, '');
    expect(text).toContain('<td>customers.csv</td><td>canonical</td><td>customers</td>');
    expect(text).toContain('unknown value (expected one of: active, blocked, blacklisted, inactive)');
    // The quarantined value is shown, escaped: never as markup, also not in the hydration data.
    expect(text).toContain('<td>&lt;script>alert(2)&lt;/script></td>');
    expect(html).not.toContain('<script>alert(2)');
    expect(text).toContain('The marts have not been built yet. Run <code>npx arlens build</code>');
  });

  it('serves status and quarantine as JSON, numbers from the warehouse as exact strings', async () => {
    // The API needs a session (or a token) of a role that may see every region's loads.
    const headers = await sessionCookie(server, { role: 'analyst' });
    const status = (await (await fetch(`${server.url}api/status`, { headers })).json()) as {
      tables: { entity: string; rows: number }[];
      loads: Record<string, unknown>[];
    };
    expect(status.tables.find((t) => t.entity === 'customers')).toEqual({ entity: 'customers', rows: 1 });
    expect(status.loads[0]).toMatchObject({
      file_name: 'customers.csv',
      rows_read: '2',
      rows_quarantined: '1',
    });
    const q = (await (await fetch(`${server.url}api/quarantine`, { headers })).json()) as {
      rows: Record<string, unknown>[];
    };
    expect(q.rows).toEqual([
      expect.objectContaining({
        row_number: '3',
        column_name: 'status',
        reason_code: 'bad_value',
        value: '<script>alert(2)</script>',
      }),
    ]);
    expect((await fetch(`${server.url}api/nope`, { headers })).status).toBe(404);
    expect((await fetch(`${server.url}api/health`)).status).toBe(200);
  });

  it('says what to do when the port is taken', async () => {
    const port = Number(new URL(server.url).port);
    await expect(
      startServer({ warehouseDir: join(root, 'wh'), host: '127.0.0.1', port, apiSecret: TEST_SECRET }),
    ).rejects.toThrow(
      `Port ${port} on 127.0.0.1 is already in use (another ARLens?). Stop it, or pick another port`,
    );
  });
});
