/**
 * The Data page's data: what ingest loaded and quarantined (ingest/status.ts), the latest model build
 * and the lineage (models/runner/run-log.ts), converted at the warehouse boundary
 * (warehouse/convert.ts) into the plain values of web/lib/data/data.model.ts.
 */
import { quarantinedRows, warehouseStatus } from '../../../ingest/status.ts';
import { latestBuild, modelLineage, type BuildStatus } from '../../../models/runner/run-log.ts';
import { tableExists, toCount, toMeasure, type Query, type Row } from '../../../warehouse/convert.ts';
import {
  QUARANTINE_LIMIT,
  type Build,
  type DataStatus,
  type Load,
  type MissingRate,
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

/**
 * Per currency, the open items without an FX rate at the as-of date (marts.fct_open_items) and the
 * invoices whose reporting-currency amount is unknown (marts.fct_invoices); none before a build.
 */
export async function missingRates(query: Query): Promise<MissingRate[]> {
  const [openItems, invoices] = await Promise.all([
    tableExists(query, 'marts', 'fct_open_items'),
    tableExists(query, 'marts', 'fct_invoices'),
  ]);
  if (!openItems || !invoices) return [];
  const rows = await query(
    `WITH o AS (SELECT currency_code AS currency, count(*) AS n FROM marts.fct_open_items
                WHERE is_unconverted GROUP BY 1),
          i AS (SELECT currency_code AS currency, count(*) AS n FROM marts.fct_invoices
                WHERE invoice_amount_rc IS NULL GROUP BY 1)
     SELECT coalesce(o.currency, i.currency) AS currency, coalesce(o.n, 0) AS open_items,
            coalesce(i.n, 0) AS invoices
     FROM o FULL JOIN i ON o.currency = i.currency ORDER BY 1`,
  );
  return rows.map((r) => ({
    currency: text(r['currency']),
    openItems: toCount(r['open_items']),
    invoices: toCount(r['invoices']),
  }));
}

export async function dataStatus(query: Query): Promise<DataStatus> {
  const [status, quarantine, build, lineage, missing] = await Promise.all([
    warehouseStatus(query),
    quarantinedRows(query, QUARANTINE_LIMIT),
    latestBuild(query),
    modelLineage(query),
    missingRates(query),
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
    missingRates: missing,
  };
}
