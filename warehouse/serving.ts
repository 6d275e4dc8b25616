/**
 * The server's view of the warehouse: always a finished file, swapped without a gap.
 *
 * The server owns an in-memory DuckDB instance. The published file (current.duckdb) is attached
 * READ_ONLY under a generation alias (wh_g1, wh_g2, …), and the serving names (`raw.invoices`,
 * `meta.loads`, later `marts.*`) are views in the in-memory catalog over that alias. When a job
 * renames a new file into place, the server attaches it under the next alias, re-points every view
 * in one transaction, and detaches the old alias once no query that started on it is running.
 * Queries never see a missing catalog, a half-written file, or a lock error (the job never opens
 * the file the server holds). Measured: docs/platform.md.
 */
import { EventEmitter } from 'node:events';
import { promises as fs, watch, type FSWatcher } from 'node:fs';
import { resolve } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ident, restrictFileAccess, sqlString, type SqlParam } from './duckdb.ts';
import { queryRows, type Row } from './convert.ts';
import { warehouseFiles } from './store.ts';

const SERVED_SCHEMAS = ['raw', 'meta', 'staging', 'intermediate', 'marts', 'ml'];

interface Generation {
  readonly n: number;
  readonly alias: string;
  /** inode + mtime of the file attached, to notice a rename. */
  readonly fileId: string;
  running: number;
  retired: boolean;
}

export interface ServingOptions {
  readonly warehouseDir: string;
  /** Connections in the pool (concurrent queries). */
  readonly connections?: number;
  /** How often to look for a new file besides fs.watch events (ms). */
  readonly pollMs?: number;
  /** SQL run once on the in-memory instance at open (e.g. the semantic layer's macros). */
  readonly setup?: readonly string[];
  /**
   * Views served while the warehouse has no such table yet ('schema.table' -> a SELECT returning no
   * rows with the right columns), e.g. risk scores before the model has run.
   */
  readonly placeholders?: Readonly<Record<string, string>>;
}

/**
 * What the server and the dashboard read the warehouse through, whichever engine holds it:
 * ServingWarehouse (DuckDB, below) or PgServingWarehouse (pg-serving.ts). `generation` is 0 until a
 * warehouse is published and grows with every publish, each announced by a `'swap'` event.
 */
export interface Serving {
  readonly engine: 'duckdb' | 'postgres';
  readonly generation: number;
  /** Run a read query on the published warehouse; values converted at the engine's boundary. */
  query(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /** Look for a new publish now (besides the engine's own notifications and polling). */
  refresh(): Promise<void>;
  on(event: 'swap', listener: (generation: number) => void): this;
  on(event: 'error', listener: (error: unknown) => void): this;
  close(): Promise<void>;
}

export class ServingWarehouse extends EventEmitter implements Serving {
  readonly engine = 'duckdb' as const;
  private instance: DuckDBInstance | undefined;
  private readonly idle: DuckDBConnection[] = [];
  private readonly waiting: ((c: DuckDBConnection) => void)[] = [];
  private all: DuckDBConnection[] = [];
  private current: Generation | undefined;
  private readonly old: Generation[] = [];
  private watcher: FSWatcher | undefined;
  private poller: NodeJS.Timeout | undefined;
  private swapping: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly files;

  constructor(private readonly options: ServingOptions) {
    super();
    this.files = warehouseFiles(options.warehouseDir);
  }

  get generation(): number {
    return this.current?.n ?? 0;
  }

  async open(): Promise<void> {
    // Business dates are dates: casts between DATE and TIMESTAMPTZ (Cube's SQL does them) must not
    // move a day with the machine's time zone.
    this.instance = await DuckDBInstance.create(':memory:');
    const size = this.options.connections ?? 8;
    for (let i = 0; i < size; i++) this.all.push(await this.instance.connect());
    this.idle.push(...this.all);
    await this.all[0]?.run("LOAD icu; SET GLOBAL TimeZone = 'UTC'");
    for (const s of SERVED_SCHEMAS) await this.all[0]?.run(`CREATE SCHEMA IF NOT EXISTS ${ident(s)}`);
    for (const sql of this.options.setup ?? []) await this.all[0]?.run(sql);
    await fs.mkdir(this.options.warehouseDir, { recursive: true });
    await this.lockDown();
    await this.refresh();
    this.watcher = watch(this.options.warehouseDir, () => void this.refresh());
    this.poller = setInterval(() => void this.refresh(), this.options.pollMs ?? 1000);
  }

  /**
   * From here on this instance reads no file but the published warehouse: no read_text/read_csv of
   * the secret or of /etc, no COPY TO, no ATTACH of another file, no extension install, and nobody
   * can SET it back (lock_configuration). Queries come from Cube, whose input is checked
   * (cube/query-guard.ts); this is the second lock, should SQL ever be smuggled past the first.
   */
  private async lockDown(): Promise<void> {
    const current = resolve(this.files.current);
    const conn = this.all[0];
    if (!conn) return;
    await restrictFileAccess(conn, { files: [current, `${current}.wal`] });
    await conn.run('SET lock_configuration = true');
  }

