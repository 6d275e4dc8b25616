/**
 * The Data page's data: what ingest loaded and quarantined (ingest/status.ts), the latest model build
 * and the lineage (models/runner/run-log.ts), converted at the warehouse boundary
 * (warehouse/convert.ts) into the plain values of web/lib/data/data.model.ts.
 */
import { quarantinedRows, warehouseStatus } from '../../../ingest/status.ts';
import { latestBuild, modelLineage, type BuildStatus } from '../../../models/runner/run-log.ts';
import { toCount, toMeasure, type Query, type Row } from '../../../warehouse/convert.ts';
import {
  QUARANTINE_LIMIT,
  type Build,
  type DataStatus,
  type Load,
  type QuarantinedRow,
} from '../data/data.model.ts';

const text = (v: Row[string] | undefined): string => (v === null || v === undefined ? '' : String(v));

export function loadOf(r: Row): Load {
  return {
    id: text(r['load_id']),
    finishedAt: text(r['finished_at']),
    fileName: text(r['file_name']),
    profile: text(r['profile']),
    entity: text(r['entity']),
    read: toCount(r['rows_read']),
    loaded: toCount(r['rows_loaded']),
    quarantined: toCount(r['rows_quarantined']),
    inserted: toCount(r['records_inserted']),
    updated: toCount(r['records_updated']),
  };
}

export function buildOf(b: BuildStatus): Build {
  const models = b.nodes.filter((n) => n['kind'] === 'model');
  return {
    startedAt: b.startedAt,
    models: models.map((m) => ({
      name: text(m['node_id']).split('.').pop() ?? '',
      status: text(m['status']),
      rowsWritten: m['rows_affected'] === null ? null : toCount(m['rows_affected']),
      seconds: m['duration_ms'] === null ? null : (toMeasure(m['duration_ms']) ?? 0) / 1000,
    })),
    tests: b.nodes.length - models.length,
    failed: b.nodes.filter((n) => n['status'] === 'error').length,
  };
}

export function quarantinedOf(r: Row): QuarantinedRow {
  return {
    fileName: text(r['file_name']),
    rowNumber: toCount(r['row_number']),
    column: r['column_name'] === null ? null : text(r['column_name']),
    value: r['value'] === null || r['value'] === undefined ? null : String(r['value']),
    reason: text(r['reason']),
  };
}

export async function dataStatus(query: Query): Promise<DataStatus> {
  const [status, quarantine, build, lineage] = await Promise.all([
    warehouseStatus(query),
    quarantinedRows(query, QUARANTINE_LIMIT),
    latestBuild(query),
    modelLineage(query),
  ]);
  return {
    tables: status.tables,
    loads: status.loads.map(loadOf),
    build: build ? buildOf(build) : null,
    lineage: lineage.map((n) => ({
      id: n.id,
      name: n.name,
      description: n.description,
      layer: n.kind === 'source' ? null : { schema: n.schema, materialization: n.materialization },
      dependsOn: n.dependsOn,
      usedBy: n.usedBy,
    })),
    quarantine: quarantine.map(quarantinedOf),
  };
}
