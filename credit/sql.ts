/**
 * Prepared statements of the credit stores, compiled once per connection (a check runs a dozen; at
 * hundreds of checks a second, compiling each one every time is most of the work).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { OpsStore } from '../ops/store.ts';

const cache = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

export function stmt(store: OpsStore, sql: string): StatementSync {
  let m = cache.get(store.db);
  if (!m) cache.set(store.db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = store.db.prepare(sql)));
  return s;
}
