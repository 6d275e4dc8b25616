/**
 * Worklist writes reach the marts at the next `arlens build` (issue 18, Deliver 5): promises to pay
 * and disputes recorded through the worklist service go to the operational store; the build copies
 * them into the warehouse (worklist.*) and the marts union them with the ERP's. A promise becomes
 * kept, broken or pending in fct_collection_activities; an ARLens dispute sets fct_invoices' dispute
 * flags, and its resolution clears them at the following build. The incremental build equals a full
 * refresh.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Who } from '../../collections/access.ts';
import { listAlerts, subscribe } from '../../alerts/store.ts';
import { addUser } from '../../auth/users.ts';
import { addPromise, openDispute, resolveDispute } from '../../collections/worklist.store.ts';
import { openOpsStore, opsStorePath, type OpsStore } from '../../ops/store.ts';
import { DEMO_AS_OF, demoWarehouse } from '../cube/harness.ts';
import { cliArgs, published, tempDir } from '../helpers.ts';

let root: string;
let wh: string;
let config: string;
let store: OpsStore;
const SYSTEM = { id: null, name: 'test', address: 'cli' };

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

async function build(...flags: string[]): Promise<string> {
  const r = await arlens('build', '--as-of', DEMO_AS_OF, ...flags);
  expect(r.code, `${r.out}\n${r.err}`).toBe(0);
  return `${r.err}\n${r.out}`;
}

const collector = (portfolio: string): Who => ({
  actor: { id: 7, name: `collector of ${portfolio}`, address: null },
  role: 'collector',
  portfolio,
});

const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The store's activity id of promise `promiseId` ('ARLENS-<id>' in the marts). */
function promiseActivity(promiseId: number): string {
  const row = store.db
    .prepare("SELECT id FROM collection_activities WHERE kind = 'promise' AND ref_id = ?")
    .get(promiseId) as { id: number };
  return `ARLENS-${row.id}`;
}

beforeAll(async () => {
  root = await tempDir('arlens-worklist-marts-');
  wh = await demoWarehouse(root);
  config = join(root, 'arlens.config.yaml');
  await fs.writeFile(config, `warehouse: ${JSON.stringify(wh)}\n`);
  store = openOpsStore(opsStorePath(wh));
}, 300_000);

afterAll(async () => {
  store?.close();
  await fs.rm(root, { recursive: true, force: true });
});

