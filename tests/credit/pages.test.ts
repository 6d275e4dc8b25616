/**
 * Segregation of duties through the Credit page's form actions (real sessions, CSRF tokens, the
 * server's own SvelteKit handler): a sales lead requests and is refused approving; a requester is
 * refused approving and rejecting their own request; a credit manager completes a small request but
 * is refused completing one above their amount, which a CFO then completes; a blacklisting needs a
 * credit manager's proposal and a CFO's confirmation, and so does lifting it — a credit manager alone
 * and a CFO proposing are refused; hostile form values get a clear message; every refusal is audited.
 */
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../auth/sessions.ts';
import { addUser } from '../../auth/users.ts';
import type { Role } from '../../auth/policy.ts';
import { isBlacklisted } from '../../credit/blacklist.store.ts';
import type { WarehouseCustomer } from '../../credit/facts.ts';
import { listRequests, ownLimit } from '../../credit/requests.store.ts';
import { listAudit, verifyAudit } from '../../ops/audit.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { TEST_SECRET, tempDir } from '../helpers.ts';

let root: string;
let server: RunningServer;
let C: WarehouseCustomer;
type Who = { cookie: string; csrf: string };
const people: Record<string, Who> = {};

beforeAll(async () => {
  root = await tempDir('arlens-credit-pages-');
  const wh = await demoWarehouse(root, 400);
  server = await startServer({ warehouseDir: wh, host: '127.0.0.1', port: 0, apiSecret: TEST_SECRET });
  const snap = await server.credit.snapshot();
  C = [...snap.customers.values()].find((c) => c.region === 'EMEA' && snap.rates.has(c.currency))!;
  const add = (username: string, role: Role, regions: string[] = []) => {
    const u = addUser(
      server.ops,
      { id: null, name: 'test', address: null },
      { username, role, regions, passwordHash: null },
    );
    const s = createSession(server.ops, u, 'password', { address: '127.0.0.1' });
    people[username] = { cookie: `arlens_session=${s.token}`, csrf: s.csrf };
  };
  add('sally', 'sales_lead', ['EMEA']);
  add('sam', 'sales_lead', ['APAC']);
  add('carl', 'credit_manager');
  add('cora', 'credit_manager');
  add('cleo', 'credit_manager');
  add('fiona', 'cfo');
  add('andy', 'analyst');
}, 240_000);
afterAll(async () => {
  await server?.close();
  await fs.rm(root, { recursive: true, force: true });
});

/** Post a Credit page form action as `who`; SvelteKit's JSON answer: type and the form's data. */
async function act(who: string, action: string, fields: Record<string, string>) {
  const p = people[who]!;
  const res = await fetch(new URL(`/credit?/${action}`, server.url), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie: p.cookie,
      origin: server.url.replace(/\/$/, ''),
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'x-sveltekit-action': 'true',
    },
    body: new URLSearchParams({ csrf: p.csrf, ...fields }).toString(),
  });
  const body = (await res.json()) as { type: string; status?: number; data?: string };
  // SvelteKit serialises the action's data with devalue: find the message and code in it.
  const data = body.data ? (JSON.parse(body.data) as unknown[]) : [];
  const text = data.filter((x) => typeof x === 'string') as string[];
  return { type: body.type, status: body.status ?? res.status, text: text.join(' | ') };
}

const lastRequest = () => listRequests(server.ops, { status: 'all', customerId: C.customerId }).rows[0]!;

describe('the warehouse facts behind the checks and the re-rating list', () => {
  it('counts each customer’s promises broken in the 90 days before the as-of date', async () => {
    const snap = await server.credit.snapshot();
    const rows = await server.warehouse.query(
      `SELECT customer_id, count(*) AS n FROM marts.fct_collection_activities
       WHERE promise_status = 'broken' AND promised_date > (SELECT as_of_date FROM intermediate.int_as_of) - 90
       GROUP BY customer_id`,
    );
    expect(rows.length).toBeGreaterThan(0);
    const expected = new Map(rows.map((r) => [String(r['customer_id']), Number(r['n'])]));
    for (const c of snap.customers.values())
      expect(c.brokenPromises, c.customerId).toBe(expected.get(c.customerId) ?? 0);
  });
});

