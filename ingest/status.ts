/**
 * What ingest has loaded, read back: rows per raw table, the load audit (meta.loads) and the
 * quarantine (meta.quarantine), for /api/status, /api/quarantine, `arlens status` and the Data page.
 * The reader lives beside the writer (load.ts), so the tables' shape is known in one folder.
 */
import { ENTITY_NAMES } from './contract.ts';
import { toCount, type Query, type Row } from '../warehouse/convert.ts';

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
    .map((r) => ({ entity: String(r['entity']), rows: toCount(r['n']) }))
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
