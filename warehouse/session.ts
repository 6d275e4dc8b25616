/**
 * One SQL session on the warehouse, whichever engine holds it: what the model runner (and later the
 * ingest and publish steps) needs from a connection. `DuckDbSession` wraps a DuckDB connection with
 * exactly the statements ARLens ran before there was a choice; `PgSession` wraps one PostgreSQL client
 * (a job is one connection: its temp tables and settings are per session).
 *
 * Rows come back through each engine's one conversion boundary (warehouse/convert.ts,
 * warehouse/convert-pg.ts) with the same `Row` contract: exact numbers as strings, dates as
 * 'YYYY-MM-DD', timestamps as 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
 */
import { DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import pg from 'pg';
import { queryRows, type Row } from './convert.ts';
import { PG_TYPES } from './convert-pg.ts';
import { ident, type SqlParam } from './duckdb.ts';

export type Dialect = 'duckdb' | 'postgres';

export interface ColumnType {
  readonly name: string;
  /** The engine's own name for the type (DuckDB: `DECIMAL(18,2)`; PostgreSQL: `numeric(18,2)`), castable to. */
  readonly type: string;
}

export interface SqlSession {
  readonly dialect: Dialect;
  /** Run a statement; the rows it changed (or created, for CREATE TABLE … AS), as the engine counts them. */
  run(sql: string, params?: readonly SqlParam[]): Promise<number>;
  /** Run a query; its rows through the engine's conversion boundary. */
  rows(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /**
   * Column names and types of a relation (`"schema"."name"`, or a temp table's `"name"`) or of a
   * query (bare, or in parentheses).
   */
  describe(relationOrQuery: string, params?: readonly SqlParam[]): Promise<ColumnType[]>;
  /** The kind of relation `schema.name` in the current database: table, view or none. */
  relationKind(schema: string, name: string): Promise<'table' | 'view' | null>;
}

const RELATION_KIND_SQL = `SELECT table_type FROM information_schema.tables
     WHERE table_catalog = current_database() AND table_schema = $1 AND table_name = $2`;

function kindOf(rows: Row[]): 'table' | 'view' | null {
  const type = rows[0]?.['table_type'];
  return type === undefined ? null : type === 'VIEW' ? 'view' : 'table';
}

/** A DuckDB connection as a session; the caller keeps owning (and closing) the connection. */
export class DuckDbSession implements SqlSession {
  readonly dialect = 'duckdb' as const;

  constructor(readonly conn: DuckDBConnection) {}

  async run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    const result =
      params.length === 0 ? await this.conn.run(sql) : await this.conn.run(sql, params as DuckDBValue[]);
    return result.rowsChanged;
  }

  rows(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    return queryRows(this.conn, sql, params);
  }

  async describe(relationOrQuery: string, params: readonly SqlParam[] = []): Promise<ColumnType[]> {
    const rows = await queryRows(this.conn, `DESCRIBE ${relationOrQuery}`, params);
    return rows.map((r) => ({ name: String(r['column_name']), type: String(r['column_type']) }));
  }

  async relationKind(schema: string, name: string): Promise<'table' | 'view' | null> {
    return kindOf(await queryRows(this.conn, RELATION_KIND_SQL, [schema, name]));
  }
}

/** A session, or a DuckDB connection (what runner callers held before sessions) made one. */
export function asSession(target: SqlSession | DuckDBConnection): SqlSession {
  return target instanceof DuckDBConnection ? new DuckDbSession(target) : target;
}

/** A connection URL fit for messages: the password replaced by ***. */
export function redactPgUrl(url: string): string {
  return url.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/, '$1:***@');
}

