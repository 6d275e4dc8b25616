/**
 * The one boundary where DuckDB values become JavaScript values. Nothing else parses them.
 *
 * - DECIMAL, BIGINT and HUGEINT become strings (exact; money stays a string across JSON).
 * - DATE becomes 'YYYY-MM-DD' (a business date, never a JS Date that a time zone could shift).
 * - TIMESTAMP becomes 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC, as stored).
 * - INTEGER, DOUBLE, BOOLEAN and VARCHAR pass through.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { SqlParam } from './duckdb.ts';

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export async function queryRows(
  conn: DuckDBConnection,
  sql: string,
  params: readonly SqlParam[] = [],
): Promise<Row[]> {
  const reader =
    params.length === 0
      ? await conn.runAndReadAll(sql)
      : await conn.runAndReadAll(sql, params as DuckDBValue[]);
  return reader.getRowObjectsJson() as Row[];
}

export async function queryValue(
  conn: DuckDBConnection,
  sql: string,
  params: readonly SqlParam[] = [],
): Promise<Cell | undefined> {
  const rows = await queryRows(conn, sql, params);
  const first = rows[0];
  return first === undefined ? undefined : Object.values(first)[0];
}

/** A count or other integer that DuckDB returns as BIGINT (a string here), as a JS number. */
export function toCount(value: Cell | undefined): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`expected a count, got ${String(value)}`);
  return n;
}

/** Runs a read query: ServingWarehouse.query in the server, `connQuery(conn)` on a plain connection. */
export type Query = (sql: string, params?: readonly SqlParam[]) => Promise<Row[]>;

export function connQuery(conn: DuckDBConnection): Query {
  return (sql, params = []) => queryRows(conn, sql, params);
}

/** Whether `schema.table` exists (a table or a view). */
export async function tableExists(query: Query, schema: string, table: string): Promise<boolean> {
  const rows = await query(
    'SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2',
    [schema, table],
  );
  return toCount(rows[0]?.['n']) > 0;
}
