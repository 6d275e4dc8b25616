/**
 * The CLI's read-only commands on a PostgreSQL warehouse give DuckDB's output (cli/warehouse.ts
 * `withWarehouseQuery`): one demo (seed 5, 1,500 invoices, as of 2026-06-30) plus a hostile file
 * (a file name and a customer name with quotes, a semicolon and Japanese text, a quarantined value
 * like them, and an overdue invoice of that customer), ingested and built on both engines through
 * the real entry points; then `arlens status --quarantine`, `credit-limits`, `credit-check`,
 * `dunning run`, `bank import` (match included), `bank list` and `bank publish`, `alerts
 * subscribe|evaluate|list` run through the real CLI on both configs, their outputs equal once
 * paths, timestamps and run ids are normalised. `arlens build` evaluates alerts on PostgreSQL too. Demo sign-in (cli/pipeline.ts
 * `loadData`) is offered on PostgreSQL for the demo alone and not once another file is loaded, and
 * `ensureMarts` sees what is published there (no rebuild when nothing changed).
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { addUser } from '../../auth/users.ts';
import { chosenAsOf, LATEST, runBuild } from '../../cli/commands/build.ts';
import { runIngest } from '../../cli/commands/ingest.ts';
import { loadConfig, type Config } from '../../cli/config.ts';
import { storePath } from '../../cli/commands/users.ts';
import { ensureMarts, loadData, published } from '../../cli/pipeline.ts';
import { withWarehouseQuery } from '../../cli/warehouse.ts';
import { generateDemo } from '../../ingest/demo/generate.ts';
import { openOpsStore } from '../../ops/store.ts';
import { cliArgs, published as duckRows, ROOT } from '../helpers.ts';
import { PG_URL, pgDatabase } from './database.ts';

const run = promisify(execFile);

/** A name no SQL, CSV or shell should break on. */
const HOSTILE = `O'Brien; "Quoted" 株式会社`;
const HOSTILE_FILE = `customers_O'Brien; 株式会社.csv`;

const CUSTOMERS_HEADER =
  'customer_id,customer_name,region,country,segment,industry,salesperson,credit_controller,credit_limit,payment_terms_days,currency,status';
const HOSTILE_CUSTOMERS = [
  CUSTOMERS_HEADER,
  `0000199001,"${HOSTILE.replaceAll('"', '""')}",EMEA,IE,SMB,Retail,Javier Ortega,Lucía Fernández,1000.00,30,EUR,active`,
  // Quarantined: the credit limit is not a number (the value itself is hostile text).
  `0000199002,Second Ltd,EMEA,IE,SMB,Retail,Javier Ortega,Lucía Fernández,"12;'x' 株",30,EUR,active`,
].join('\n');
const HOSTILE_INVOICES = [
  'invoice_id,customer_id,issue_date,due_date,amount,currency,product_line,sales_order_id,shipment_batch,salesperson',
  // 91 days past due on 2026-06-30, five times the customer's limit, no payment.
  'INV-9900001,0000199001,2026-03-01,2026-03-31,5000.00,EUR,Services,,,Javier Ortega',
].join('\n');

async function writeConfig(dir: string, warehouse: string, extra = ''): Promise<string> {
  const file = join(dir, `arlens-${Math.random().toString(36).slice(2)}.config.yaml`);
  await fs.writeFile(file, `warehouse: ${warehouse}\nas_of: '2026-06-30'\n${extra}`);
  return file;
}

interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function arlens(config: string, ...args: string[]): Promise<Ran> {
  try {
    const r = await run(process.execPath, cliArgs('-c', config, ...args), {
      cwd: ROOT,
      timeout: 240_000,
      env: { ...process.env, NO_COLOR: '1', ARLENS_PG_URL: '' },
    });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('the read-only commands on PostgreSQL give DuckDB’s output', () => {
  const db = pgDatabase();
  let root: string;
  let duckFile: string;
  let pgFile: string;
  let duck: Config;
  let pgc: Config;

  /** What must differ between the two runs: the temporary directory, wall-clock times, run ids. */
  const normal = (text: string) =>
    text
      .replaceAll(join(root, 'duck'), '<config>')
      .replaceAll(join(root, 'pg'), '<config>')
      .replaceAll(root, '<root>')
      .replace(/\d{8}T\d{9}Z-\d{7}/g, '<run>')
      .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?/g, '<time>');

  /** The command on both configs: it succeeds on both with the same output. */
  async function same(...args: string[]): Promise<string> {
    const [d, p] = await Promise.all([arlens(duckFile, ...args), arlens(pgFile, ...args)]);
    expect(d.code, `${args.join(' ')} on DuckDB: ${d.err}`).toBe(0);
    expect(p.code, `${args.join(' ')} on PostgreSQL: ${p.err}`).toBe(0);
    expect(normal(p.out), args.join(' ')).toBe(normal(d.out));
    expect(normal(p.err), args.join(' ')).toBe(normal(d.err));
    return p.out;
  }

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'arlens-pg-commands-'));
    const demo = join(root, 'demo');
    const hostile = join(root, 'hostile');
    await generateDemo({ seed: 5, invoices: 1500, asOf: '2026-06-30', outDir: demo });
    await fs.mkdir(hostile);
    await fs.writeFile(join(hostile, HOSTILE_FILE), HOSTILE_CUSTOMERS);
    await fs.writeFile(join(hostile, 'invoices_extra.csv'), HOSTILE_INVOICES);
    // Each config in a folder of its own: the operational store lies beside the warehouse directory.
    await fs.mkdir(join(root, 'duck'));
    await fs.mkdir(join(root, 'pg'));
    duckFile = await writeConfig(join(root, 'duck'), 'data/warehouse');
    pgFile = await writeConfig(
      join(root, 'pg'),
      `{ engine: postgres, url: '${db.url}', dir: data/warehouse }`,
    );
    duck = await loadConfig(duckFile);
    pgc = await loadConfig(pgFile);
    const sources = [
      { path: demo, profile: 'canonical' },
      { path: hostile, profile: 'canonical' },
    ];
    for (const c of [duck, pgc]) {
      await runIngest(c, sources, false);
      await runBuild(c, { asOf: chosenAsOf(c, undefined, LATEST) });
      const store = openOpsStore(storePath(c));
      try {
        addUser(
          store,
          { id: null, name: 'test', address: null },
          { username: 'carla', role: 'credit_manager', passwordHash: null },
        );
      } finally {
        store.close();
      }
    }
  }, 900_000);

  afterAll(async () => {
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('arlens status --quarantine: the same tables, loads and quarantined rows (hostile file name and value)', async () => {
    const out = await same('status', '--quarantine', '--limit', '50');
    expect(out).toContain('As of: 2026-06-30 (set)');
    expect(out).toContain(`${HOSTILE_FILE} (customers)`);
    expect(out).toContain(`${HOSTILE_FILE} row 3, column credit_limit ("12;'x' 株")`);
    expect(out).toMatch(/ {2}invoices +1,501\n/);
  }, 120_000);

  it('arlens credit-limits (both layouts) and credit-check: the same limits and decisions', async () => {
    const limits = await same('credit-limits');
    expect(limits.split('\n').length).toBeGreaterThan(50);
    expect(limits).toContain('0000199001,1000.00,EUR');
    await same('credit-limits', '--layout', 'sap');
    const check = await same(
      'credit-check',
      '--user',
      'carla',
      '--customer',
      '0000199001',
      '--amount',
      '10.00',
      '--currency',
      'EUR',
      '--order',
      'SO-7#a/b',
      '--json',
    );
    const decision = JSON.parse(check) as { order_id: string; decision: string; exposure_rc: string };
    expect(decision.order_id).toBe('SO-7#a/b');
    // Over its limit and 91 days past due: not approved; its exposure read from the warehouse.
    expect(decision.decision).not.toBe('approve');
    expect(Number(decision.exposure_rc)).toBeGreaterThan(1000);
  }, 120_000);

  it('arlens dunning run: the same proposal, the hostile customer in it', async () => {
    const out = await same('dunning', 'run', '--date', '2026-07-15');
    expect(out).toMatch(
      /Dunning run 1 for 2026-07-15 \(open items as of 2026-06-30\): \d+ customer\(s\) proposed/,
    );
    expect(out).toContain(`0000199001   ${HOSTILE}`);
    await same('dunning', 'show', '1');
  }, 120_000);

  it('arlens bank import and list: the same matches against the same open invoices', async () => {
    const open = await duckRows(
      duck.warehouse,
      `SELECT item_id, open_amount::VARCHAR AS amount, currency_code FROM marts.fct_open_items
       WHERE item_type = 'invoice' AND open_amount > 0 AND customer_id <> '0000199001' ORDER BY item_id LIMIT 2`,
    );
    expect(open).toHaveLength(2);
    const statement = join(root, `statement 'Q2'; 株.csv`);
    await fs.writeFile(
      statement,
      [
        'account,booking_date,value_date,amount,currency,counterparty_name,counterparty_iban,remittance,end_to_end_id,bank_reference',
        `DE89370400440532013000,2026-07-02,2026-07-02,5000.00,EUR,"${HOSTILE.replaceAll('"', '""')}",,INV-9900001,E2E-1,REF-1`,
        ...open.map(
          (r, i) =>
            `DE89370400440532013000,2026-07-03,2026-07-03,${String(r['amount'])},${String(r['currency_code'])},Someone,,${String(r['item_id'])},E2E-${i + 2},REF-${i + 2}`,
        ),
        // No invoice of this amount or reference: waits for review.
        'DE89370400440532013000,2026-07-04,2026-07-04,12.34,EUR,Nobody,,no reference,E2E-9,REF-9',
      ].join('\n'),
    );
    const out = await same('bank', 'import', statement);
    expect(out).toContain(`statement 'Q2'; 株.csv (csv): 4 line(s) read, 4 new`);
    expect(out).toMatch(/Matched 4 line\(s\) against \d+ open invoice\(s\): [1-9]\d* applied automatically/);
    const list = await same('bank', 'list', '--status', 'applied', '--json');
    const applied = (JSON.parse(list) as { applications: { invoiceId: string }[] }[]).flatMap((l) =>
      l.applications.map((a) => a.invoiceId),
    );
    expect(applied).toContain('INV-9900001');
    await same('bank', 'list', '--json');
  }, 120_000);

  it('arlens alerts: a subscription fires the same way; arlens build evaluates alerts on PostgreSQL', async () => {
    await same(
      'alerts',
      'subscribe',
      'carla',
      'days_past_due',
      '--threshold',
      '60',
      '--customer',
      '0000199001',
    );
    const evaluated = await same('alerts', 'evaluate');
    expect(evaluated).toMatch(/Alerts: 1 subscription\(s\) evaluated, 1 raised, 0 cleared/);
    const list = await same('alerts', 'list', 'carla');
    expect(list).toContain(HOSTILE);
    expect(list).toContain('1 alert(s).');
    const build = await arlens(pgFile, 'build');
    expect(build.code, build.err).toBe(0);
    expect(build.out).toMatch(/Alerts: 1 subscription\(s\) evaluated, 0 raised, 0 cleared/);
    expect(build.out).not.toContain('not evaluated');
  }, 300_000);

  it('sees the same published state as DuckDB (arlens start’s rebuild check)', async () => {
    const [d, p] = await Promise.all([published(duck), published(pgc)]);
    expect(p).toEqual(d);
    expect(p).toEqual({ current: true, asOf: { date: '2026-06-30', source: 'set' } });
  });

  it('arlens bank publish: the decided lines loaded and built on both, then the same queue and status', async () => {
    const [d, p] = await Promise.all([
      arlens(duckFile, 'bank', 'publish'),
      arlens(pgFile, 'bank', 'publish'),
    ]);
    expect(d.code, d.err).toBe(0);
    expect(p.code, p.err).toBe(0);
    const line = (out: string) => out.split('\n').find((l) => /^Published \d+ payment/.test(l));
    expect(line(p.out)).toMatch(/^Published 3 payment\(s\) and 3 application\(s\)\.$/);
    expect(line(p.out)).toBe(line(d.out));
    await same('bank', 'list', '--status', 'applied', '--json');
    const status = await same('status');
    expect(status).toContain('payments_bank.csv (payments): 3 read, 3 loaded, 0 quarantined');
  }, 300_000);
});

