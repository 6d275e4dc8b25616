/**
 * Runs the SQL of a build's nodes and keeps it, in order, so a benchmark can run exactly the same
 * statements straight through DuckDB. Catalog look-ups (does a relation exist, its columns) go to the
 * connection directly: they are the runner's own overhead, not the project's SQL.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { queryRows, type Row } from '../../warehouse/convert.ts';
import type { SqlParam } from '../../warehouse/duckdb.ts';

export interface ExecutedStatement {
  readonly nodeId: string;
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

export class Executor {
  readonly statements: ExecutedStatement[] = [];

  constructor(readonly conn: DuckDBConnection) {}

  /** Run a statement for `nodeId`; the rows it changed, as DuckDB counts them. */
  async run(nodeId: string, sql: string, params: readonly SqlParam[] = []): Promise<number> {
    this.statements.push({ nodeId, sql, params });
    const result =
      params.length === 0 ? await this.conn.run(sql) : await this.conn.run(sql, params as DuckDBValue[]);
    return result.rowsChanged;
  }

  /** Run a query for `nodeId`; its rows through the one conversion boundary. */
  async rows(nodeId: string, sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    this.statements.push({ nodeId, sql, params });
    return queryRows(this.conn, sql, params);
  }
}

/** The type of relation `"schema"."name"` in the current database: table, view or none. */
export async function relationKind(
  conn: DuckDBConnection,
  schema: string,
  name: string,
): Promise<'table' | 'view' | null> {
  const rows = await queryRows(
    conn,
    `SELECT table_type FROM information_schema.tables
     WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2`,
    [schema, name],
  );
  const type = rows[0]?.['table_type'];
  return type === undefined ? null : type === 'VIEW' ? 'view' : 'table';
}

export interface ColumnType {
  readonly name: string;
  readonly type: string;
}

/** Column names and DuckDB types of a relation or query (`DESCRIBE`). */
export async function describe(
  conn: DuckDBConnection,
  relationOrQuery: string,
  params: readonly SqlParam[] = [],
): Promise<ColumnType[]> {
  const rows = await queryRows(conn, `DESCRIBE ${relationOrQuery}`, params);
  return rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
}
