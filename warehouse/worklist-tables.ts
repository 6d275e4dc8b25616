/**
 * What the worklist recorded in the operational store, copied into the warehouse at build time
 * (schema `worklist`, the dbt source `arlens`): collection activities, promises to pay, disputes,
 * tasks, dunning runs and letters written in ARLens. The server and CLI write only to the operational store (node:sqlite);
 * `arlens build` reads it in Node and replaces these tables in the build's private generation
 * before the models run (DuckDB's sqlite extension is not bundled and is never downloaded). The
 * columns mirror the store's as text; staging types them. The tables exist, empty, in every
 * warehouse an ingest wrote, so a build without an operational store still runs.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ident } from './duckdb.ts';
import { copyLines, csvLine } from './pg-copy.ts';
import type { Dialect, PgSession } from './session.ts';

export const WORKLIST_SCHEMA = 'worklist';

/** Table → its columns (name, DuckDB type), in the store's column names. */
export const WORKLIST_TABLES = {
  collection_activities: [
    ['id', 'BIGINT'],
    ['customer_id', 'VARCHAR'],
    ['invoice_id', 'VARCHAR'],
    ['kind', 'VARCHAR'],
    ['outcome', 'VARCHAR'],
    ['note', 'VARCHAR'],
    ['activity_date', 'VARCHAR'],
    ['ref_id', 'BIGINT'],
    ['user_name', 'VARCHAR'],
    ['created_at', 'VARCHAR'],
  ],
  payment_promises: [
    ['id', 'BIGINT'],
    ['customer_id', 'VARCHAR'],
    ['invoice_ids', 'VARCHAR'],
    ['promised_date', 'VARCHAR'],
    ['amount', 'VARCHAR'],
    ['currency_code', 'VARCHAR'],
    ['status', 'VARCHAR'],
    ['created_by', 'VARCHAR'],
    ['created_at', 'VARCHAR'],
  ],
  collection_disputes: [
    ['id', 'BIGINT'],
    ['customer_id', 'VARCHAR'],
    ['invoice_ids', 'VARCHAR'],
    ['reason', 'VARCHAR'],
    ['amount', 'VARCHAR'],
    ['currency_code', 'VARCHAR'],
    ['status', 'VARCHAR'],
    ['opened_by', 'VARCHAR'],
    ['opened_at', 'VARCHAR'],
    ['resolved_by', 'VARCHAR'],
    ['resolved_at', 'VARCHAR'],
  ],
  dunning_runs: [
    ['id', 'BIGINT'],
    ['run_date', 'VARCHAR'],
    ['as_of_date', 'VARCHAR'],
    ['status', 'VARCHAR'],
    ['created_by', 'VARCHAR'],
    ['created_at', 'VARCHAR'],
    ['approved_by', 'VARCHAR'],
    ['approved_at', 'VARCHAR'],
  ],
  // Without the items (JSON, up to a million per run): the letters carry what was sent.
  dunning_run_customers: [
    ['run_id', 'BIGINT'],
    ['customer_id', 'VARCHAR'],
    ['currency_code', 'VARCHAR'],
    ['level', 'BIGINT'],
  ],
  // Without the PDF and the items.
  dunning_letters: [
    ['id', 'BIGINT'],
    ['run_id', 'BIGINT'],
    ['customer_id', 'VARCHAR'],
    ['level', 'BIGINT'],
    ['run_date', 'VARCHAR'],
    ['kind', 'VARCHAR'],
    ['channel', 'VARCHAR'],
    ['language', 'VARCHAR'],
    ['currency_code', 'VARCHAR'],
    ['total_amount', 'VARCHAR'],
    ['fee_amount', 'VARCHAR'],
    ['interest_amount', 'VARCHAR'],
    ['status', 'VARCHAR'],
    ['attempts', 'BIGINT'],
    ['sent_at', 'VARCHAR'],
    ['created_at', 'VARCHAR'],
  ],
  collection_tasks: [
    ['id', 'BIGINT'],
    ['customer_id', 'VARCHAR'],
    ['title', 'VARCHAR'],
    ['assignee', 'VARCHAR'],
    ['due_date', 'VARCHAR'],
    ['status', 'VARCHAR'],
    ['source', 'VARCHAR'],
    ['created_by', 'VARCHAR'],
    ['created_at', 'VARCHAR'],
    ['completed_by', 'VARCHAR'],
    ['completed_at', 'VARCHAR'],
  ],
} as const satisfies Record<string, readonly (readonly [string, 'BIGINT' | 'VARCHAR'])[]>;