/** A relation name as ARLens writes it: one or two double-quoted identifiers (ident()). */
const RELATION = /^"(?:[^"]|"")+"(?:\."(?:[^"]|"")+")?$/;

export interface PgSessionOptions {
  /** Shown in pg_stat_activity (who holds a lock, what a slow query belongs to). */
  readonly applicationName?: string;
  /** The session's search_path; the server's default when absent. Models use qualified names. */
  readonly searchPath?: readonly string[];
}

/** One PostgreSQL client as a session. `PgSession.connect` opens and sets it up; `close` ends it. */
export class PgSession implements SqlSession {
  readonly dialect = 'postgres' as const;

  private constructor(readonly client: pg.Client) {}

  /**
   * Connect to `url` and set the session up the way every job needs it: time zone UTC (date_trunc and
   * generate_series on dates go through timestamptz in PostgreSQL), ISO dates, no JIT (its compile time
   * dominates the short CREATE TABLE … AS of small marts).
   */
  static async connect(url: string, options: PgSessionOptions = {}): Promise<PgSession> {
    const client = new pg.Client({
      connectionString: url,
      types: PG_TYPES,
      application_name: options.applicationName ?? 'arlens',
    });
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw new Error(
        `Cannot connect to the PostgreSQL warehouse at ${redactPgUrl(url)}: ${(e as Error).message || (e as { code?: string }).code || String(e)}. ` +
          'Check that the server is running and reachable, and the user, password and database in the URL.',
        { cause: e },
      );
    }
    try {
      const settings = [
        "SET TIME ZONE 'UTC'",
        'SET DateStyle = ISO, YMD',
        "SET IntervalStyle = 'postgres'",
        'SET jit = off',
        'SET statement_timeout = 0',
      ];
      if (options.searchPath) {
        settings.push(`SET search_path = ${options.searchPath.map(ident).join(', ')}`);
      }
      await client.query(settings.join(';\n'));
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    return new PgSession(client);
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  async run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    const result = await this.client.query(sql, pgParams(params));
    // A multi-statement text (post-hooks may be) gives one result per statement.
    return Array.isArray(result)
      ? (result as pg.QueryResult[]).reduce((n, r) => n + (r.rowCount ?? 0), 0)
      : (result.rowCount ?? 0);
  }

  async rows(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    const result = await this.client.query<Row>(sql, pgParams(params));
    return result.rows;
  }

  async describe(relationOrQuery: string, params: readonly SqlParam[] = []): Promise<ColumnType[]> {
    const q = relationOrQuery.trim();
    if (RELATION.test(q)) {
      // ::regclass parses the quoted name (and finds temp tables through pg_temp).
      const rows = await this.rows(
        `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
           FROM pg_attribute AS a
          WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attnum`,
        [q],
      );
      return rows.map((r) => ({ name: String(r['name']), type: String(r['type']) }));
    }
    const result = await this.client.query(
      `SELECT * FROM (\n${q}\n) AS "__describe" LIMIT 0`,
      pgParams(params),
    );
    if (result.fields.length === 0) return [];
    const types = await this.rows(
      `SELECT format_type(t.oid, t.mod) AS type
         FROM unnest($1::oid[], $2::int[]) WITH ORDINALITY AS t(oid, mod, n) ORDER BY t.n`,
      [
        pgArray(result.fields.map((f) => f.dataTypeID)),
        pgArray(result.fields.map((f) => f.dataTypeModifier)),
      ],
    );
    return result.fields.map((f, i) => ({ name: f.name, type: String(types[i]?.['type']) }));
  }

  async relationKind(schema: string, name: string): Promise<'table' | 'view' | null> {
    return kindOf(await this.rows(RELATION_KIND_SQL, [schema, name]));
  }

  /** Run `work` in a transaction: committed when it returns, rolled back when it throws. */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.client.query('BEGIN');
    try {
      const out = await work();
      await this.client.query('COMMIT');
      return out;
    } catch (e) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
}

/** Parameters as pg sends them: bigints as their decimal text (exact), everything else as is. */
function pgParams(params: readonly SqlParam[]): unknown[] | undefined {
  if (params.length === 0) return undefined;
  return params.map((p) => (typeof p === 'bigint' ? p.toString() : p));
}

/** An integer array literal for a bound parameter ('{1,2,3}'). */
function pgArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}