  /** Look for a new published file and swap to it. Safe to call at any time; calls are serialized. */
  refresh(): Promise<void> {
    this.swapping = this.swapping
      .then(() => this.swapIfChanged())
      .catch((e: unknown) => {
        this.emit('error', e);
      });
    return this.swapping;
  }

  private async fileId(): Promise<string | undefined> {
    try {
      const s = await fs.stat(this.files.current);
      return `${s.ino}:${s.mtimeMs}:${s.size}`;
    } catch {
      return undefined;
    }
  }

  private async swapIfChanged(): Promise<void> {
    if (this.closed) return;
    const id = await this.fileId();
    if (id === undefined || id === this.current?.fileId) return;
    const n = (this.current?.n ?? 0) + 1;
    const alias = `wh_g${n}`;
    const conn = await this.acquire();
    try {
      await conn.run(`ATTACH ${sqlString(resolve(this.files.current))} AS ${ident(alias)} (READ_ONLY)`);
      const tables = await queryRows(
        conn,
        `SELECT table_schema, table_name FROM information_schema.tables
         WHERE table_catalog = $1 AND table_schema IN (${SERVED_SCHEMAS.map((_, i) => `$${i + 2}`).join(', ')})`,
        [alias, ...SERVED_SCHEMAS],
      );
      const existing = await queryRows(
        conn,
        `SELECT table_schema, table_name FROM information_schema.tables
         WHERE table_catalog = 'memory' AND table_type = 'VIEW'`,
      );
      const keep = new Set(tables.map((t) => `${String(t['table_schema'])}.${String(t['table_name'])}`));
      const placeholders = Object.entries(this.options.placeholders ?? {}).filter(
        ([name]) => !keep.has(name),
      );
      await conn.run('BEGIN TRANSACTION');
      try {
        for (const [name, sql] of placeholders) {
          const [schema = '', table = ''] = name.split('.');
          await conn.run(`CREATE OR REPLACE VIEW memory.${ident(schema)}.${ident(table)} AS ${sql}`);
          keep.add(name);
        }
        for (const t of tables) {
          const name = `${ident(String(t['table_schema']))}.${ident(String(t['table_name']))}`;
          await conn.run(`CREATE OR REPLACE VIEW memory.${name} AS SELECT * FROM ${ident(alias)}.${name}`);
        }
        for (const t of existing) {
          if (!keep.has(`${String(t['table_schema'])}.${String(t['table_name'])}`)) {
            await conn.run(
              `DROP VIEW IF EXISTS memory.${ident(String(t['table_schema']))}.${ident(String(t['table_name']))}`,
            );
          }
        }
        await conn.run('COMMIT');
      } catch (e) {
        await conn.run('ROLLBACK');
        await conn.run(`DETACH ${ident(alias)}`);
        throw e;
      }
      const previous = this.current;
      this.current = { n, alias, fileId: id, running: 0, retired: false };
      if (previous) {
        previous.retired = true;
        this.old.push(previous);
      }
    } finally {
      this.release(conn);
    }
    await this.detachFinished();
    this.emit('swap', n);
  }

  private async detachFinished(): Promise<void> {
    for (const g of [...this.old]) {
      if (g.running > 0) continue;
      this.old.splice(this.old.indexOf(g), 1);
      const conn = await this.acquire();
      try {
        await conn.run(`DETACH ${ident(g.alias)}`);
      } finally {
        this.release(conn);
      }
    }
  }

  private acquire(): Promise<DuckDBConnection> {
    const c = this.idle.pop();
    if (c) return Promise.resolve(c);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(conn: DuckDBConnection): void {
    const next = this.waiting.shift();
    if (next) next(conn);
    else this.idle.push(conn);
  }

  /** Run a read query on the current generation; values converted at the boundary (convert.ts). */
  query(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    return this.withConnection((conn) => queryRows(conn, sql, params));
  }

  /**
   * Run `fn` on a pooled connection of the current generation. The generation stays attached until
   * `fn` settles. Writes land in the in-memory catalog only (the warehouse is attached read-only).
   */
  async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    if (!this.current) {
      throw new Error(
        `No warehouse published in ${this.options.warehouseDir} yet. Load data: arlens ingest (or arlens demo).`,
      );
    }
    const conn = await this.acquire();
    const gen = this.current;
    gen.running++;
    try {
      return await fn(conn);
    } finally {
      gen.running--;
      this.release(conn);
      if (gen.retired && gen.running === 0)
        void this.detachFinished().catch((e: unknown) => this.emit('error', e));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watcher?.close();
    if (this.poller) clearInterval(this.poller);
    await this.swapping;
    for (const c of this.all) c.closeSync();
    this.all = [];
    this.idle.length = 0;
    this.instance?.closeSync();
    this.instance = undefined;
  }
}
