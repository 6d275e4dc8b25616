/**
 * The operational store: what people do in ARLens (users, sessions, the audit log, and from the write
 * side on: credit requests, dunning, cash-application decisions). It is a SQLite file (Node's built-in
 * node:sqlite) in WAL mode beside the warehouse folder, never inside it: warehouse rebuilds swap
 * DuckDB files and never touch it. The server and CLI jobs open it at the same time; SQLite serialises
 * their writes (a writer waits up to `busy_timeout` for another), and every read-modify-write runs in
 * `BEGIN IMMEDIATE` (`store.write`), so two users can never interleave one.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { MIGRATIONS, type Migration } from './migrations.ts';

export const OPS_STORE_FILE = 'arlens.ops.sqlite';

/** Where the store of a warehouse folder lives: beside it (`data/warehouse` → `data/arlens.ops.sqlite`). */
export function opsStorePath(warehouseDir: string): string {
  return join(dirname(warehouseDir), OPS_STORE_FILE);
}

export interface OpsStore {
  readonly path: string;
  readonly db: DatabaseSync;
  /** Run `fn` in one write transaction (BEGIN IMMEDIATE: no other writer between its reads and writes). */
  write<T>(fn: () => T): T;
  close(): void;
}

/** Open (creating when missing) and migrate the store at `path`. */
export function openOpsStore(path: string, migrations: readonly Migration[] = MIGRATIONS): OpsStore {
  mkdirSync(dirname(path), { recursive: true });
  const db = new DatabaseSync(path, { timeout: 10_000 });
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  } catch (e) {
    db.close();
    throw new Error(`Cannot open the operational store ${path}: ${(e as Error).message}`, { cause: e });
  }
  let depth = 0;
  const write = <T>(fn: () => T): T => {
    if (depth > 0) return fn();
    db.exec('BEGIN IMMEDIATE');
    depth++;
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    } finally {
      depth--;
    }
  };
  const store: OpsStore = { path, db, write, close: () => db.isOpen && db.close() };
  try {
    migrate(store, migrations);
  } catch (e) {
    db.close();
    throw e;
  }
  return store;
}

/** The versions applied, oldest first. */
export function appliedMigrations(store: OpsStore): { version: number; name: string; applied_at: string }[] {
  return store.db
    .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
    .all() as {
    version: number;
    name: string;
    applied_at: string;
  }[];
}

function migrate(store: OpsStore, migrations: readonly Migration[]): void {
  store.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const known = new Set(migrations.map((m) => m.version));
  for (const { version } of appliedMigrations(store)) {
    if (!known.has(version)) {
      throw new Error(
        `The operational store ${store.path} has migration ${version}, which this ARLens does not know: ` +
          'it was written by a newer version. Run that version, or restore a backup (arlens ops backup).',
      );
    }
  }
  for (const m of migrations) {
    store.write(() => {
      // Checked inside the transaction: two processes starting at once apply each migration once.
      const done = store.db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
      if (done) return;
      store.db.exec(m.sql);
      store.db
        .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
        .run(m.version, m.name, new Date().toISOString());
    });
  }
}

/** A consistent copy of the store at `destination` (SQLite's online backup; writers may go on). */
export async function backupOpsStore(store: OpsStore, destination: string): Promise<number> {
  mkdirSync(dirname(destination), { recursive: true });
  return backup(store.db, destination);
}
