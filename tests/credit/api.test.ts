/**
 * The credit check through its real entry points — POST /api/credit-checks with an ERP system user's
 * token, and `arlens credit-check` (one order and a CSV batch) — on a built demo warehouse: every
 * decision path (approve; hold for over-limit, overdue, prepayment, blacklist; escalate for far over
 * the limit, an unknown customer, an unknown currency); an approved limit applying at once; eight
 * parallel requests for the same customer that each fit but together exceed the limit approving
 * exactly once; who may call it and hostile bodies; the decision history (JSON, CSV) and the limits
 * export in both layouts, loaded back by DuckDB; every decision audited.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../auth/tokens.ts';
import { addUser } from '../../auth/users.ts';
import type { CreditActor } from '../../credit/actor.ts';
import { decideBlacklist, proposeBlacklist } from '../../credit/blacklist.store.ts';
import { loadSnapshot, type WarehouseCustomer, type WarehouseSnapshot } from '../../credit/facts.ts';
import { centsText, convertCents } from '../../credit/money.ts';
import { approveRequest, createRequest } from '../../credit/requests.store.ts';
import { listAudit, verifyAudit } from '../../ops/audit.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { connQuery, queryRows } from '../../warehouse/convert.ts';
import { withInstance } from '../../warehouse/duckdb.ts';
import { withPublished } from '../../warehouse/store.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { cliArgs, ROOT, signedIn, TEST_SECRET, tempDir } from '../helpers.ts';

let root: string;
let wh: string;
let server: RunningServer;
let snap: WarehouseSnapshot;
let erpToken: string;
let A: WarehouseCustomer, B: WarehouseCustomer, C: WarehouseCustomer;
let cm1: CreditActor, cm2: CreditActor, cfo: CreditActor;
/** The amount of each of the racing orders (cents). */
let raceEach = 0;

function person(username: string, role: CreditActor['role']): CreditActor {
  const u = addUser(
    server.ops,
    { id: null, name: 'test', address: null },
    { username, role, regions: [], portfolio: null, passwordHash: null },
  );
  return { id: u.id, name: u.username, address: '127.0.0.1', role };
}

/** Give `c` an ARLens limit `times` its exposure (in its own currency), through the SoD flow. */
function setLimit(c: WarehouseCustomer, limit: string) {
  const r = createRequest(server.ops, cm1, server.credit.policy, snap, {
    customerId: c.customerId,
    newLimit: limit,
    reason: 'test set-up',
  });
  approveRequest(server.ops, r.needsCfo ? cm2 : cm2, r.id);
  if (r.needsCfo) approveRequest(server.ops, cfo, r.id);
}

beforeAll(async () => {
  root = await tempDir('arlens-credit-api-');
  wh = await demoWarehouse(root, 400);
  snap = await withPublished(wh, (conn) => loadSnapshot(connQuery(conn), 0));
  const all = [...snap.customers.values()].filter(
    (c) => !c.blocked && !c.blacklisted && snap.rates.has(c.currency),
  );
  C = all.find((c) => (c.maxDaysPastDue ?? 0) > 0)!;
  const others = all.filter((c) => c.region !== C.region);
  A = others[0]!;
  B = others[1]!;
  // Overdue invoices hold orders only in C's region, so A and B decide on their limits alone.
  const policy = join(root, 'policy.yaml');
  await fs.writeFile(
    policy,
    `version: 1
approval: { credit_manager_max: "100000000" }
defaults:
  overdue_days: 3650
  hold_risk_bands: [high]
  escalate_risk_bands: [very high, in default]
  escalate_over_limit_share: 0.25
  missing_limit: escalate
regions:
  ${JSON.stringify(C.region)}: { overdue_days: 0 }
`,
  );
  server = await startServer({
    warehouseDir: wh,
    host: '127.0.0.1',
    port: 0,
    apiSecret: TEST_SECRET,
    creditPolicy: policy,
  });
  cm1 = person('carl', 'credit_manager');
  cm2 = person('cora', 'credit_manager');
  cfo = person('fiona', 'cfo');
  const erp = person('erp-system', 'credit_manager');
  erpToken = await signToken(TEST_SECRET, { role: 'credit_manager', uid: erp.id!, name: 'erp-system' });
  for (const c of [A, B, C]) {
    // A limit of exposure + 100,000.00 reporting currency, in the customer's currency (rounded up).
    const rate = Number(snap.rates.get(c.currency)) / 1e8;
    setLimit(c, centsText(Math.ceil((c.exposureRcCents + 100_000_00) / rate / 100) * 100));
  }
}, 240_000);
afterAll(async () => {
  await server?.close();
  await fs.rm(root, { recursive: true, force: true });
});

