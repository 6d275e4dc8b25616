/**
 * Thin helpers over @duckdb/node-api: open/close discipline, identifier quoting, parameter binding.
 * Every instance and connection opened here is closed in `finally`.
 */
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