// Skipped only when no PostgreSQL can be installed; tests/global-setup.ts then prints why ("PostgreSQL tests SKIPPED: …").
describe.skipIf(!PG_URL)('demo sign-in and the start checks on PostgreSQL', () => {
  const db = pgDatabase();
  let root: string;
  let c: Config;

  beforeAll(async () => {
    root = await fs.mkdtemp(join(tmpdir(), 'arlens-pg-demo-'));
    c = await loadConfig(
      await writeConfig(
        root,
        `{ engine: postgres, url: '${db.url}', dir: pgdir }`,
        `demo: { seed: 7, invoices: 300, dir: ${join(root, 'demo')} }\n`,
      ),
    );
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    if (root) await fs.rm(root, { recursive: true, force: true });
  });

  it('says nothing is published on an empty database, and writes nothing into it', async () => {
    await expect(withWarehouseQuery(c, 'arlens status', () => Promise.resolve(1))).rejects.toThrow(
      /^No warehouse in postgres:\/\/.* yet\. Load data first: arlens ingest <files> \(or arlens demo\)\.$/,
    );
    expect(await published(c)).toEqual({ current: false, asOf: null });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_namespace WHERE nspname IN ('arlens', 'meta', 'ml', 'marts')",
      );
      expect(rows[0]?.n).toBe('0');
    } finally {
      await client.end();
    }
  });

  it('offers demo sign-in for the demo alone, builds once, and not once another file is loaded', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const data = await loadData(c);
    expect(data.demo).toBe(true);
    const asOf = chosenAsOf(c, undefined, data.defaultAsOf);
    await ensureMarts(c, asOf);
    const lines = () => log.mock.calls.map((a) => String(a[0]));
    expect(lines().some((l) => l.startsWith(`As of: ${String(asOf.date)}, `))).toBe(true);
    // Nothing changed: the published marts are current, no rebuild.
    log.mockClear();
    await ensureMarts(c, asOf);
    expect(lines()).toEqual([`The marts are up to date: as of ${String(asOf.date)} (${asOf.label}).`]);

    const other = join(root, 'other');
    await fs.mkdir(other);
    await fs.writeFile(
      join(other, `customers_${HOSTILE_FILE.slice('customers_'.length)}`),
      `${CUSTOMERS_HEADER}\n0000399001,Other Ltd,EMEA,DE,SMB,Retail,Anna,Bob,1000.00,30,EUR,active\n`,
    );
    await runIngest(c, [{ path: other, profile: 'canonical' }], false);
    log.mockClear();
    expect((await loadData(c)).demo).toBe(false);
    expect(lines().some((l) => l.includes('demo sign-in is off'))).toBe(true);
  }, 600_000);
});
