/** What the warehouse holds: the queries behind /api/status, /api/quarantine and the Data page. */
import { ENTITY_NAMES } from '../ingest/contract.ts';
import { tableExists, type Query, type Row } from '../warehouse/convert.ts';

export type { Query };

export interface WarehouseStatus {
  readonly tables: { entity: string; rows: number }[];
  readonly loads: Row[];
}

export async function warehouseStatus(query: Query, loadLimit = 200): Promise<WarehouseStatus> {
  // One statement, so the counts always come from one warehouse generation.
  const counts = await query(
    ENTITY_NAMES.map((e) => `SELECT '${e}' AS entity, count(*) AS n FROM raw.${e}`).join(' UNION ALL '),
  );
  const loads = await query(
    `SELECT load_id, finished_at, file_name, profile, entity, rows_read, rows_loaded, rows_quarantined,
            records_inserted, records_updated, records_unchanged
     FROM meta.loads ORDER BY finished_at DESC, load_id DESC LIMIT $1`,
    [loadLimit],
  );
  const order = new Map(ENTITY_NAMES.map((e, i) => [e as string, i]));
  const tables = counts
    .map((r) => ({ entity: String(r['entity']), rows: Number(r['n']) }))
    .sort((a, b) => (order.get(a.entity) ?? 0) - (order.get(b.entity) ?? 0));
  return { tables, loads };
}

export async function quarantinedRows(query: Query, limit: number, loadId?: string): Promise<Row[]> {
  return query(
    `SELECT load_id, file_name, entity, row_number, column_name, reason_code, reason, value
     FROM meta.quarantine ${loadId ? 'WHERE load_id = $2' : ''}
     ORDER BY load_id DESC, file_name, row_number, column_name LIMIT $1`,
    loadId ? [limit, loadId] : [limit],
  );
}

export interface BuildStatus {
  readonly runId: string;
  readonly startedAt: string;
  readonly nodes: Row[];
}

/** The latest model build (arlens build): every node with its status, rows and duration; null before the first. */
export async function latestBuild(query: Query): Promise<BuildStatus | null> {
  if (!(await tableExists(query, 'meta', 'model_runs'))) return null;
  const nodes = await query(
    `WITH latest AS (SELECT run_id FROM meta.model_runs ORDER BY started_at DESC LIMIT 1)
     SELECT run_id, node_id, kind, status, rows_affected, failures, started_at, duration_ms, message
     FROM meta.model_runs WHERE run_id = (SELECT run_id FROM latest)
     ORDER BY started_at, node_id`,
  );
  const first = nodes[0];
  if (!first) return null;
  return { runId: String(first['run_id']), startedAt: String(first['started_at']), nodes };
}
