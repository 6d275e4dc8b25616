/**
 * Which engine holds the warehouse, for the jobs that read and write it with DuckDB SQL (the risk
 * model, the cash forecast): on DuckDB they work on the warehouse files (store.ts: a read-only
 * attach of the published file, or a private copy published atomically); on PostgreSQL on a private
 * DuckDB copy of the published relations whose written schemas are published back (pg-snapshot.ts).
 * The callers are the same on both.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { withPgSnapshot, withPgSnapshotJob } from './pg-snapshot.ts';
import type { PgSession } from './session.ts';
import { withNextGeneration, withPublished } from './store.ts';

/** The warehouse engine a config selects (resolved: the PostgreSQL URL checked). */
export type WarehouseEngine =
  | { readonly kind: 'duckdb' }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      /** Runs in the transaction that publishes a job's tables (the BI door's row-level security). */
      readonly onPublish?: (session: PgSession) => Promise<void>;
    };

export const DUCKDB: WarehouseEngine = { kind: 'duckdb' };

export interface ReadOptions {
  /**
   * On PostgreSQL, copy only these relations ('schema.name') for the read: what the reader needs,
   * when that is known and small (a CSV export of one table). DuckDB reads the file in place.
   */
  readonly only?: readonly string[];
}

/** Read the published warehouse with DuckDB SQL (dir: the warehouse directory of the config). */
export function withPublishedOn<T>(
  dir: string,
  engine: WarehouseEngine | undefined,
  read: (conn: DuckDBConnection) => Promise<T>,
  o: ReadOptions = {},
): Promise<T> {
  if (engine?.kind !== 'postgres') return withPublished(dir, read);
  return withPgSnapshot(engine.url, read, { scratchDir: dir, ...(o.only ? { only: o.only } : {}) });
}

/**
 * Run job `job` with DuckDB SQL on a private copy of the warehouse and publish it when `work`
 * succeeds. On DuckDB the whole file is published; on PostgreSQL the schemas in `writes`.
 */
export function withJobOn<T>(
  dir: string,
  engine: WarehouseEngine | undefined,
  job: string,
  work: (conn: DuckDBConnection) => Promise<T>,
  o: { readonly writes: readonly string[] },
): Promise<T> {
  if (engine?.kind !== 'postgres') return withNextGeneration(dir, job, work);
  return withPgSnapshotJob(engine.url, job, work, {
    scratchDir: dir,
    job,
    writes: o.writes,
    ...(engine.onPublish ? { onPublish: engine.onPublish } : {}),
  });
}