describe('worklist writes flow into the marts at the next build', () => {
  it('promises become kept, broken or pending; ARLens disputes set and clear the dispute flags; incremental = full', async () => {
    // A payment applied to one invoice within the last two months of the data, the whole of it.
    const [paid] = await published(
      wh,
      `SELECT a.invoice_id, i.customer_id, i.credit_controller, i.currency_code,
              strftime(a.applied_date, '%Y-%m-%d') AS applied_date, a.applied_amount::varchar AS applied_amount
       FROM marts.fct_payment_applications a JOIN marts.fct_invoices i USING (invoice_id)
       WHERE a.applied_date BETWEEN DATE '${DEMO_AS_OF}' - 60 AND DATE '${DEMO_AS_OF}' - 10
         AND i.credit_controller IS NOT NULL
         AND (SELECT count(*) FROM marts.fct_payment_applications b WHERE b.invoice_id = a.invoice_id) = 1
       ORDER BY a.invoice_id LIMIT 1`,
    );
    // Open invoices nobody paid anything on, undisputed.
    const unpaid = await published(
      wh,
      `SELECT invoice_id, customer_id, credit_controller, currency_code, invoice_amount::varchar AS invoice_amount
       FROM marts.fct_invoices
       WHERE open_amount > 0 AND paid_amount = 0 AND NOT has_dispute AND credit_controller IS NOT NULL
       ORDER BY invoice_id LIMIT 2`,
    );
    expect(paid).toBeDefined();
    expect(unpaid).toHaveLength(2);
    const [u1, u2] = unpaid as Record<string, string>[];
    const p = paid as Record<string, string>;
    const ref = (r: Record<string, string>) => ({
      customerId: r['customer_id'] as string,
      creditController: r['credit_controller'] as string,
      currencyCode: r['currency_code'] as string,
    });
    const by = (r: Record<string, string>) => collector(r['credit_controller'] as string);
    const applied = p['applied_date'] as string;

    const kept = addPromise(store, by(p), ref(p), {
      today: addDays(applied, -3),
      date: addDays(applied, 2),
      amount: p['applied_amount'],
      invoiceIds: [p['invoice_id']],
    });
    const broken = addPromise(store, by(u1!), ref(u1!), {
      today: addDays(DEMO_AS_OF, -20),
      date: addDays(DEMO_AS_OF, -5),
      amount: '100.00',
      invoiceIds: [u1!['invoice_id']],
    });
    const pending = addPromise(store, by(u2!), ref(u2!), {
      today: addDays(DEMO_AS_OF, -2),
      date: addDays(DEMO_AS_OF, 10),
      amount: '100.00',
      invoiceIds: [u2!['invoice_id']],
    });
    // A promise on two invoices, the paid one second: kept through the second (the activity's own
    // invoice_id is the first), with a note a hostile client could send.
    const [other] = await published(
      wh,
      `SELECT invoice_id FROM marts.fct_invoices AS i
       WHERE customer_id = ? AND invoice_id < ?
         AND NOT EXISTS (SELECT 1 FROM marts.fct_payment_applications AS a
                         WHERE a.invoice_id = i.invoice_id AND a.applied_date BETWEEN DATE '${addDays(applied, -3)}' AND DATE '${addDays(applied, 2)}')
       ORDER BY invoice_id LIMIT 1`,
      [p['customer_id']!, p['invoice_id']!],
    );
    expect(other).toBeDefined();
    const hostile = `'; DROP TABLE marts.fct_invoices; -- "ö" \\ %_ 🙂 <b>x</b>`;
    const two = addPromise(store, by(p), ref(p), {
      today: addDays(applied, -3),
      date: addDays(applied, 2),
      amount: p['applied_amount'],
      invoiceIds: [other!['invoice_id'], p['invoice_id']],
      note: hostile,
    });
    // A dispute over two invoices of one customer for more than the first: the first takes its whole
    // amount, the second the rest.
    const [pair] = await published(
      wh,
      `SELECT customer_id, credit_controller, currency_code,
              list(invoice_id ORDER BY invoice_id)[1] AS first_id, list(invoice_id ORDER BY invoice_id)[2] AS second_id, list(invoice_amount::varchar ORDER BY invoice_id)[1] AS first_amount
       FROM marts.fct_invoices WHERE open_amount > 0 AND NOT has_dispute AND credit_controller IS NOT NULL
         AND invoice_id NOT IN (?, ?)
       GROUP BY ALL HAVING count(*) >= 2 ORDER BY customer_id LIMIT 1`,
      [u1!['invoice_id']!, u2!['invoice_id']!],
    );
    const pairIds = [String(pair!['first_id']), String(pair!['second_id'])];
    const firstAmount = pair!['first_amount'] as string;
    const [whole, cents] = firstAmount.split('.') as [string, string];
    openDispute(store, by(pair as Record<string, string>), ref(pair as Record<string, string>), {
      invoiceIds: pairIds,
      reason: 'Price differs from the contract',
      amount: `${BigInt(whole) + 1n}.${cents}`,
    });
    const dispute = openDispute(store, by(u1!), ref(u1!), {
      invoiceIds: [u1!['invoice_id']],
      reason: 'Goods damaged on arrival',
      amount: '50.00',
    });

    // Early-warning alerts (Deliver 7) are evaluated by the build itself: a CFO watching days past due
    // and broken promises, and a sales lead watching one region.
    const cfo = addUser(store, SYSTEM, { username: 'alert-cfo', role: 'cfo', passwordHash: null }).id;
    const [region] = await published(wh, 'SELECT min(region) AS r FROM marts.dim_customers');
    const lead = addUser(store, SYSTEM, {
      username: 'alert-lead',
      role: 'sales_lead',
      regions: [String(region!['r'])],
      passwordHash: null,
    }).id;
    subscribe(store, SYSTEM, cfo, { kind: 'days_past_due', threshold: '30' });
    subscribe(store, SYSTEM, cfo, { kind: 'broken_promise' });
    subscribe(store, SYSTEM, lead, { kind: 'days_past_due', threshold: '30' });

    const err = await build();
    expect(err).toContain('worklist from the operational store: 4 activities, 4 promises, 2 disputes');
    const late = async (where = '') =>
      (
        await published(
          wh,
          `SELECT DISTINCT o.customer_id FROM marts.fct_open_items o JOIN marts.dim_customers c USING (customer_id)
           WHERE o.item_type = 'invoice' AND o.open_amount > 0 AND o.days_past_due > 30 ${where} ORDER BY 1`,
        )
      ).map((r) => String(r['customer_id']));
    const alerted = (userId: number, kind: string) =>
      listAlerts(store, userId, { limit: 500 })
        .alerts.filter((a) => a.kind === kind)
        .map((a) => a.customerId)
        .sort();
    const everyone = await late();
    expect(everyone.length).toBeGreaterThan(0);
    expect(alerted(cfo, 'days_past_due')).toEqual(everyone);
    expect(alerted(lead, 'days_past_due')).toEqual(await late(`AND c.region = '${String(region!['r'])}'`));
    expect(alerted(lead, 'days_past_due').length).toBeLessThan(everyone.length);
    // The promise due before the as-of date with its invoice still open is found broken by the build.
    expect(
      listAlerts(store, cfo)
        .alerts.filter((a) => a.kind === 'broken_promise')
        .map((a) => a.subject),
    ).toEqual([`promise:${broken}`]);
    expect(err).toMatch(
      /Alerts: 3 subscription\(s\) evaluated, \d+ raised, 0 cleared; promises settled: 2 kept, 1 broken\./,
    );

    const status = async () =>
      Object.fromEntries(
        (
          await published(
            wh,
            `SELECT activity_id, promise_status, source_system, promised_amount::varchar AS amount
             FROM marts.fct_collection_activities WHERE source_system = 'arlens'`,
          )
        ).map((r) => [r['activity_id'], r]),
      );
    const s = await status();
    expect(s[promiseActivity(kept)]).toMatchObject({ promise_status: 'kept', amount: p['applied_amount'] });
    expect(s[promiseActivity(broken)]).toMatchObject({ promise_status: 'broken', amount: '100.00' });
    expect(s[promiseActivity(pending)]).toMatchObject({ promise_status: 'pending' });
    expect(s[promiseActivity(two)]).toMatchObject({ promise_status: 'kept' });
    const [note] = await published(
      wh,
      'SELECT note, invoice_id FROM marts.fct_collection_activities WHERE activity_id = ?',
      [promiseActivity(two)],
    );
    expect(note).toEqual({ note: hostile, invoice_id: other!['invoice_id'] });
    const split = await published(
      wh,
      `SELECT invoice_id, disputed_amount::varchar AS amount, has_open_dispute
       FROM marts.fct_invoices WHERE invoice_id IN (?, ?) ORDER BY invoice_id`,
      [pairIds[0]!, pairIds[1]!],
    );
    expect(split).toEqual([
      { invoice_id: pairIds[0], amount: firstAmount, has_open_dispute: true },
      { invoice_id: pairIds[1], amount: '1.00', has_open_dispute: true },
    ]);

    const disputeFlags = async () =>
      (
        await published(
          wh,
          `SELECT has_dispute, has_open_dispute, disputed_amount::varchar AS disputed_amount
           FROM marts.fct_invoices WHERE invoice_id = '${u1!['invoice_id']}'`,
        )
      )[0];
    expect(await disputeFlags()).toEqual({
      has_dispute: true,
      has_open_dispute: true,
      disputed_amount: '50.00',
    });
    // Resolved in ARLens: the next (incremental) build clears the open flag, keeps the history.
    resolveDispute(store, by(u1!), ref(u1!), { disputeId: dispute, resolution: 'Credit note agreed' });
    await build();
    expect(await disputeFlags()).toEqual({
      has_dispute: true,
      has_open_dispute: false,
      disputed_amount: '50.00',
    });
    expect((await status())[promiseActivity(kept)]).toMatchObject({ promise_status: 'kept' });

    // Incremental equals a full refresh, row for row.
    const fingerprint = async () =>
      published(
        wh,
        `SELECT
           (SELECT md5(string_agg(t::varchar, '|' ORDER BY activity_id))
              FROM (SELECT * EXCLUDE (_watermark, _as_of_date) FROM marts.fct_collection_activities) t) AS activities,
           (SELECT md5(string_agg(t::varchar, '|' ORDER BY invoice_id))
              FROM (SELECT * EXCLUDE (_watermark, _as_of_date) FROM marts.fct_invoices) t) AS invoices`,
      );
    const incremental = await fingerprint();
    await build('--full-refresh');
    expect(await fingerprint()).toEqual(incremental);
  }, 600_000);
});
