/**
 * The warehouse on disk, and how jobs change it without a reader ever seeing half a change.
 *
 *   <dir>/current.duckdb      the published warehouse. Nobody ever opens it read-write.
 *   <dir>/next-<pid>.duckdb   a job's private copy while it works (copy of current, then written).
 *   <dir>/job.lock            held by the one job (ingest, build, score) that is writing.
 *
 * A job copies current.duckdb to its own next file, writes there, checkpoints and closes it (no WAL
 * left), fsyncs it, and renames it over current.duckdb: one atomic step. If the job fails or is
 * killed, current.duckdb is untouched and the next file is removed (now, or by the next job).
 * Readers (the server) attach current.duckdb read-only and re-attach after a rename; see serving.ts.
 */
import { constants as fsc, promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { restrictFileAccess, withInstance, type FileAccess } from './duckdb.ts';

/**
 * A job's run id: UTC time to the millisecond, then the zero-padded pid. Ids sort in start order,
 * which the load watermark of incremental builds relies on.
 */
export function sortableRunId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${String(process.pid).padStart(7, '0')}`;
}

export interface WarehouseFiles {
  readonly dir: string;
  readonly current: string;
  readonly lock: string;
}

export function warehouseFiles(dir: string): WarehouseFiles {
  return { dir, current: join(dir, 'current.duckdb'), lock: join(dir, 'job.lock') };
}

export async function warehouseExists(dir: string): Promise<boolean> {
  return fileExists(warehouseFiles(dir).current);
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockInfo {
  pid: number;
  host: string;
  job: string;
  since: string;
}

/** Take the job lock, or explain who holds it. A lock left by a dead process is taken over. */
async function acquireLock(files: WarehouseFiles, job: string): Promise<() => Promise<void>> {
  const info: LockInfo = { pid: process.pid, host: hostname(), job, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await fs.open(files.lock, 'wx');
      await handle.writeFile(JSON.stringify(info));
      await handle.close();
      return async () => {
        await fs.rm(files.lock, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = await readLock(files.lock);
      if (held && held.host === info.host && !processAlive(held.pid)) {
        await fs.rm(files.lock, { force: true });
        continue;
      }
      const who = held ? `${held.job} (pid ${held.pid} on ${held.host}, since ${held.since})` : 'another job';
      throw new Error(
        `The warehouse in ${files.dir} is being written by ${who}. ` +
          `Wait for it to finish and run this again. If that process no longer exists, delete ${files.lock}.`,
        { cause: e },
      );
    }
  }
  throw new Error(`Could not take the job lock ${files.lock}.`);
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    return JSON.parse(await fs.readFile(path, 'utf8')) as LockInfo;
  } catch {
    return undefined;
  }
}

/** Remove next-*.duckdb files left by jobs that died (their pid is gone). */
async function removeOrphans(files: WarehouseFiles): Promise<void> {
  for (const name of await fs.readdir(files.dir)) {
    const m = /^next-(\d+)\.duckdb(\.wal)?$/.exec(name);
    if (m && !processAlive(Number(m[1]))) await fs.rm(join(files.dir, name), { force: true });
  }
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface JobOptions {
  /** Called after the job's work, before publishing (tests use it to inject failures). */
  readonly beforePublish?: () => Promise<void>;
  /**
   * What the job's DuckDB may read besides its own copy of the warehouse (an ingest's export files
   * and scratch folder). Nothing else on disk is reachable from its SQL: not the API secret, not
   * the published file, not /etc; and nothing is written outside its own copy.
   */
  readonly access?: FileAccess;
}

/**
 * Run `work` against a private copy of the warehouse and publish it atomically when it succeeds.
 * Returns what `work` returned. Throws (with current.duckdb unchanged) when `work` throws.
 */
export async function withNextGeneration<T>(
  dir: string,
  job: string,
  work: (conn: DuckDBConnection) => Promise<T>,
  options: JobOptions = {},
): Promise<T> {
  const files = warehouseFiles(dir);
  await fs.mkdir(dir, { recursive: true });
  const release = await acquireLock(files, job);
  const next = join(dir, `next-${process.pid}.duckdb`);
  try {
    await removeOrphans(files);
    await fs.rm(next, { force: true });
    await fs.rm(`${next}.wal`, { force: true });
    if (await fileExists(files.current)) {
      // A copy-on-write clone where the file system supports it, a byte copy elsewhere.
      await fs.copyFile(files.current, next, fsc.COPYFILE_FICLONE);
    }
    const result = await withInstance(next, {}, async (conn) => {
      await restrictFileAccess(conn, options.access ?? {});
      const value = await work(conn);
      await conn.run('CHECKPOINT');
      return value;
    });
    if (await fileExists(`${next}.wal`)) throw new Error(`internal: ${next}.wal left after checkpoint`);
    await options.beforePublish?.();
    await fsyncPath(next);
    await fs.rename(next, files.current);
    await fsyncPath(dir);
    return result;
  } catch (e) {
    await fs.rm(next, { force: true });
    await fs.rm(`${next}.wal`, { force: true });
    throw e;
  } finally {
    await release();
  }
}

/** Read the published warehouse (read-only; works while the server has it attached). */
export async function withPublished<T>(
  dir: string,
  read: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const files = warehouseFiles(dir);
  if (!(await fileExists(files.current))) {
    throw new Error(`No warehouse in ${dir} yet. Load data first: arlens ingest <files> (or arlens demo).`);
  }
  return withInstance(files.current, { access_mode: 'READ_ONLY' }, read);
}
