/**
 * Limit requests under segregation of duties, against a real operational store: every rule attempted
 * and refused (requester approving self, a sales lead approving, a credit manager above their amount,
 * a second credit manager, a CFO twice, roles without a part), each refusal audited and changing
 * nothing; the approvals that complete a request apply the limit at once and write the history.
 */
import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreditActor } from '../../credit/actor.ts';
import { DEFAULT_POLICY } from '../../credit/policy.ts';
import {
  approveRequest,
  createRequest,
  getRequest,
  listRequests,
  ownLimit,
  rejectRequest,
  withdrawRequest,
} from '../../credit/requests.store.ts';
import { listAudit, verifyAudit } from '../../ops/audit.ts';
import type { OpsStore } from '../../ops/store.ts';
import { tempDir } from '../helpers.ts';
import { actions, customer, person, refusal, snapshot, storeIn } from './fixtures.ts';

let dir: string;
let store: OpsStore;
let sales: CreditActor, cm1: CreditActor, cm2: CreditActor, cfo1: CreditActor, cfo2: CreditActor;
let analyst: CreditActor, collector: CreditActor, admin: CreditActor;
const snap = snapshot([customer('C1'), customer('C2', { region: 'APAC' })]);

beforeEach(async () => {
  dir = await tempDir('arlens-credit-req-');
  store = storeIn(dir);
  sales = person(store, 'sally', 'sales_lead', ['EMEA']);
  cm1 = person(store, 'carl', 'credit_manager');
  cm2 = person(store, 'cora', 'credit_manager');
  cfo1 = person(store, 'fiona', 'cfo');
  cfo2 = person(store, 'felix', 'cfo');
  analyst = person(store, 'andy', 'analyst');
  collector = person(store, 'colin', 'collector');
  admin = person(store, 'ada', 'admin');
});
afterEach(async () => {
  store.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const small = (by: CreditActor, customerId = 'C1') =>
  createRequest(store, by, DEFAULT_POLICY, snap, {
    customerId,
    newLimit: '150000.00', // 165,000 USD: under the 250,000 a credit manager approves alone
    reason: 'Good payer near the limit',
    evidence: { suggestion: 'increase', risk_band: 'low' },
  });
const large = (by: CreditActor) =>
  createRequest(store, by, DEFAULT_POLICY, snap, {
    customerId: 'C1',
    newLimit: '300000.00', // 330,000 USD: above 250,000, a CFO must also approve
    reason: 'Key account expansion',
  });

describe('limit requests', () => {
  it('a sales lead requests, never approves; the requester never approves; a credit manager approves a small one', () => {
    const r = small(sales);
    expect(r).toMatchObject({
      status: 'pending',
      needsCfo: false,
      currentLimit: '100000.00',
      newLimit: '150000.00',
    });
    expect(r.newLimitRc).toBe('165000.00');
    expect(refusal(() => approveRequest(store, sales, r.id))).toBe('sales_lead_cannot_approve');
    const other = person(store, 'sam', 'sales_lead', ['EMEA']);
    expect(refusal(() => approveRequest(store, other, r.id))).toBe('sales_lead_cannot_approve');
    for (const who of [analyst, collector, admin]) {
      expect(refusal(() => approveRequest(store, who, r.id))).toBe('role_cannot_approve');
    }
    expect(getRequest(store, r.id)?.status).toBe('pending');
    expect(ownLimit(store, 'C1')).toBeNull();

    const done = approveRequest(store, cm1, r.id, 'agreed');
    expect(done).toMatchObject({ status: 'approved', managerBy: 'carl', cfoBy: null });
    expect(ownLimit(store, 'C1')).toMatchObject({ limitCents: 150_000_00, currency: 'EUR', requestId: r.id });
    expect(refusal(() => approveRequest(store, cm2, r.id))).toBe('not_pending');
  });

  it('the requester can never approve or reject their own request, whatever their role', () => {
    const r = small(cm1);
    expect(refusal(() => approveRequest(store, cm1, r.id))).toBe('own_request');
    expect(refusal(() => rejectRequest(store, cm1, r.id, 'no'))).toBe('own_request');
    expect(getRequest(store, r.id)?.status).toBe('pending');
    withdrawRequest(store, cm1, r.id);
    const byCfo = small(cfo1);
    expect(refusal(() => approveRequest(store, cfo1, byCfo.id))).toBe('own_request');
    approveRequest(store, cfo2, byCfo.id);
    expect(ownLimit(store, 'C1')?.limitCents).toBe(150_000_00);
  });

  it('above the credit manager’s amount: a credit manager and a CFO, two people, neither the requester', () => {
    const r = large(cm1);
    expect(r.needsCfo).toBe(true);
    const half = approveRequest(store, cm2, r.id);
    expect(half).toMatchObject({ status: 'pending', managerBy: 'cora' });
    expect(ownLimit(store, 'C1')).toBeNull();
    // A second credit manager cannot complete it, nor can the first sign twice.
    const cm3 = person(store, 'cleo', 'credit_manager');
    expect(refusal(() => approveRequest(store, cm3, r.id))).toBe('above_credit_manager_amount');
    expect(refusal(() => approveRequest(store, cm2, r.id))).toBe('already_approved_by_you');
    const done = approveRequest(store, cfo1, r.id);
    expect(done).toMatchObject({ status: 'approved', managerBy: 'cora', cfoBy: 'fiona' });
    expect(ownLimit(store, 'C1')?.limitCents).toBe(300_000_00);

    // CFO first, then a credit manager; a second CFO is refused in between.
    const r2 = createRequest(store, sales, DEFAULT_POLICY, snap, {
      customerId: 'C1',
      newLimit: '400000',
      reason: 'expansion',
    });
    approveRequest(store, cfo1, r2.id);
    expect(refusal(() => approveRequest(store, cfo2, r2.id))).toBe('needs_credit_manager');
    expect(approveRequest(store, cm1, r2.id).status).toBe('approved');
    expect(ownLimit(store, 'C1')?.limitCents).toBe(400_000_00);
  });

  it('refuses bad requests: outside a sales lead’s regions, unknown customers, hostile values, a second pending one', () => {
    expect(refusal(() => small(sales, 'C2'))).toBe('outside_regions');
    expect(refusal(() => small(cm1, 'NOPE'))).toBe('unknown_customer');
    expect(refusal(() => small(analyst))).toBe('role_cannot_request');
    for (const newLimit of ['-5', '1e9', '12,000', '1.234', 'NaN', '', null, {}, '99999999999999']) {
      expect(() =>
        createRequest(store, cm1, DEFAULT_POLICY, snap, { customerId: 'C1', newLimit, reason: 'x' }),
      ).toThrow();
    }
    for (const reason of ['', '   ', 'a'.repeat(2001), 'bad\u0000byte', 42]) {
      expect(
        refusal(() =>
          createRequest(store, cm1, DEFAULT_POLICY, snap, { customerId: 'C1', newLimit: '1', reason }),
        ),
      ).toMatch(/missing_field|bad_field/);
    }
    expect(
      refusal(() =>
        createRequest(store, sales, DEFAULT_POLICY, snap, {
          customerId: 'C1',
          newLimit: '1',
          reason: 'x',
          kind: 'rerate',
        }),
      ),
    ).toBe('role_cannot_request');
    small(cm1);
    expect(refusal(() => small(cm2))).toBe('pending_exists');
    expect(listRequests(store).total).toBe(1);
  });

  it('writes an audit entry for every step and every refused attempt, and the chain verifies', () => {
    const r = large(sales);
    expect(refusal(() => approveRequest(store, sales, r.id))).toBe('sales_lead_cannot_approve');
    approveRequest(store, cm1, r.id);
    expect(refusal(() => approveRequest(store, cm2, r.id))).toBe('above_credit_manager_amount');
    approveRequest(store, cfo1, r.id);
    expect(actions(store)).toEqual([
      'credit.request.create',
      'credit.request.approve.refused',
      'credit.request.approve_manager',
      'credit.request.approve.refused',
      'credit.request.approve',
      'credit.limit.set',
    ]);
    const refused = listAudit(store, { action: 'credit.request.approve.refused' });
    expect(refused.map((e) => JSON.parse(e.after ?? '{}').code)).toEqual([
      'above_credit_manager_amount',
      'sales_lead_cannot_approve',
    ]);
    expect(refused.map((e) => e.actor)).toEqual(['cora', 'sally']);
    const set = listAudit(store, { action: 'credit.limit.set' })[0]!;
    expect(JSON.parse(set.after ?? '{}')).toMatchObject({
      limit: '300000.00',
      currency: 'EUR',
      request: r.id,
    });
    expect(verifyAudit(store).ok).toBe(true);
  });

  it('lists what awaits a person: approvable requests only', () => {
    const a = small(cm1);
    const b = small(cm2, 'C2');
    expect(
      listRequests(store, { awaiting: { role: 'credit_manager', id: cm1.id } }).rows.map((r) => r.id),
    ).toEqual([b.id]);
    expect(
      listRequests(store, { awaiting: { role: 'credit_manager', id: cm2.id } }).rows.map((r) => r.id),
    ).toEqual([a.id]);
    expect(listRequests(store, { awaiting: { role: 'sales_lead', id: sales.id } }).total).toBe(0);
    rejectRequest(store, cfo1, a.id, 'not now');
    expect(getRequest(store, a.id)).toMatchObject({ status: 'rejected', decisionNote: 'not now' });
    expect(refusal(() => withdrawRequest(store, cm1, b.id))).toBe('not_requester');
  });
});
