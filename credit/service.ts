/**
 * Credit management as one object the server, the pages and the CLI share: the operational store,
 * the policy, and the warehouse snapshot of the generation being served.
 */
import { dirname, join } from 'node:path';
import type { OpsStore } from '../ops/store.ts';
import type { Query } from '../warehouse/convert.ts';
import { SnapshotCache, type WarehouseSnapshot } from './facts.ts';
import { loadPolicy, type CreditPolicy } from './policy.ts';

export const POLICY_FILE = 'credit-policy.yaml';

/** Where the policy of a store lives: `credit-policy.yaml` beside the operational store. */
export function policyPath(opsStorePath: string): string {
  return join(dirname(opsStorePath), POLICY_FILE);
}

export interface CreditService {
  readonly ops: OpsStore;
  readonly policy: CreditPolicy;
  snapshot(): Promise<WarehouseSnapshot>;
}

export async function createCreditService(options: {
  ops: OpsStore;
  query: Query;
  generation: () => number;
  /** The policy file; default: beside the store (the built-in policy when it does not exist). */
  policyFile?: string;
}): Promise<CreditService> {
  const policy = await loadPolicy(options.policyFile ?? policyPath(options.ops.path));
  const cache = new SnapshotCache(options.query, options.generation);
  return { ops: options.ops, policy, snapshot: () => cache.get() };
}
