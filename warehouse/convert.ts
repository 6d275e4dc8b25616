/**
 * The one boundary where DuckDB values become JavaScript values. Nothing else parses them.
 *
 * - DECIMAL, BIGINT and HUGEINT become strings (exact; money stays a string across JSON).
 * - DATE becomes 'YYYY-MM-DD' (a business date, never a JS Date that a time zone could shift).
 * - TIMESTAMP becomes 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC, as stored).
 * - INTEGER, DOUBLE, BOOLEAN and VARCHAR pass through.
 */
import { DuckDBTypeId, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
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

/** A measurement that is not money (a ratio, a metric, a rate) as a JS number, or null. */
export function toMeasure(value: Cell | undefined): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  if (Number.isNaN(n)) throw new Error(`expected a number, got ${String(value)}`);
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

/**
 * Rows for Cube (cube/driver.ts): the same conversions, except that DATE and TIMESTAMP values become
 * Cube's local-time strings 'YYYY-MM-DDTHH:mm:ss.SSS' (no zone: business dates stay the same day).
 */
export async function queryRowsForCube(
  conn: DuckDBConnection,
  sql: string,
  params: readonly SqlParam[] = [],
): Promise<Row[]> {
  const reader =
    params.length === 0
      ? await conn.runAndReadAll(sql)
      : await conn.runAndReadAll(sql, params as DuckDBValue[]);
  const rows = reader.getRowObjectsJson() as Row[];
  const names = reader.columnNames();
  const timeColumns = reader
    .columnTypes()
    .map((t, i) => (TIME_TYPES.has(t.typeId) ? names[i] : undefined))
    .filter((n): n is string => n !== undefined);
  if (timeColumns.length === 0) return rows;
  for (const row of rows) {
    for (const c of timeColumns) {
      const v = row[c];
      if (typeof v === 'string') row[c] = cubeTimestamp(v);
    }
  }
  return rows;
}

const TIME_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.DATE,
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
]);

/** '2026-01-31', '2026-01-31 12:30:00.123456' or '2026-01-31 12:30:00+00' → '2026-01-31T12:30:00.123'. */
export function cubeTimestamp(value: string): string {
  const m = /^(\d{4,}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?)?/.exec(value);
  if (!m) throw new Error(`not a DuckDB date or timestamp: ${value}`);
  const [, date, time = '00:00:00', fraction = ''] = m;
  return `${date}T${time}.${fraction.padEnd(3, '0').slice(0, 3)}`;
}
