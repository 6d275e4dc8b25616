/**
 * Credit management as one object the server, the pages and the CLI share: the operational store,
 * the policy, and the warehouse snapshot of the generation being served.
 */
import { dirname, join } from 'node:path';
import type { OpsStore } from '../ops/store.ts';
import type { Query } from '../warehouse/convert.ts';
import { SnapshotCache, type WarehouseSnapshot } from './facts.ts';
import {
  limitsVersion,
  mirrorCredit,
  MIRROR_SETUP,
  PG_MIRROR_SETUP,
  storeVersion,
  type MirrorEngine,
  type MirrorMark,
} from './mirror.ts';
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
  /**
   * Copy decisions and limits into the serving instance for Cube (mirror.ts) when the store or the
   * warehouse changed since the last copy; resolves when the copy is current.
   */
  syncMirror(): Promise<void>;
}

export async function createCreditService(options: {
  ops: OpsStore;
  query: Query;
  generation: () => number;
  /** The warehouse's engine (where the mirror for Cube is written); DuckDB when absent. */
  engine?: MirrorEngine;
  /** The policy file; default: beside the store (the built-in policy when it does not exist). */
  policyFile?: string;
}): Promise<CreditService> {
  const policy = await loadPolicy(options.policyFile ?? policyPath(options.ops.path));
  const cache = new SnapshotCache(options.query, options.generation);
  let mirrored = '';
  let mirroredLimits = '';
  let running: Promise<void> = Promise.resolve();
  let setUp = false;
  let mark: MirrorMark | null = null;
  const sync = async () => {
    if (!setUp) {
      for (const sql of options.engine === 'postgres' ? PG_MIRROR_SETUP : MIRROR_SETUP)
        await options.query(sql);
      setUp = true;
    }
    const key = `${options.generation()}:${storeVersion(options.ops)}`;
    if (key === mirrored || options.generation() === 0) return;
    const limitsKey = `${options.generation()}:${limitsVersion(options.ops)}`;
    ({ mark } = await mirrorCredit(
      options.query,
      options.ops,
      await cache.get(),
      limitsKey !== mirroredLimits,
      mark,
      options.engine ?? 'duckdb',
    ));
    mirrored = key;
    mirroredLimits = limitsKey;
  };
  return {
    ops: options.ops,
    policy,
    snapshot: () => cache.get(),
    syncMirror: () => (running = running.catch(() => undefined).then(sync)),
  };
}
