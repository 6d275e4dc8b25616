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

export interface LineageNode {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly schema: string | null;
  readonly materialization: string | null;
  readonly description: string;
  readonly dependsOn: string[];
  readonly usedBy: string[];
}

/**
 * Lineage of sources and models from the latest manifest (meta.manifest): what each is built from
 * and what uses it, in layer order (sources, staging, intermediate, marts).
 */
export async function modelLineage(query: Query): Promise<LineageNode[]> {
  if (!(await tableExists(query, 'meta', 'manifest'))) return [];
  const rows = await query('SELECT json FROM meta.manifest ORDER BY generated_at DESC LIMIT 1');
  const json = rows[0]?.['json'];
  if (typeof json !== 'string') return [];
  const manifest = JSON.parse(json) as {
    nodes: Record<
      string,
      {
        id: string;
        kind: string;
        name: string;
        schema: string | null;
        materialization: string | null;
        description?: string;
        depends_on: string[];
      }
    >;
  };
  const nodes = Object.values(manifest.nodes).filter((n) => n.kind === 'source' || n.kind === 'model');
  const ids = new Set(nodes.map((n) => n.id));
  const name = new Map(nodes.map((n) => [n.id, n.name]));
  const usedBy = new Map<string, string[]>();
  for (const n of nodes) {
    for (const d of n.depends_on) if (ids.has(d)) usedBy.set(d, [...(usedBy.get(d) ?? []), n.name]);
  }
  const layer = (n: { kind: string; schema: string | null }) =>
    n.kind === 'source'
      ? 0
      : (({ staging: 1, intermediate: 2, marts: 3 } as Record<string, number>)[n.schema ?? ''] ?? 4);
  return nodes
    .map((n) => ({
      id: n.id,
      name: n.name,
      kind: n.kind,
      schema: n.schema,
      materialization: n.materialization,
      description: n.description ?? '',
      dependsOn: n.depends_on.filter((d) => ids.has(d)).map((d) => name.get(d) ?? d),
      usedBy: (usedBy.get(n.id) ?? []).sort(),
    }))
    .sort((a, b) => layer(a) - layer(b) || a.name.localeCompare(b.name));
}
