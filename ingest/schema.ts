/**
 * Warehouse tables the ingest owns: `raw.<entity>` (one per contract entity, typed, one row per
 * natural key) and the `meta` audit tables. Created from the contract; safe to run on every job.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { CONTRACT, LOAD_ORDER, SQL_TYPES } from './contract.ts';
import { ident } from '../warehouse/duckdb.ts';
import type { Dialect } from '../warehouse/session.ts';
import { ensureWorklistTables } from '../warehouse/worklist-tables.ts';

export const LINEAGE_COLUMNS = ['_load_id', '_source_row'] as const;

/**
 * The raw table of `entity`. On PostgreSQL text columns compare and sort byte-wise (`COLLATE "C"`, as
 * DuckDB does, whatever the database's locale) and the natural key is the primary key (the upsert
 * keeps it unique; the database enforces it and its `NOT EXISTS` probes use it).
 */
export function rawTableDdl(entity: keyof typeof CONTRACT, dialect: Dialect = 'duckdb'): string {
  const spec = CONTRACT[entity];
  const type = (t: string) => (dialect === 'postgres' && t === 'VARCHAR' ? 'VARCHAR COLLATE "C"' : t);
  const cols = spec.fields.map(
    (f) => `${ident(f.name)} ${type(SQL_TYPES[f.type])}${f.required ? ' NOT NULL' : ''}`,
  );
  cols.push(`_load_id ${type('VARCHAR')} NOT NULL`, '_source_row BIGINT NOT NULL');
  if (dialect === 'postgres') cols.push(`PRIMARY KEY (${spec.key.map(ident).join(', ')})`);
  return `CREATE TABLE IF NOT EXISTS raw.${ident(entity)} (\n  ${cols.join(',\n  ')}\n)`;
}

export async function ensureIngestSchema(conn: DuckDBConnection): Promise<void> {
  await conn.run('CREATE SCHEMA IF NOT EXISTS raw');
  await conn.run('CREATE SCHEMA IF NOT EXISTS meta');
  for (const entity of LOAD_ORDER) await conn.run(rawTableDdl(entity));
  // What the worklist recorded, copied in by each build (empty until then): warehouse/worklist-tables.ts.
  await ensureWorklistTables(conn);
  for (const sql of metaTableDdl('duckdb')) await conn.run(sql);
}

/** The meta tables' DDL (portable SQL; text columns byte-ordered on PostgreSQL). */
export function metaTableDdl(dialect: Dialect): string[] {
  const statements = [
    `CREATE TABLE IF NOT EXISTS meta.loads (
    load_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    file_path VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    file_bytes BIGINT NOT NULL,
    file_format VARCHAR NOT NULL,
    profile VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    records_inserted BIGINT NOT NULL,
    records_updated BIGINT NOT NULL,
    records_unchanged BIGINT NOT NULL,
    validate_ms BIGINT NOT NULL,
    merge_ms BIGINT NOT NULL,
    load_options VARCHAR
  )`,
    // Warehouses from before load_options: the column is added; their loads keep NULL (options unknown).
    'ALTER TABLE meta.loads ADD COLUMN IF NOT EXISTS load_options VARCHAR',
    `CREATE TABLE IF NOT EXISTS meta.quarantine (
    load_id VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    row_number BIGINT NOT NULL,
    column_name VARCHAR NOT NULL,
    reason_code VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    value VARCHAR,
    row_values VARCHAR NOT NULL
  )`,
    // What a load did that a user should know although no row was rejected: a value the profile's map
    // did not list, loaded as the column's declared fallback (otherwise).
    `CREATE TABLE IF NOT EXISTS meta.load_notes (
    load_id VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    note_code VARCHAR NOT NULL,
    value VARCHAR,
    row_count BIGINT NOT NULL,
    first_row BIGINT NOT NULL,
    note VARCHAR NOT NULL
  )`,
  ];
  return dialect === 'postgres'
    ? statements.map((sql) => sql.replace(/\bVARCHAR\b/g, 'VARCHAR COLLATE "C"'))
    : statements;
}
