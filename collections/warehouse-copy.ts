/**
 * The build step that makes worklist writes reach the marts: read the collection activities,
 * promises to pay, disputes, tasks, dunning runs and letters recorded in ARLens from the operational store (one consistent
 * snapshot: a read transaction under WAL, while the server keeps writing) and replace the warehouse's
 * `worklist.*` tables with them in the build's private generation, before the models run. The
 * staging models `stg_arlens__*` type them and the marts union them with the ERP's
 * (docs/collections.md › "Into the marts").
 */
import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openOpsStore } from '../ops/store.ts';
import type { PgSession } from '../warehouse/session.ts';
import {
  replaceWorklistTables,
  replaceWorklistTablesPg,
  WORKLIST_TABLES,
  type WorklistRow,
  type WorklistTable,
} from '../warehouse/worklist-tables.ts';

export type WorklistCopied = Readonly<Record<WorklistTable, number>>;

/** The store's rows of every worklist table; empty when there is no store file yet. */
export function readWorklist(opsStoreFile: string): Record<WorklistTable, WorklistRow[]> {
  const empty = () =>
    Object.fromEntries(Object.keys(WORKLIST_TABLES).map((t) => [t, []])) as unknown as Record<
      WorklistTable,
      WorklistRow[]
    >;
  if (!existsSync(opsStoreFile)) return empty();
  const store = openOpsStore(opsStoreFile);
  try {
    store.db.exec('BEGIN');
    try {
      const out = empty();
      for (const [table, cols] of Object.entries(WORKLIST_TABLES) as [
        WorklistTable,
        (typeof WORKLIST_TABLES)[WorklistTable],
      ][]) {
        // Table and column names are this module's constants, not input.
        out[table] = store.db
          .prepare(`SELECT ${cols.map(([c]) => `"${c}"`).join(', ')} FROM "${table}" ORDER BY 1, 2`)
          .all() as WorklistRow[];
      }
      return out;
    } finally {
      store.db.exec('COMMIT');
    }
  } finally {
    store.close();
  }
}

/** Copy the worklist from the store at `opsStoreFile` into the build's generation. */
export async function copyWorklistIntoWarehouse(
  conn: DuckDBConnection,
  opsStoreFile: string,
): Promise<WorklistCopied> {
  const rows = readWorklist(opsStoreFile);
  await replaceWorklistTables(conn, rows);
  return Object.fromEntries(Object.entries(rows).map(([t, r]) => [t, r.length])) as WorklistCopied;
}

/** The same copy into a PostgreSQL warehouse's `worklist.*` tables (one transaction). */
export async function copyWorklistIntoPostgres(
  session: PgSession,
  opsStoreFile: string,
): Promise<WorklistCopied> {
  const rows = readWorklist(opsStoreFile);
  await replaceWorklistTablesPg(session, rows);
  return Object.fromEntries(Object.entries(rows).map(([t, r]) => [t, r.length])) as WorklistCopied;
}
