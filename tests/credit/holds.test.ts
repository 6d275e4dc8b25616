/**
 * The holds queue and the blacklist against a real operational store: release (with a reason),
 * reject and re-check a held order; an escalated order released only by a CFO; a sales lead and
 * roles without a part refused; a blacklisted customer's orders always held and never released;
 * blacklisting and lifting it each need a credit manager's proposal and a different person's (a
 * CFO's) confirmation — a single person is refused at every step; every step and refusal audited.
 */
import { promises as fs } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CreditActor } from '../../credit/actor.ts';
import { blacklist, decideBlacklist, isBlacklisted, proposeBlacklist } from '../../credit/blacklist.store.ts';
import {
  checkOrder,
  getDecision,
  listDecisions,
  recheckHold,
  resolveHold,
} from '../../credit/checks.store.ts';
import { DEFAULT_POLICY } from '../../credit/policy.ts';
import { verifyAudit } from '../../ops/audit.ts';
import type { OpsStore } from '../../ops/store.ts';
import { tempDir } from '../helpers.ts';
import { actions, customer, person, refusal, snapshot, storeIn } from './fixtures.ts';

let dir: string;
let store: OpsStore;
let sales: CreditActor, cm1: CreditActor, cm2: CreditActor, cfo1: CreditActor, cfo2: CreditActor;
let analyst: CreditActor;
// C1: limit 100,000 EUR = 110,000 USD, exposure 100,000 USD.
const snap = snapshot([customer('C1', { exposureRcCents: 100_000_00 }), customer('C2')]);

beforeEach(async () => {
  dir = await tempDir('arlens-credit-holds-');
  store = storeIn(dir);
  sales = person(store, 'sally', 'sales_lead');
  cm1 = person(store, 'carl', 'credit_manager');
  cm2 = person(store, 'cora', 'credit_manager');
  cfo1 = person(store, 'fiona', 'cfo');
  cfo2 = person(store, 'felix', 'cfo');
  analyst = person(store, 'andy', 'analyst');
});
afterEach(async () => {
  store.close();
  await fs.rm(dir, { recursive: true, force: true });
});

const order = (amount: number, customerId = 'C1', orderId: string | null = null) =>
  checkOrder(
    store,
    cm1,
    DEFAULT_POLICY,
    snap,
    { customerId, amountCents: amount, currency: 'USD', orderId },
    {
      source: 'api',
    },
  );

describe('the holds queue', () => {
  it('releases a held order with a reason; the release counts against the limit from then on', () => {
    const held = order(12_000_00); // 112,000 > 110,000, over by < 25 %: hold
    expect(held.status).toBe('held');
    expect(refusal(() => resolveHold(store, sales, held.id, 'release', 'customer asked'))).toBe(
      'sales_lead_cannot_release',
    );
    expect(refusal(() => resolveHold(store, analyst, held.id, 'release', 'x'))).toBe('role_cannot_release');
    expect(refusal(() => resolveHold(store, cm2, held.id, 'release', ''))).toBe('missing_field');
    const released = resolveHold(store, cm2, held.id, 'release', 'Payment received by phone');
    expect(released).toMatchObject({
      status: 'released',
      resolvedBy: 'cora',
      resolutionReason: 'Payment received by phone',
    });
    expect(refusal(() => resolveHold(store, cm2, held.id, 'reject', 'x'))).toBe('not_held');
    // The released 12,000 now counts: a 1.00 order is over the limit.
    expect(order(1_00).reasons.map((r) => r.code)).toEqual(['over_limit']);
  });

  it('an escalated order is released only by a CFO; a credit manager may reject it', () => {
    const esc = order(100_000_00); // far over: escalate
    expect(esc.status).toBe('escalated');
    expect(refusal(() => resolveHold(store, cm2, esc.id, 'release', 'big customer'))).toBe(
      'escalated_needs_cfo',
    );
    expect(resolveHold(store, cfo1, esc.id, 'release', 'CFO accepts the risk').status).toBe('released');
    const esc2 = order(200_000_00, 'C2');
    expect(esc2.status).toBe('escalated');
    expect(resolveHold(store, cm2, esc2.id, 'reject', 'too large').status).toBe('rejected');
  });

  it('re-checks a held order on today’s facts: the old decision is closed, the new one linked', () => {
    const held = order(12_000_00, 'C1', 'SO-9');
    const again = recheckHold(store, cm2, DEFAULT_POLICY, snap, held.id);
    expect(getDecision(store, held.id)?.status).toBe('rechecked');
    expect(again).toMatchObject({ orderId: 'SO-9', recheckOf: held.id, status: 'held', source: 'recheck' });
    expect(refusal(() => recheckHold(store, sales, DEFAULT_POLICY, snap, again.id))).toBe(
      'role_cannot_release',
    );
    expect(listDecisions(store, { status: ['held', 'escalated'] }).rows.map((d) => d.id)).toEqual([again.id]);
  });
});