describe('the Credit page under segregation of duties', () => {
  it('a sales lead requests and may not approve; the requester never decides their own', async () => {
    const made = await act('sally', 'request', {
      customer_id: C.customerId,
      new_limit: '1000.00',
      reason: 'New contract',
    });
    expect(made).toMatchObject({ type: 'success' });
    expect(made.text).toMatch(/Request \d+ for .* recorded/);
    const id = String(lastRequest().id);
    expect(await act('sally', 'approve', { id })).toMatchObject({ type: 'failure', status: 403 });
    expect((await act('sally', 'approve', { id })).text).toContain(
      'A sales lead may request a limit but never approve one.',
    );
    expect((await act('andy', 'approve', { id })).text).toContain('Only a credit manager or a CFO approves');
    expect((await act('carl', 'approve', { id })).type).toBe('success');
    expect(ownLimit(server.ops, C.customerId)?.limitCents).toBe(1000_00);

    await act('carl', 'request', { customer_id: C.customerId, new_limit: '2000', reason: 'Raise' });
    const mine = String(lastRequest().id);
    expect((await act('carl', 'approve', { id: mine })).text).toContain('You made this request');
    expect((await act('carl', 'reject', { id: mine, note: 'no' })).text).toContain('You made this request');
    expect((await act('cora', 'reject', { id: mine, note: 'Not justified' })).type).toBe('success');
  });

  it('above the credit manager’s amount a CFO must also approve', async () => {
    await act('carl', 'request', {
      customer_id: C.customerId,
      new_limit: '900000000.00',
      reason: 'Group guarantee',
    });
    const id = String(lastRequest().id);
    expect(lastRequest().needsCfo).toBe(true);
    expect((await act('cora', 'approve', { id })).text).toContain('a CFO must also approve');
    expect(ownLimit(server.ops, C.customerId)?.limitCents).toBe(1000_00);
    expect((await act('cora', 'approve', { id })).text).toContain('You have already approved this request');
    expect((await act('cleo', 'approve', { id })).text).toContain(
      'This limit is above what a credit manager approves alone',
    );
    expect((await act('fiona', 'approve', { id })).text).toContain('approved: the new limit applies now');
    expect(ownLimit(server.ops, C.customerId)?.limitCents).toBe(900_000_000_00);
  });

  it('blacklisting and lifting it take two people', async () => {
    expect(
      (await act('fiona', 'propose', { customer_id: C.customerId, category: 'fraud', reason: 'x' })).text,
    ).toContain('A credit manager proposes blacklisting');
    expect(
      (
        await act('carl', 'propose', {
          customer_id: C.customerId,
          category: 'fraud',
          reason: 'Forged papers',
        })
      ).type,
    ).toBe('success');
    const pending = listAudit(server.ops, { action: 'credit.blacklist.propose' })[0]!;
    const id = String(JSON.parse(pending.after ?? '{}').request);
    expect((await act('carl', 'confirm', { id })).text).toContain('A CFO confirms');
    expect((await act('cora', 'confirm', { id })).text).toContain('A CFO confirms');
    expect(isBlacklisted(server.ops, C.customerId)).toBe(false);
    expect((await act('fiona', 'confirm', { id })).type).toBe('success');
    expect(isBlacklisted(server.ops, C.customerId)).toBe(true);
    // Flagged in the lists too: the Customers list and the worklist get the id (for the users who
    // see the customer only: a sales lead of another region is never sent it).
    const pageData = async (who: string, path: string) =>
      (
        await fetch(new URL(`${path}/__data.json`, server.url), { headers: { cookie: people[who]!.cookie } })
      ).text();
    for (const path of ['/customers', '/collections']) {
      expect(await pageData('sally', path), path).toContain(C.customerId);
      expect(await pageData('fiona', path), path).toContain(C.customerId);
      expect(await pageData('sam', path), path).not.toContain(C.customerId);
    }

    // Lifting it: a credit manager proposes; neither they nor another credit manager can confirm.
    expect(
      (await act('cora', 'propose', { customer_id: C.customerId, action: 'remove', reason: 'Settled' })).type,
    ).toBe('success');
    const lift = String(
      JSON.parse(listAudit(server.ops, { action: 'credit.blacklist.propose' })[0]!.after ?? '{}').request,
    );
    expect((await act('cora', 'confirm', { id: lift })).status).toBe(403);
    expect((await act('carl', 'confirm', { id: lift })).status).toBe(403);
    expect(isBlacklisted(server.ops, C.customerId)).toBe(true);
    expect((await act('fiona', 'confirm', { id: lift })).type).toBe('success');
    expect(isBlacklisted(server.ops, C.customerId)).toBe(false);
  });

  it('answers hostile form values with a message, and audits every refusal', async () => {
    for (const fields of <Record<string, string>[]>[
      { customer_id: C.customerId, new_limit: '1e9', reason: 'x' },
      { customer_id: C.customerId, new_limit: '=1+1', reason: 'x' },
      { customer_id: C.customerId, new_limit: '10', reason: '' },
      { customer_id: '<script>alert(1)</script>', new_limit: '10', reason: 'x' },
      { customer_id: C.customerId, suggested_rc: 'NaN', reason: 'x' },
    ]) {
      const r = await act('carl', 'request', fields);
      expect(r.type, JSON.stringify(fields)).toBe('failure');
      expect(r.text.length).toBeGreaterThan(5);
    }
    for (const id of ['0', '-1', 'abc', '99999999', '1 OR 1=1']) {
      expect((await act('carl', 'approve', { id })).type).toBe('failure');
    }
    const refused = listAudit(server.ops, { limit: 1000 }).filter((e) => e.action.endsWith('.refused'));
    const codes = refused.map((e) => `${e.actor}:${JSON.parse(e.after ?? '{}').code}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'sally:sales_lead_cannot_approve',
        'andy:role_cannot_approve',
        'carl:own_request',
        'cora:already_approved_by_you',
        'cleo:above_credit_manager_amount',
        'fiona:role_cannot_propose',
        'carl:role_cannot_confirm',
        'cora:role_cannot_confirm',
      ]),
    );
    expect(verifyAudit(server.ops).ok).toBe(true);
    // Without the CSRF token nothing is done.
    const res = await fetch(new URL('/credit?/approve', server.url), {
      method: 'POST',
      headers: {
        cookie: people['fiona']!.cookie,
        origin: server.url.replace(/\/$/, ''),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'id=1',
    });
    expect(res.status).toBe(403);
  });
});
