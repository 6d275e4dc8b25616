/**
 * Credit management's numbers for the semantic layer: the operational store's decisions and the
 * limits in force, copied into the serving DuckDB instance (schema `credit`, in memory) so Cube joins
 * them to `marts.dim_customers` and filters them by region and credit controller like every other
 * view. DuckDB cannot read SQLite here (no extension), so the server copies: at start and, at most
 * every few seconds, when the audit log has grown (every write in credit/ appends to it). The limits
 * are copied again only when a limit or a blacklisting changed, not with every check.
 *
 * On a PostgreSQL warehouse (issue 21) the copy is schema `credit` of the warehouse database, written
 * by the server's role: the same tables, each change one statement (an upsert; a replace as a
 * DELETE and INSERT in one statement), so Cube reads the old copy or the new one.
 */
import type { OpsStore } from '../ops/store.ts';
import type { Query } from '../warehouse/convert.ts';
import { blacklist } from './blacklist.store.ts';
import type { WarehouseSnapshot } from './facts.ts';
import { limitExportRows } from './limits.ts';
import { centsText, convertCents } from './money.ts';

export const MIRROR_SETUP = [
  'CREATE SCHEMA IF NOT EXISTS memory.credit',
  `CREATE TABLE IF NOT EXISTS memory.credit.decisions (decision_id BIGINT PRIMARY KEY, customer_id VARCHAR,
     order_id VARCHAR, outcome VARCHAR, status VARCHAR, amount_rc DECIMAL(18, 2), checked_at TIMESTAMP,
     resolved_at TIMESTAMP, hours_to_resolve DOUBLE)`,
  `CREATE TABLE IF NOT EXISTS memory.credit.limits (customer_id VARCHAR, source VARCHAR,
     limit_rc DECIMAL(18, 2), is_blacklisted BOOLEAN, prepayment_required BOOLEAN, key_focus BOOLEAN)`,
  'CREATE TABLE IF NOT EXISTS memory.credit.mirror_version (version BIGINT)',
];

/** MIRROR_SETUP on a PostgreSQL warehouse. */
export const PG_MIRROR_SETUP = [
  'CREATE SCHEMA IF NOT EXISTS credit',
  `CREATE TABLE IF NOT EXISTS credit.decisions (decision_id BIGINT PRIMARY KEY, customer_id VARCHAR,
     order_id VARCHAR, outcome VARCHAR, status VARCHAR, amount_rc DECIMAL(18, 2), checked_at TIMESTAMP,
     resolved_at TIMESTAMP, hours_to_resolve DOUBLE PRECISION)`,
  `CREATE TABLE IF NOT EXISTS credit.limits (customer_id VARCHAR, source VARCHAR,
     limit_rc DECIMAL(18, 2), is_blacklisted BOOLEAN, prepayment_required BOOLEAN, key_focus BOOLEAN)`,
  'CREATE TABLE IF NOT EXISTS credit.mirror_version (version BIGINT)',
];

const PG_UPSERT_DECISIONS = `INSERT INTO credit.decisions
  SELECT d.decision_id, d.customer_id, d.order_id, d.outcome, d.status, d.amount_rc::DECIMAL(18, 2),
    d.checked_at::TIMESTAMP, d.resolved_at::TIMESTAMP, d.hours_to_resolve
  FROM json_to_recordset($1::json) AS d(decision_id bigint, customer_id varchar, order_id varchar,
    outcome varchar, status varchar, amount_rc varchar, checked_at varchar, resolved_at varchar,
    hours_to_resolve double precision)
  ON CONFLICT (decision_id) DO UPDATE SET customer_id = excluded.customer_id, order_id = excluded.order_id,
    outcome = excluded.outcome, status = excluded.status, amount_rc = excluded.amount_rc,
    checked_at = excluded.checked_at, resolved_at = excluded.resolved_at,
    hours_to_resolve = excluded.hours_to_resolve`;

const PG_REPLACE_LIMITS = `WITH gone AS (DELETE FROM credit.limits)
  INSERT INTO credit.limits
  SELECT l.customer_id, l.source, l.limit_rc::DECIMAL(18, 2), l.is_blacklisted, l.prepayment_required,
    l.key_focus
  FROM json_to_recordset($1::json) AS l(customer_id varchar, source varchar, limit_rc varchar,
    is_blacklisted boolean, prepayment_required boolean, key_focus boolean)`;

const PG_REPLACE_VERSION = `WITH gone AS (DELETE FROM credit.mirror_version)
  INSERT INTO credit.mirror_version SELECT $1::BIGINT`;

export type MirrorEngine = 'duckdb' | 'postgres';

interface DecisionRow {
  id: number;
  customer_id: string;
  order_id: string | null;
  outcome: string;
  status: string;
  amount_rc_cents: number | null;
  checked_at: string;
  resolved_at: string | null;
}

const ts = (iso: string | null) => (iso === null ? null : iso.replace('T', ' ').replace('Z', ''));

/** The audit head's sequence: changes with every credit write (and every other audited write). */
export function storeVersion(store: OpsStore): number {
  return (
    (store.db.prepare('SELECT seq FROM audit_head WHERE id = 1').get() as { seq: number } | undefined)?.seq ??
    0
  );
}

