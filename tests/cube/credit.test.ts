/**
 * The credit_management view through Cube, against the operational store: decisions, holds, value on
 * hold, releases and time to release, limits in force and the blacklist, by region — as the CFO (all
 * rows), as a sales lead (their region only, whatever they ask) and refused to a credit controller.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../auth/users.ts';
import type { CreditActor } from '../../credit/actor.ts';
import { decideBlacklist, proposeBlacklist } from '../../credit/blacklist.store.ts';
import { checkOrder, resolveHold } from '../../credit/checks.store.ts';
import type { WarehouseSnapshot } from '../../credit/facts.ts';
import { centsText } from '../../credit/money.ts';
import { signToken } from '../../cube/security.ts';
import { TEST_SECRET } from '../helpers.ts';
import { demoWarehouse, startCubeHarness, type CubeHarness } from './harness.ts';

let h: CubeHarness;
let snap: WarehouseSnapshot;
const expected = new Map<string, { decisions: number; holds: number; held: number; releases: number }>();

beforeAll(async () => {
  h = await startCubeHarness((root) => demoWarehouse(root, 400));
  const ops = h.server.ops;
  const person = (username: string, role: CreditActor['role']): CreditActor => {
    const u = addUser(ops, { id: null, name: 't', address: null }, { username, role, passwordHash: null });
    return { id: u.id, name: username, address: null, role };
  };
  const cm = person('carl', 'credit_manager');
  const cm2 = person('cora', 'credit_manager');
  const cfo = person('fiona', 'cfo');
  snap = await h.server.credit.snapshot();
  const customers = [...snap.customers.values()].filter((c) => !c.blocked && !c.blacklisted).slice(0, 12);
  for (const [i, c] of customers.entries()) {
    const e = expected.get(c.region ?? '') ?? { decisions: 0, holds: 0, held: 0, releases: 0 };
    // A small order (approved unless something else holds it) and a huge one (escalated).
    for (const amount of [1_00, 900_000_000_00]) {
      const d = checkOrder(
        ops,
        cm,
        h.server.credit.policy,
        snap,
        {
          customerId: c.customerId,
          amountCents: amount,
          currency: 'USD',
          orderId: `SO-${i}-${amount}`,
        },
        { source: 'api' },
      );
      e.decisions++;
      if (d.status === 'held' || d.status === 'escalated') {
        if (i % 3 === 0) {
          resolveHold(ops, cfo, d.id, 'release', 'accepted');
          e.releases++;
        } else {
          e.holds++;
          e.held += amount;
        }
      }
    }
    expected.set(c.region ?? '', e);
  }
  const p = proposeBlacklist(ops, cm2, {
    customerId: customers[1]!.customerId,
    action: 'add',
    category: 'fraud',
    reason: 'x',
  });
  decideBlacklist(ops, cfo, p.id, 'confirm');
  await h.server.credit.syncMirror();
}, 240_000);
afterAll(async () => {
  await h?.close();
});

const MEASURES = [
  'credit_management.decisions',
  'credit_management.holds_open',
  'credit_management.value_held',
  'credit_management.releases',
  'credit_management.hours_to_release',
];

describe('the credit_management view', () => {
  it('counts decisions, holds, value on hold and releases by region as the store has them', async () => {
    const rows = await h.load(
      { role: 'cfo' },
      { measures: MEASURES, dimensions: ['credit_management.region'] },
    );
    const got = Object.fromEntries(
      rows.map((r) => [
        String(r['credit_management.region']),
        {
          decisions: Number(r['credit_management.decisions']),
          holds: Number(r['credit_management.holds_open']),
          held: r['credit_management.value_held'],
          releases: Number(r['credit_management.releases']),
        },
      ]),
    );
    const want = Object.fromEntries(
      [...expected].map(([region, e]) => [
        region,
        {
          decisions: e.decisions,
          holds: e.holds,
          held: e.held === 0 ? null : centsText(e.held),
          releases: e.releases,
        },
      ]),
    );
    for (const w of Object.values(want))
      if (w.held === null) (w as { held: unknown }).held = expect.anything();
    expect(got).toMatchObject(want);
    const hours = rows.map((r) => r['credit_management.hours_to_release']).filter((x) => x !== null);
    expect(hours.length).toBeGreaterThan(0);
    for (const x of hours) expect(Number(x)).toBeGreaterThanOrEqual(0);
  });

  it('serves limits in force and the blacklist', async () => {
    const [row] = await h.load(
      { role: 'cfo' },
      { measures: ['credit_management.limit_in_force', 'credit_management.blacklisted_customers'] },
    );
    // Ours (two-person rule) and the ERP's own blacklisted customers.
    const erp = [...snap.customers.values()].filter((c) => c.blacklisted).length;
    expect(Number(row!['credit_management.blacklisted_customers'])).toBe(1 + erp);
    const sql = await h.sql(
      'SELECT sum(credit_limit_amount_rc)::VARCHAR AS s FROM marts.fct_credit_exposure',
    );
    // No ARLens limit was set: the limits in force are the ERP's, converted the same way (to the cent).
    expect(Math.abs(Number(row!['credit_management.limit_in_force']) - Number(sql[0]!['s']))).toBeLessThan(
      snap.customers.size * 0.01,
    );
  });

  it('gives a sales lead their region only, and refuses a credit controller', async () => {
    const region = [...expected.keys()][0]!;
    const rows = await h.load(
      { role: 'sales_lead', regions: [region] },
      { measures: ['credit_management.decisions'], dimensions: ['credit_management.region'] },
    );
    expect(
      rows.map((r) => [r['credit_management.region'], Number(r['credit_management.decisions'])]),
    ).toEqual([[region, expected.get(region)!.decisions]]);
    const res = await fetch(
      `${h.server.url}cubejs-api/v1/load?query=${encodeURIComponent(JSON.stringify({ measures: ['credit_management.decisions'] }))}`,
      { headers: { authorization: await signToken(TEST_SECRET, { role: 'collector', portfolio: 'Anna' }) } },
    );
    expect(res.status).toBe(403);
  });
});
