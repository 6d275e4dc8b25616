/** Shared set-up for the credit tests: an operational store with users of every role, a snapshot. */
import { join } from 'node:path';
import { addUser } from '../../auth/users.ts';
import type { Role } from '../../auth/policy.ts';
import { CreditError, type CreditActor } from '../../credit/actor.ts';
import type { WarehouseCustomer, WarehouseSnapshot } from '../../credit/facts.ts';
import { rateUnits } from '../../credit/money.ts';
import { listAudit } from '../../ops/audit.ts';
import { openOpsStore, type OpsStore } from '../../ops/store.ts';

export function customer(id: string, over: Partial<WarehouseCustomer> = {}): WarehouseCustomer {
  return {
    customerId: id,
    name: `Customer ${id}`,
    region: 'EMEA',
    segment: 'SMB',
    creditController: 'Anna',
    currency: 'EUR',
    blocked: false,
    blacklisted: false,
    erpLimitCents: 100_000_00,
    exposureRcCents: 0,
    overdueRcCents: 0,
    maxDaysPastDue: null,
    riskBand: 'low',
    brokenPromises: 0,
    ...over,
  };
}

export function snapshot(customers: WarehouseCustomer[], dataCut: string | null = null): WarehouseSnapshot {
  return {
    generation: 1,
    asOf: '2025-06-30',
    dataCut,
    customers: new Map(customers.map((c) => [c.customerId, c])),
    // 1 EUR = 1.10 USD (reporting); USD itself 1.
    rates: new Map([
      ['EUR', rateUnits('1.10000000')],
      ['USD', rateUnits('1')],
    ]),
  };
}

export function storeIn(dir: string): OpsStore {
  return openOpsStore(join(dir, 'arlens.ops.sqlite'));
}

/** A named user of `role` and the actor that speaks for them. */
export function person(store: OpsStore, username: string, role: Role, regions: string[] = []): CreditActor {
  const u = addUser(
    store,
    { id: null, name: 'test', address: null },
    {
      username,
      role,
      regions: role === 'sales_lead' ? (regions.length ? regions : ['EMEA']) : [],
      portfolio: role === 'collector' ? 'Anna' : null,
      passwordHash: null,
    },
  );
  return { id: u.id, name: u.username, address: '127.0.0.1', role, regions: u.regions };
}

export const actions = (store: OpsStore, prefix = 'credit.') =>
  listAudit(store, { action: prefix, limit: 10_000 })
    .reverse()
    .map((e) => e.action);

/** The CreditError code `fn` throws (a refusal), or a failed test when it throws none. */
export function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CreditError) return e.code;
    throw e;
  }
  throw new Error('expected a refusal');
}