export type WorklistTable = keyof typeof WORKLIST_TABLES;
export type WorklistRow = Record<string, string | number | bigint | null>;

/** The schema and its tables, created when missing (text byte-ordered on PostgreSQL). */
export function worklistDdl(dialect: Dialect = 'duckdb'): string[] {
  const type = (t: string) => (dialect === 'postgres' && t === 'VARCHAR' ? 'VARCHAR COLLATE "C"' : t);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${ident(WORKLIST_SCHEMA)}`,
    ...Object.entries(WORKLIST_TABLES).map(
      ([table, cols]) =>
        `CREATE TABLE IF NOT EXISTS ${ident(WORKLIST_SCHEMA)}.${ident(table)} (${cols
          .map(([name, t]) => `${ident(name)} ${type(t)}`)
          .join(', ')})`,
    ),
  ];
}

/** Create the schema and its tables when missing (every ingest and build calls it). */
export async function ensureWorklistTables(conn: DuckDBConnection): Promise<void> {
  for (const sql of worklistDdl('duckdb')) await conn.run(sql);
}

/**
 * PostgreSQL: replace every worklist table's rows in one transaction (DELETE, then COPY). The tables
 * are never dropped: the published staging views read them (a view keeps its table by OID).
 */
export async function replaceWorklistTablesPg(
  session: PgSession,
  rows: Partial<Record<WorklistTable, readonly WorklistRow[]>>,
): Promise<void> {
  await session.transaction(async () => {
    for (const sql of worklistDdl('postgres')) await session.run(sql);
    for (const [table, cols] of Object.entries(WORKLIST_TABLES) as [
      WorklistTable,
      (typeof WORKLIST_TABLES)[WorklistTable],
    ][]) {
      const name = `${ident(WORKLIST_SCHEMA)}.${ident(table)}`;
      await session.run(`DELETE FROM ${name}`);
      const list = rows[table] ?? [];
      if (list.length === 0) continue;
      const lines = list.map((row) =>
        csvLine(cols.map(([c]) => (row[c] === null || row[c] === undefined ? null : String(row[c])))),
      );
      await copyLines(
        session,
        name,
        cols.map(([c]) => c),
        lines,
      );
      await session.run(`ANALYZE ${name}`);
    }
  });
}

/** Replace every worklist table's rows with `rows` (tables not named are emptied). */
export async function replaceWorklistTables(
  conn: DuckDBConnection,
  rows: Partial<Record<WorklistTable, readonly WorklistRow[]>>,
): Promise<void> {
  await ensureWorklistTables(conn);
  for (const [table, cols] of Object.entries(WORKLIST_TABLES) as [
    WorklistTable,
    (typeof WORKLIST_TABLES)[WorklistTable],
  ][]) {
    await conn.run(`DELETE FROM ${ident(WORKLIST_SCHEMA)}.${ident(table)}`);
    const list = rows[table] ?? [];
    if (list.length === 0) continue;
    const appender = await conn.createAppender(table, WORKLIST_SCHEMA);
    try {
      for (const row of list) {
        for (const [name, type] of cols) {
          const v = row[name];
          if (v === null || v === undefined) appender.appendNull();
          else if (type === 'BIGINT') appender.appendBigInt(BigInt(v));
          else appender.appendVarchar(String(v));
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }
}
