/**
 * Through the real entry point, on demo data: `arlens dunning contacts`, `arlens dunning run --date D
 * --approve` proposes, approves, renders PDFs and sends to an SMTP server this test starts on a free
 * port; a second run the same day sends nothing; no letter holds an item that is paid, credited or
 * disputed in the warehouse. The letters' PDFs (one English, one Japanese) are kept in
 * test-results/letters/ for tests/browser/letters.test.ts to look at as pictures.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoWarehouse } from '../cube/harness.ts';
import { cliArgs, published, ROOT, tempDir } from '../helpers.ts';

let root: string;
let wh: string;
let config: string;
let smtp: SMTPServer;
const caught: { to: string[]; mail: ParsedMail }[] = [];
export const LETTERS_DIR = join(ROOT, 'test-results', 'letters');

function arlens(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, cliArgs('-c', config, ...args), { cwd: root });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

beforeAll(async () => {
  root = await tempDir('arlens-dunning-cli-');
  wh = await demoWarehouse(root);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      simpleParser(stream)
        .then((mail) => {
          caught.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  config = join(root, 'arlens.config.yaml');
  await fs.writeFile(
    config,
    [
      `warehouse: ${JSON.stringify(wh)}`,
      'collections:',
      '  company: ARLens Demo Trading Co.',
      '  smtp:',
      '    host: 127.0.0.1',
      `    port: ${port}`,
      '    from: ar@arlens-demo.example',
      '',
    ].join('\n'),
  );
}, 240_000);

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await fs.rm(root, { recursive: true, force: true });
});

describe('arlens dunning on demo data', () => {
  it('imports contacts, proposes, approves, sends; a second run the same day sends nothing', async () => {
    const customers = await published(
      wh,
      'SELECT customer_id, country_code FROM marts.dim_customers ORDER BY 1',
    );
    const csv = [
      'customer_id,email',
      ...customers.map(
        (c) => `${String(c['customer_id'])},ap-${String(c['customer_id']).toLowerCase()}@example.test`,
      ),
    ];
    csv.push('NO-SUCH,x@example.test', `${String(customers[0]!['customer_id'])},not-an-email`);
    await fs.writeFile(join(root, 'contacts.csv'), csv.join('\n'));
    const imported = await arlens('dunning', 'contacts', join(root, 'contacts.csv'));
    expect(imported.out).toContain(`${customers.length} contact(s) set.`);
    expect(imported.err).toMatch(/line \d+: no customer NO-SUCH/);
    expect(imported.err).toMatch(/is not an email address/);
    expect(imported.code).toBe(2);
    // The bad line came last: put the first customer's good address back.
    await fs.writeFile(
      join(root, 'fix.csv'),
      `customer_id,email\n${String(customers[0]!['customer_id'])},ap-${String(customers[0]!['customer_id']).toLowerCase()}@example.test\n`,
    );
    expect((await arlens('dunning', 'contacts', join(root, 'fix.csv'))).code).toBe(0);

    const early = await arlens('dunning', 'run', '--date', '2026-06-01');
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/as of 2026-06-30/);

    const first = await arlens('dunning', 'run', '--date', '2026-07-20', '--approve');
    // The demo's open items are as of 2026-06-30: the run date is 20 days later, and ARLens says so.
    expect(first.err).toMatch(/^Warning: The open items are as of 2026-06-30, 20 days before the run date/);
    expect(first.code).toBe(0);
    const written = Number(/(\d+) letter\(s\) written/.exec(first.out)?.[1]);
    const sentCount = Number(/Mail: (\d+) sent, 0 failed/.exec(first.out)?.[1]);
    expect(written).toBeGreaterThan(5);
    expect(sentCount).toBeGreaterThan(0);
    expect(caught).toHaveLength(sentCount);

    const letters = JSON.parse((await arlens('dunning', 'letters', '--json')).out) as {
      id: number;
      customerId: string;
      level: number;
      channel: string;
      language: string;
      recipient: string;
      status: string;
      totalAmount: string;
      currencyCode: string;
      items: { itemId: string; itemType: string; openAmount: string }[];
    }[];
    expect(letters).toHaveLength(written);
    // Email letters were sent to the customer's address; escalation letters (level 4) are to print.
    for (const l of letters) {
      expect(l.status).toBe(l.channel === 'email' ? 'sent' : 'to_print');
    }
    for (const c of caught) {
      const l = letters.find((x) => x.recipient === c.to[0])!;
      expect(l, `no letter for ${c.to[0]}`).toBeDefined();
      expect(c.mail.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
      expect(c.mail.headers.get('x-arlens-total')).toBe(`${l.totalAmount} ${l.currencyCode}`);
      expect(c.mail.headers.get('content-language')).toBe(l.language === 'ja' ? 'ja, en' : 'en');
    }
    // Japanese customers get a bilingual letter.
    const jp = new Set(
      customers.filter((c) => c['country_code'] === 'JP').map((c) => String(c['customer_id'])),
    );
    for (const l of letters) expect(l.language).toBe(jp.has(l.customerId) ? 'ja' : 'en');

    // Nothing paid, credited or disputed was dunned: every dunned invoice is open (> 0) and undisputed now.
    const dunned = letters.flatMap((l) =>
      l.items.filter((i) => i.itemType === 'invoice').map((i) => i.itemId),
    );
    const rows = await published(
      wh,
      `SELECT invoice_id, CAST(open_amount AS VARCHAR) AS open_amount, has_open_dispute
       FROM marts.fct_invoices WHERE invoice_id IN (SELECT unnest(?::VARCHAR[]))`,
      [`[${dunned.map((d) => JSON.stringify(d)).join(',')}]`.replaceAll('"', "'")],
    );
    expect(rows).toHaveLength(dunned.length);
    for (const r of rows) {
      expect(Number(r['open_amount']), String(r['invoice_id'])).toBeGreaterThan(0);
      expect(r['has_open_dispute'], String(r['invoice_id'])).toBe(false);
    }
    const disputed = await published(
      wh,
      'SELECT count(*) AS n FROM marts.fct_invoices WHERE has_open_dispute AND open_amount > 0',
    );
    expect(Number(disputed[0]!['n'])).toBeGreaterThan(0);

    // Keep one English and one Japanese PDF for the picture test.
    await fs.mkdir(LETTERS_DIR, { recursive: true });
    const en = letters.find((l) => l.language === 'en' && l.channel === 'email')!;
    const ja = letters.find((l) => l.language === 'ja')!;
    expect(
      ja,
      `languages ${JSON.stringify(letters.map((l) => [l.customerId, l.language]))} jp ${[...jp].join()}`,
    ).toBeDefined();
    for (const [name, l] of [
      ['reminder-en.pdf', en],
      ['reminder-ja.pdf', ja],
    ] as const) {
      const r = await arlens('dunning', 'pdf', String(l.id), '--out', join(LETTERS_DIR, name));
      expect(r.code).toBe(0);
    }
    const st = await arlens(
      'dunning',
      'statement',
      ja.customerId,
      '--out',
      join(LETTERS_DIR, 'statement-ja.pdf'),
    );
    expect(st.out).toContain('ja)');

    // The same day again: nothing is sent twice.
    const second = await arlens('dunning', 'run', '--date', '2026-07-20', '--approve');
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/ 0 letter\(s\) written/);
    expect(second.out).toMatch(/Mail: 0 sent/);
    expect(caught).toHaveLength(sentCount);

    // The audit chain holds every step.
    const verify = await arlens('audit', 'verify');
    expect(verify.out).toMatch(/intact/);
  }, 240_000);
});
