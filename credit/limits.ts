/** Limits as pages and exports see them: ARLens's own where set, else the ERP's; blacklist flags. */
import type { OpsStore } from '../ops/store.ts';
import { blacklist } from './blacklist.store.ts';
import type { LimitExportRow } from './export.ts';
import type { WarehouseSnapshot } from './facts.ts';
import { ownLimits } from './requests.store.ts';

export function limitExportRows(store: OpsStore, snapshot: WarehouseSnapshot): LimitExportRow[] {
  const own = ownLimits(store);
  const listed = new Set(blacklist(store).map((b) => b.customerId));
  const rows: LimitExportRow[] = [];
  for (const c of snapshot.customers.values()) {
    rows.push({
      customerId: c.customerId,
      limit: own.get(c.customerId) ?? null,
      erpLimitCents: c.erpLimitCents,
      currency: c.currency,
      blacklisted: listed.has(c.customerId) || c.blacklisted,
    });
  }
  return rows.sort((a, b) => (a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0));
}
