/**
 * Runs the SQL of a build's nodes and keeps it, in order, so a benchmark can run exactly the same
 * statements straight through the engine. Catalog look-ups (does a relation exist, its columns) go to
 * the session directly: they are the runner's own overhead, not the project's SQL.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Row } from '../../warehouse/convert.ts';
import type { SqlParam } from '../../warehouse/duckdb.ts';
import { asSession, type SqlSession } from '../../warehouse/session.ts';

export type { ColumnType } from '../../warehouse/session.ts';

export interface ExecutedStatement {
  readonly nodeId: string;
  readonly sql: string;
  readonly params: readonly SqlParam[];
}

export class Executor {
  readonly statements: ExecutedStatement[] = [];
  readonly session: SqlSession;

  /** On a session (either engine), or on a DuckDB connection as before sessions. */
  constructor(target: SqlSession | DuckDBConnection) {
    this.session = asSession(target);
  }

  /** Run a statement for `nodeId`; the rows it changed, as the engine counts them. */
  async run(nodeId: string, sql: string, params: readonly SqlParam[] = []): Promise<number> {
    this.statements.push({ nodeId, sql, params });
    return this.session.run(sql, params);
  }

  /** Run a query for `nodeId`; its rows through the engine's one conversion boundary. */
  async rows(nodeId: string, sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    this.statements.push({ nodeId, sql, params });
    return this.session.rows(sql, params);
  }
}