/** What the limits copy depends on: the limits set and the blacklist decisions (not every check). */
export function limitsVersion(store: OpsStore): string {
  const r = store.db
    .prepare(
      `SELECT (SELECT coalesce(max(request_id), 0) FROM credit_limits) AS l,
              (SELECT coalesce(max(decided_at), '') FROM credit_blacklist_requests) AS b`,
    )
    .get() as { l: number; b: string };
  return `${r.l}:${r.b}`;
}

/**
 * Where the last copy of the decisions stopped: the highest decision id copied, and when the store was
 * read (decisions resolved since then are copied again).
 */
export interface MirrorMark {
  readonly id: number;
  readonly at: string;
}

/**
 * A resolution written by a transaction that committed just after a copy read the store carries a
 * time before that read: the next copy looks this far back, so none is missed (re-copying is harmless).
 */
const OVERLAP_MS = 60_000;

/**
 * Bring the mirror up to the store's state (the limits too when `limits`): the decisions checked or
 * resolved since `since` (all of them when null), upserted by id in one statement — readers see each
 * decision old or new, and a copy costs what changed, not the whole history (copying every decision
 * every few seconds held the server's event loop for long enough to stall credit checks at 400/s).
 * Returns the version copied (the audit head's sequence) and the mark for the next copy.
 */
export async function mirrorCredit(
  query: Query,
  store: OpsStore,
  snapshot: WarehouseSnapshot,
  limits = true,
  since: MirrorMark | null = null,
  engine: MirrorEngine = 'duckdb',
): Promise<{ version: number; mark: MirrorMark }> {
  const pg = engine === 'postgres';
  const version = storeVersion(store);
  const readAt = new Date().toISOString();
  const columns = 'id, customer_id, order_id, outcome, status, amount_rc_cents, checked_at, resolved_at';
  const rows = (since === null
    ? store.db.prepare(`SELECT ${columns} FROM credit_decisions`).all()
    : store.db
        .prepare(`SELECT ${columns} FROM credit_decisions WHERE id > ? OR resolved_at >= ?`)
        .all(
          since.id,
          new Date(Date.parse(since.at) - OVERLAP_MS).toISOString(),
        )) as unknown as DecisionRow[];
  const decisions = rows.map((d) => ({
    decision_id: d.id,
    customer_id: d.customer_id,
    order_id: d.order_id,
    outcome: d.outcome,
    status: d.status,
    amount_rc: d.amount_rc_cents === null ? null : centsText(d.amount_rc_cents),
    checked_at: ts(d.checked_at),
    resolved_at: ts(d.resolved_at),
    hours_to_resolve:
      d.resolved_at === null ? null : (Date.parse(d.resolved_at) - Date.parse(d.checked_at)) / 3_600_000,
  }));
  if (decisions.length > 0) {
    await query(
      pg
        ? PG_UPSERT_DECISIONS
        : `INSERT OR REPLACE INTO memory.credit.decisions
       SELECT d.decision_id, d.customer_id, d.order_id, d.outcome, d.status, d.amount_rc::DECIMAL(18, 2) AS amount_rc,
         d.checked_at::TIMESTAMP AS checked_at, d.resolved_at::TIMESTAMP AS resolved_at, d.hours_to_resolve
       FROM (SELECT unnest(from_json($1::JSON, '[{"decision_id":"BIGINT","customer_id":"VARCHAR","order_id":"VARCHAR","outcome":"VARCHAR","status":"VARCHAR","amount_rc":"VARCHAR","checked_at":"VARCHAR","resolved_at":"VARCHAR","hours_to_resolve":"DOUBLE"}]'), recursive := true)) AS d`,
      [JSON.stringify(decisions)],
    );
  }
  if (limits) await mirrorLimits(query, store, snapshot, pg);
  await query(
    pg
      ? PG_REPLACE_VERSION
      : 'CREATE OR REPLACE TABLE memory.credit.mirror_version AS SELECT $1::BIGINT AS version',
    [version],
  );
  const id = rows.reduce((m, r) => Math.max(m, r.id), since?.id ?? 0);
  return { version, mark: { id, at: readAt } };
}

async function mirrorLimits(
  query: Query,
  store: OpsStore,
  snapshot: WarehouseSnapshot,
  pg: boolean,
): Promise<void> {
  const listed = new Set(blacklist(store).map((b) => b.customerId));
  const rows = limitExportRows(store, snapshot).map((r) => {
    const cents = r.limit?.limitCents ?? r.erpLimitCents;
    const rate = snapshot.rates.get(r.limit?.currency ?? r.currency);
    return {
      customer_id: r.customerId,
      source: r.limit ? 'arlens' : 'erp',
      limit_rc: cents === null || rate === undefined ? null : centsText(convertCents(cents, rate)),
      is_blacklisted: r.blacklisted || listed.has(r.customerId),
      prepayment_required: r.limit?.prepaymentRequired ?? false,
      key_focus: r.limit?.keyFocus ?? false,
    };
  });
  await query(
    pg
      ? PG_REPLACE_LIMITS
      : `CREATE OR REPLACE TABLE memory.credit.limits AS
     SELECT l.customer_id, l.source, l.limit_rc::DECIMAL(18, 2) AS limit_rc, l.is_blacklisted,
       l.prepayment_required, l.key_focus
     FROM (SELECT unnest(from_json($1::JSON, '[{"customer_id":"VARCHAR","source":"VARCHAR","limit_rc":"VARCHAR","is_blacklisted":"BOOLEAN","prepayment_required":"BOOLEAN","key_focus":"BOOLEAN"}]'), recursive := true)) AS l`,
    [JSON.stringify(rows)],
  );
}