describe('the blacklist (two-person rule)', () => {
  it('needs a credit manager to propose and a different person, a CFO, to confirm — both ways', () => {
    expect(
      refusal(() =>
        proposeBlacklist(store, cfo1, { customerId: 'C2', action: 'add', category: 'fraud', reason: 'x' }),
      ),
    ).toBe('role_cannot_propose');
    expect(
      refusal(() =>
        proposeBlacklist(store, sales, { customerId: 'C2', action: 'add', category: 'fraud', reason: 'x' }),
      ),
    ).toBe('role_cannot_propose');
    expect(
      refusal(() =>
        proposeBlacklist(store, cm1, { customerId: 'C2', action: 'add', category: 'nope', reason: 'x' }),
      ),
    ).toBe('bad_field');
    const p = proposeBlacklist(store, cm1, {
      customerId: 'C2',
      action: 'add',
      category: 'malicious_default',
      reason: 'Ignored 5 reminders, moved assets',
    });
    expect(isBlacklisted(store, 'C2')).toBe(false);
    expect(refusal(() => decideBlacklist(store, cm1, p.id, 'confirm'))).toBe('role_cannot_confirm');
    expect(refusal(() => decideBlacklist(store, cm2, p.id, 'confirm'))).toBe('role_cannot_confirm');
    decideBlacklist(store, cfo1, p.id, 'confirm', 'agreed');
    expect(blacklist(store)).toMatchObject([{ customerId: 'C2', category: 'malicious_default' }]);

    // Orders are held, even small ones, and cannot be released.
    const held = order(1_00, 'C2');
    expect(held).toMatchObject({ outcome: 'hold', status: 'held' });
    expect(held.reasons.map((r) => r.code)).toEqual(['blacklisted']);
    expect(refusal(() => resolveHold(store, cfo2, held.id, 'release', 'please'))).toBe('blacklisted');

    // Lifting it: a single person cannot; a CFO who proposed cannot confirm their own (they may not propose).
    expect(refusal(() => decideBlacklist(store, cfo1, p.id, 'refuse', 'x'))).toBe('not_pending');
    const lift = proposeBlacklist(store, cm2, {
      customerId: 'C2',
      action: 'remove',
      reason: 'Settled in full',
    });
    expect(
      refusal(() => proposeBlacklist(store, cm1, { customerId: 'C2', action: 'remove', reason: 'again' })),
    ).toBe('pending_exists');
    expect(refusal(() => decideBlacklist(store, cm2, lift.id, 'confirm'))).toBe('role_cannot_confirm');
    expect(isBlacklisted(store, 'C2')).toBe(true);
    decideBlacklist(store, cfo2, lift.id, 'confirm');
    expect(isBlacklisted(store, 'C2')).toBe(false);
    expect(order(1_00, 'C2').outcome).toBe('approve');
  });

  it('a CFO refuses a proposal (with a reason); nothing changes; all audited', () => {
    const p = proposeBlacklist(store, cm1, {
      customerId: 'C1',
      action: 'add',
      category: 'insolvency',
      reason: 'filed',
    });
    expect(refusal(() => decideBlacklist(store, cfo1, p.id, 'refuse'))).toBe('missing_field');
    decideBlacklist(store, cfo1, p.id, 'refuse', 'Filing was withdrawn');
    expect(isBlacklisted(store, 'C1')).toBe(false);
    expect(
      refusal(() => proposeBlacklist(store, cm1, { customerId: 'C1', action: 'remove', reason: 'x' })),
    ).toBe('not_blacklisted');
    expect(actions(store, 'credit.blacklist')).toEqual([
      'credit.blacklist.propose',
      'credit.blacklist.refuse.refused',
      'credit.blacklist.refuse',
      'credit.blacklist.propose.refused',
    ]);
    expect(verifyAudit(store).ok).toBe(true);
  });

  it('a credit manager who proposed can never confirm, even holding a second account’s role later', () => {
    // The proposer's user id is what counts: a CFO account with the same id cannot exist, but the
    // check is by id, so a role change of the proposer does not let them confirm.
    const p = proposeBlacklist(store, cm1, {
      customerId: 'C1',
      action: 'add',
      category: 'fraud',
      reason: 'x',
    });
    const promoted: CreditActor = { ...cm1, role: 'cfo' };
    expect(refusal(() => decideBlacklist(store, promoted, p.id, 'confirm'))).toBe('own_request');
  });
});
