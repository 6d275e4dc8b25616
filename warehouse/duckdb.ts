/**
 * Thin helpers over @duckdb/node-api: open/close discipline, identifier quoting, parameter binding.
 * Every instance and connection opened here is closed in `finally`.
 */
import { resolve, sep } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

export type SqlParam = string | number | boolean | null | bigint;

/** Quote an identifier for DuckDB ("a""b"). Values are never quoted by hand: bind them. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Collects bound parameters while SQL is generated: `p.add(value)` returns `$n`. */
export class Params {
  readonly values: SqlParam[] = [];
  add(value: SqlParam): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A value as an SQL string literal, for the few statements that take no parameters (ATTACH, SET). */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** What a DuckDB instance may touch on disk once `restrictFileAccess` has run. */
export interface FileAccess {
  /** Files it may read (and, for its own database files, write). */
  readonly files?: readonly string[];
  /** Folders whose files it may read and write. */
  readonly dirs?: readonly string[];
}

/**
 * Turn off DuckDB's access to the file system for everything but `access`. DuckDB refuses to turn
 * it back on, or to widen the allowed paths, while the instance runs (jobs still change settings
 * such as preserve_insertion_order; the server also locks its configuration). The instance's own
 * database file (the one it was opened on) stays usable. Paths are made absolute; folders end with a separator, so
 * `/data/in` does not also admit `/data/inbox`.
 */
export async function restrictFileAccess(conn: DuckDBConnection, access: FileAccess): Promise<void> {
  const files = (access.files ?? []).map((f) => resolve(f));
  const dirs = (access.dirs ?? []).map((d) => resolve(d) + sep);
  if (files.length > 0) await conn.run(`SET allowed_paths = [${files.map(sqlString).join(', ')}]`);
  if (dirs.length > 0) await conn.run(`SET allowed_directories = [${dirs.map(sqlString).join(', ')}]`);
  await conn.run('SET enable_external_access = false');
}

export async function withInstance<T>(
  path: string,
  options: Record<string, string>,
  fn: (conn: DuckDBConnection, instance: DuckDBInstance) => Promise<T>,
): Promise<T> {
  const instance = await DuckDBInstance.create(path, options);
  try {
    const conn = await instance.connect();
    try {
      return await fn(conn, instance);
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

export async function run(
  conn: DuckDBConnection,
  sql: string,
  params: readonly SqlParam[] = [],
): Promise<void> {
  if (params.length === 0) await conn.run(sql);
  else await conn.run(sql, params as DuckDBValue[]);
}
