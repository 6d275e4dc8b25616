/**
 * What the Data page shows, as plain values (web/lib/server/data-status.ts reads and converts them):
 * raw tables, loads, the latest model build, the lineage and the quarantine. Pure.
 */

export interface RawTable {
  readonly entity: string;
  readonly rows: number;
}

export interface Load {
  readonly id: string;
  /** 'YYYY-MM-DD HH:MM:SS' in UTC, as stored. */
  readonly finishedAt: string;
  readonly fileName: string;
  readonly profile: string;
  readonly entity: string;
  readonly read: number;
  readonly loaded: number;
  readonly quarantined: number;
  readonly inserted: number;
  readonly updated: number;
}

export interface ModelRun {
  /** The model's name (the last part of its node id). */
  readonly name: string;
  /** success, error, skipped or warn. */
  readonly status: string;
  readonly rowsWritten: number | null;
  readonly seconds: number | null;
}

export interface Build {
  /** 'YYYY-MM-DD HH:MM:SS' in UTC. */
  readonly startedAt: string;
  readonly models: readonly ModelRun[];
  /** Tests and unit tests. */
  readonly tests: number;
  /** Nodes (models or tests) that failed. */
  readonly failed: number;
}

export interface QuarantinedRow {
  readonly fileName: string;
  /** As a spreadsheet numbers it (the header is row 1). */
  readonly rowNumber: number;
  readonly column: string | null;
  /** The rejected value, shown as text; null: the cell was empty. */
  readonly value: string | null;
  readonly reason: string;
}

export interface LineageRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** null for a source; else the model's schema and materialisation. */
  readonly layer: { readonly schema: string | null; readonly materialization: string | null } | null;
  readonly dependsOn: readonly string[];
  readonly usedBy: readonly string[];
}

/** Documents of one currency without an FX rate to the reporting currency. */
export interface MissingRate {
  readonly currency: string;
  /** Open items (invoices, unapplied payments, unallocated credits) without a rate at the as-of date. */
  readonly openItems: number;
  /** Invoices, any date, whose reporting-currency amount is unknown. */
  readonly invoices: number;
}

export interface DataStatus {
  readonly tables: readonly RawTable[];
  readonly loads: readonly Load[];
  readonly build: Build | null;
  readonly lineage: readonly LineageRow[];
  readonly quarantine: readonly QuarantinedRow[];
  /** Currencies whose documents lack an FX rate (empty when every document converts). */
  readonly missingRates: readonly MissingRate[];
}

/** Quarantined rows the page lists (the latest). */
export const QUARANTINE_LIMIT = 100;

/** A lineage row's layer in words: 'source', or 'marts (table)'. */
export function layerText(layer: LineageRow['layer'], source: string): string {
  return layer === null ? source : `${layer.schema} (${layer.materialization})`;
}
