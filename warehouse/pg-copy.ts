/**
 * Rows from a DuckDB query into a PostgreSQL table with `COPY … FROM STDIN (FORMAT csv)` (plan §4):
 * the bulk path of the PostgreSQL ingest and of the build's worklist copy. Every column is read from
 * DuckDB as its text (`CAST(… AS VARCHAR)`: decimals at their scale, dates as YYYY-MM-DD, integers in
 * full), so no value goes through a JS number; NULL is an unquoted empty field and every string is
 * quoted (an empty string stays an empty string).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { from as copyFrom } from 'pg-copy-streams';
import { ident, type SqlParam } from './duckdb.ts';
import type { PgSession } from './session.ts';

/** One CSV field: NULL unquoted and empty, anything else quoted with its quotes doubled. */
export function csvField(v: string | null): string {
  return v === null ? '' : `"${v.replace(/"/g, '""')}"`;
}

/** One CSV record (with its line end) of text cells. */
export function csvLine(cells: readonly (string | null)[]): string {
  return `${cells.map(csvField).join(',')}\n`;
}

/** COPY `lines` into `table (columns)` on the session's connection; the rows written. */
export async function copyLines(
  session: PgSession,
  table: string,
  columns: readonly string[],
  lines: AsyncIterable<string> | Iterable<string>,
): Promise<number> {
  const stream = session.client.query(
    copyFrom(`COPY ${table} (${columns.map(ident).join(', ')}) FROM STDIN (FORMAT csv)`),
  );
  await pipeline(Readable.from(lines), stream);
  return stream.rowCount;
}

/**
 * COPY the rows of a DuckDB query into `table (columns)` on PostgreSQL: the query's columns in the
 * same order as `columns`, each read as text. Streams chunk by chunk (never the whole result in memory).
 */
export async function copyQueryToPg(
  conn: DuckDBConnection,
  sql: string,
  params: readonly SqlParam[],
  session: PgSession,
  table: string,
  columns: readonly string[],
): Promise<number> {
  const cols = await conn.run(`SELECT * FROM (${sql}) AS q LIMIT 0`, params as DuckDBValue[]);
  const names = cols.columnNames();
  if (names.length !== columns.length) {
    throw new Error(`internal: copy into ${table}: ${names.length} columns read for ${columns.length}`);
  }
  const text = `SELECT ${names.map((n) => `CAST(q.${ident(n)} AS VARCHAR)`).join(', ')} FROM (${sql}) AS q`;
  const result = await conn.stream(text, params as DuckDBValue[]);
  async function* lines(): AsyncGenerator<string> {
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) return;
      let out = '';
      for (const row of chunk.getRows()) out += csvLine(row as (string | null)[]);
      yield out;
    }
  }
  return copyLines(session, table, columns, lines());
}