const check = (body: unknown, token = erpToken, headers: Record<string, string> = {}) =>
  fetch(new URL('/api/credit-checks', server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const ok = async (body: unknown) => {
  const r = await check(body);
  expect(r.status, await r.clone().text()).toBe(200);
  return (await r.json()) as {
    decision: string;
    decision_id: number;
    reasons: { code: string; effect: string }[];
    exposure_rc: string;
    limit_rc: string;
  };
};

/** Headroom of `c` now (reporting-currency cents), from a check's own answer. */
const headroom = (limitRc: string, exposureRc: string) =>
  Math.round(Number(limitRc) * 100) - Math.round(Number(exposureRc) * 100);

describe('POST /api/credit-checks', () => {
  it('approves an order that fits, holds one over the limit, escalates one far over it', async () => {
    const fits = await ok({
      customer_id: B.customerId,
      amount: '100.00',
      currency: 'USD',
      order_id: 'SO-B-1',
    });
    expect(fits).toMatchObject({ decision: 'approve', reasons: [] });
    const room = headroom(fits.limit_rc, fits.exposure_rc) - 100_00;
    const over = await ok({ customer_id: B.customerId, amount: centsText(room + 1_00), currency: 'USD' });
    expect(over.decision).toBe('hold');
    expect(over.reasons).toMatchObject([{ code: 'over_limit', effect: 'hold' }]);
    // The approval of SO-B-1 counts: the exposure answered includes it.
    expect(Math.round(Number(over.exposure_rc) * 100)).toBe(
      Math.round(Number(fits.exposure_rc) * 100) + 100_00,
    );
    const far = await ok({ customer_id: B.customerId, amount: centsText(room * 3), currency: 'USD' });
    expect(far).toMatchObject({
      decision: 'escalate',
      reasons: [{ code: 'over_limit', effect: 'escalate' }],
    });
    // An order in the customer's currency is converted at the as-of rate.
    const eur = await ok({ customer_id: B.customerId, amount: '1', currency: B.currency });
    expect(eur.decision).toBe('approve');
  });

  it('holds for overdue invoices (by region policy), prepayment and the blacklist; escalates unknowns', async () => {
    const overdue = await ok({ customer_id: C.customerId, amount: '1', currency: 'USD' });
    expect(overdue).toMatchObject({ decision: 'hold', reasons: [{ code: 'overdue', effect: 'hold' }] });
    expect(await ok({ customer_id: 'NO-SUCH-CUSTOMER', amount: '1', currency: 'USD' })).toMatchObject({
      decision: 'escalate',
      reasons: [{ code: 'unknown_customer' }],
    });
    expect(await ok({ customer_id: B.customerId, amount: '1', currency: 'XTS' })).toMatchObject({
      decision: 'escalate',
      reasons: [{ code: 'unknown_currency' }],
    });
    // Re-rating to prepayment holds every order.
    const r = createRequest(server.ops, cm1, server.credit.policy, snap, {
      customerId: C.customerId,
      kind: 'rerate',
      newLimit: '0',
      prepaymentRequired: true,
      reason: 'broke two promises',
    });
    approveRequest(server.ops, cm2, r.id);
    expect(
      (await ok({ customer_id: C.customerId, amount: '1', currency: 'USD' })).reasons.map((x) => x.code),
    ).toEqual(expect.arrayContaining(['prepayment_required', 'over_limit']));
    // Blacklisted (two people): held whatever else.
    const p = proposeBlacklist(server.ops, cm1, {
      customerId: B.customerId,
      action: 'add',
      category: 'fraud',
      reason: 'forged documents',
    });
    decideBlacklist(server.ops, cfo, p.id, 'confirm');
    expect(await ok({ customer_id: B.customerId, amount: '1', currency: 'USD' })).toMatchObject({
      decision: 'hold',
      reasons: [{ code: 'blacklisted', effect: 'hold' }],
    });
  });

  it('approves exactly one of eight parallel orders that each fit but together exceed the limit', async () => {
    const probe = await ok({ customer_id: A.customerId, amount: '0.01', currency: 'USD', order_id: 'PROBE' });
    const room = headroom(probe.limit_rc, probe.exposure_rc) - 1;
    const each = Math.ceil(room * 0.6);
    raceEach = each;
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ok({ customer_id: A.customerId, amount: centsText(each), currency: 'USD', order_id: `RACE-${i}` }),
      ),
    );
    const outcomes = answers.map((a) => a.decision).sort();
    expect(outcomes).toEqual(['approve', ...Array<string>(7).fill('hold')]);
    for (const a of answers.filter((x) => x.decision === 'hold')) {
      expect(a.reasons.map((r) => r.code)).toEqual(['over_limit']);
    }
  });

  it('is refused without a token, with a cookie only, to roles that do not check, and for hostile bodies', async () => {
    expect((await fetch(new URL('/api/credit-checks', server.url), { method: 'POST' })).status).toBe(401);
    const { cookie, csrf } = await signedIn(server, { role: 'credit_manager' });
    const viaCookie = await fetch(new URL('/api/credit-checks', server.url), {
      method: 'POST',
      headers: { cookie, 'x-arlens-csrf': csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ customer_id: B.customerId, amount: '1', currency: 'USD' }),
    });
    expect(viaCookie.status).toBe(403);
    for (const role of ['analyst', 'cfo'] as const) {
      const t = await signToken(TEST_SECRET, { role });
      expect((await check({ customer_id: B.customerId, amount: '1', currency: 'USD' }, t)).status).toBe(
        role === 'analyst' ? 403 : 200,
      );
    }
    expect(
      (
        await fetch(new URL('/api/credit-checks', server.url), {
          headers: { authorization: `Bearer ${erpToken}` },
        })
      ).status,
    ).toBe(405);
    const bad: [unknown, number][] = [
      ['not json', 400],
      ['[]', 400],
      ['null', 400],
      [{ customer_id: B.customerId, amount: '1e3', currency: 'USD' }, 400],
      [{ customer_id: B.customerId, amount: '-1', currency: 'USD' }, 400],
      [{ customer_id: B.customerId, amount: '0', currency: 'USD' }, 400],
      [{ customer_id: B.customerId, amount: '1.001', currency: 'USD' }, 400],
      [{ customer_id: B.customerId, amount: 'NaN', currency: 'USD' }, 400],
      [{ customer_id: B.customerId, amount: '1', currency: 'usd; drop' }, 400],
      [{ customer_id: "x' OR 1=1 --", amount: '1', currency: 'USD' }, 400],
      [{ customer_id: '', amount: '1', currency: 'USD' }, 400],
      [{ customer_id: 'a'.repeat(65), amount: '1', currency: 'USD' }, 400],
      [{ customer_id: B.customerId, amount: '1', currency: 'USD', order_id: '<script>' }, 400],
      [{ customer_id: B.customerId, amount: '1', currency: 'USD', __proto__: { x: 1 }, extra: 1 }, 400],
      [{ customer_id: ['A'], amount: '1', currency: 'USD' }, 400],
    ];
    for (const [body, status] of bad) {
      const r = await check(body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(((await r.json()) as { code: string }).code).toMatch(/^bad_/);
    }
    expect((await check('{}', erpToken, { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await check(JSON.stringify({ pad: 'x'.repeat(70_000) }))).status).toBe(413);
  });

  it('serves the decision history and the limits as files the ERP and DuckDB load', async () => {
    const auth = { authorization: `Bearer ${erpToken}` };
    const held = (await (
      await fetch(new URL('/api/credit-decisions?status=held,escalated&limit=500', server.url), {
        headers: auth,
      })
    ).json()) as { total: number; decisions: { status: string; reasons: unknown[] }[] };
    expect(held.total).toBeGreaterThanOrEqual(10);
    expect(held.decisions.every((d) => d.status === 'held' || d.status === 'escalated')).toBe(true);
    expect(
      (await fetch(new URL('/api/credit-decisions?status=bogus', server.url), { headers: auth })).status,
    ).toBe(400);
    expect(
      (await fetch(new URL('/api/credit-decisions?since=1;drop', server.url), { headers: auth })).status,
    ).toBe(400);

    const csv = await (
      await fetch(new URL('/api/credit-decisions?format=csv', server.url), { headers: auth })
    ).text();
    const canonical = await (
      await fetch(new URL('/api/credit-limits', server.url), { headers: auth })
    ).text();
    const sap = await (
      await fetch(new URL('/api/credit-limits?layout=sap', server.url), { headers: auth })
    ).text();
    expect((await fetch(new URL('/api/credit-limits?layout=x', server.url), { headers: auth })).status).toBe(
      400,
    );
    const files = { csv, canonical, sap };
    for (const [name, text] of Object.entries(files)) await fs.writeFile(join(root, `${name}.csv`), text);
    await withInstance(':memory:', {}, async (conn) => {
      const read = (name: string) =>
        queryRows(conn, `SELECT * FROM read_csv('${join(root, name)}.csv', header = true)`);
      const limits = await read('canonical');
      expect(limits).toHaveLength(snap.customers.size);
      const a = limits.find((r) => r['customer_id'] === A.customerId)!;
      expect(a).toMatchObject({ source: 'arlens', blacklisted: false });
      expect(limits.find((r) => r['customer_id'] === B.customerId)).toMatchObject({ blacklisted: true });
      const sapRows = await read('sap');
      expect(Object.keys(sapRows[0]!)).toEqual([
        'PARTNER',
        'CREDIT_SGMNT',
        'CREDIT_LIMIT',
        'CURRENCY',
        'LIMIT_VALID_DATE',
        'XBLOCKED',
      ]);
      expect(sapRows.find((r) => r['PARTNER'] === B.customerId)).toMatchObject({ XBLOCKED: 'X' });
      const decisions = await read('csv');
      expect(decisions.length).toBe(listAudit(server.ops, { action: 'credit.check', limit: 10_000 }).length);
    });
  });

  it('audits every decision, and the chain verifies', () => {
    const checks = listAudit(server.ops, { action: 'credit.check', limit: 10_000 });
    expect(checks.length).toBeGreaterThanOrEqual(15);
    expect(
      checks.every(
        (e) => e.actor === 'erp-system' || e.actor.startsWith('token:') || e.actor.startsWith('t-'),
      ),
    ).toBe(true);
    expect(verifyAudit(server.ops).ok).toBe(true);
  });
});

describe('arlens credit-check', () => {
  const arlens = (...args: string[]) => {
    const r = spawnSync(process.execPath, cliArgs('-w', wh, ...args), {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', ARLENS_API_SECRET: TEST_SECRET },
      timeout: 120_000,
    });
    return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
  };

  it('checks one order and a CSV batch as a named user, beside the running server', async () => {
    const policy = join(root, 'policy.yaml');
    const one = arlens(
      'credit-check',
      '--user',
      'carl',
      '--policy',
      policy,
      '--customer',
      A.customerId,
      '--amount',
      centsText(raceEach),
      '--currency',
      'USD',
      '--json',
    );
    expect(one.err).toBe('');
    // A's headroom was used up by the race: the CLI sees the server's approvals.
    expect(JSON.parse(one.out)).toMatchObject({
      decision: 'hold',
      reasons: [{ code: 'over_limit' }],
      checked_by: 'carl',
    });
    const file = join(root, 'orders.csv');
    await fs.writeFile(
      file,
      `order_id,customer_id,amount,currency,note\nSO-1,${B.customerId},10.00,USD,"a, b"\nSO-2,NOPE,5,USD,\nSO-3,${C.customerId},1,${C.currency},\n`,
    );
    const batch = arlens('credit-check', '--user', 'carl', '--policy', policy, '--file', file);
    expect(batch.code).toBe(0);
    expect(batch.out.split('\n').map((l) => l.split('\t')[4])).toEqual(['hold', 'escalate', 'escalate']);
    expect(batch.err).toMatch(/^3 orders in [\d.]+ s: 0 approve, 1 hold, 2 escalate$/);
    await fs.writeFile(file, `customer_id,amount,currency\n${B.customerId},1.234,USD\n`);
    expect(arlens('credit-check', '--user', 'carl', '--file', file).err).toMatch(/line 2: .*2 decimals/);
    expect(
      arlens('credit-check', '--user', 'nobody', '--customer', 'X', '--amount', '1', '--currency', 'USD').err,
    ).toMatch(/No enabled user named nobody/);
    const limits = arlens('credit-limits', '--layout', 'sap');
    expect(limits.out.split(/\r?\n/)[0]).toBe(
      'PARTNER,CREDIT_SGMNT,CREDIT_LIMIT,CURRENCY,LIMIT_VALID_DATE,XBLOCKED',
    );
  });
});

// convertCents is part of the contract the race arithmetic above relies on.
it('converts at the rate, rounding half away from zero', () => {
  expect(convertCents(1_00, 110_000_000n)).toBe(1_10);
  expect(convertCents(5, 150_000_000n)).toBe(8);
});
