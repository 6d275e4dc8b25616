/**
 * Jobs and publishing on PostgreSQL (plan §3.4): the first pieces of the PostgreSQL warehouse engine.
 *
 * - `withPgJob`: one job at a time per warehouse database, through a session-level advisory lock (jobs
 *   may run on several machines against one server; a killed job releases it with its connection).
 * - `withSwapBuild`: a build writes into `<schema>__next` schemas while readers keep reading the
 *   published ones; publishing renames them in one short transaction (`ALTER SCHEMA … RENAME`, which
 *   does not wait for running queries: they finish on the old tables), which also runs the caller's
 *   `publish` step (the run log) and NOTIFYs `arlens_published`. The old schemas are dropped after
 *   (with a lock timeout: a long reader keeps them until the next job). A failed build drops its
 *   `__next` schemas; nothing is published.
 */
import { ident, sqlString } from './duckdb.ts';
import { PgSession } from './session.ts';

/** The advisory lock key every ARLens job on a warehouse database takes. */
const JOB_LOCK_SQL = "hashtextextended('arlens.job', 0)";
export const NEXT_SUFFIX = '__next';
const OLD_INFIX = '__old_';

export class WarehouseBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WarehouseBusyError';
  }
}

/**
 * Run `work` as job `job` on the warehouse at `url`: a session of its own, named
 * `arlens <job> <runId>` in pg_stat_activity, holding the job lock. Refuses, naming the other job,
 * when one is running.
 */
export async function withPgJob<T>(
  url: string,
  job: string,
  runId: string,
  work: (session: PgSession) => Promise<T>,
): Promise<T> {
  const session = await PgSession.connect(url, { applicationName: `arlens ${job} ${runId}` });
  try {
    const [got] = await session.rows(`SELECT pg_try_advisory_lock(${JOB_LOCK_SQL}) AS ok`);
    if (got?.['ok'] !== true) {
      const holder = await session.rows(
        `SELECT a.application_name AS app, a.client_addr::text AS addr, a.backend_start::text AS since
           FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.pid <> pg_backend_pid()
            AND l.classid::bigint = (${JOB_LOCK_SQL} >> 32) & 4294967295
            AND l.objid::bigint = ${JOB_LOCK_SQL} & 4294967295
          LIMIT 1`,
      );
      const who = holder[0]
        ? `${String(holder[0]['app'])} (since ${String(holder[0]['since'])})`
        : 'another job';
      throw new WarehouseBusyError(
        `Another ARLens job is running on this warehouse: ${who}. Wait for it to finish, then run ${job} again.`,
      );
    }
    try {
      return await work(session);
    } finally {
      await session.run(`SELECT pg_advisory_unlock(${JOB_LOCK_SQL})`).catch(() => undefined);
    }
  } finally {
    await session.close().catch(() => undefined);
  }
}

export interface SwapOptions {
  /** Runs inside the publish transaction, after the renames (write the run log here). */
  readonly publish?: (session: PgSession) => Promise<void>;
  /** How long the renames may wait for a lock (a DDL statement holding the old schemas). */
  readonly lockTimeout?: string;
}

async function schemaExists(session: PgSession, name: string): Promise<boolean> {
  return (await session.rows('SELECT 1 AS x FROM pg_namespace WHERE nspname = $1', [name])).length > 0;
}

/** Drop `__next` and `__old_` schemas of `schemas` left by jobs that died (the caller holds the job lock). */
async function dropLeftovers(session: PgSession, schemas: readonly string[]): Promise<void> {
  const rows = await session.rows('SELECT nspname FROM pg_namespace ORDER BY nspname');
  for (const r of rows) {
    const name = String(r['nspname']);
    const ours = schemas.some((s) => name === `${s}${NEXT_SUFFIX}` || name.startsWith(`${s}${OLD_INFIX}`));
    if (ours) await retire(session, name);
  }
}

/** Drop an old schema, waiting at most 2 s for readers still on it; left for the next job otherwise. */
async function retire(session: PgSession, schema: string): Promise<boolean> {
  try {
    await session.transaction(async () => {
      await session.run("SET LOCAL lock_timeout = '2s'");
      await session.run(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * Build into `<schema>__next` for every schema in `schemas` (`work` gets the schema map), then publish
 * them all at once. Returns what `work` returned and the old schemas that could not be dropped yet.
 */
export async function withSwapBuild<T>(
  session: PgSession,
  schemas: readonly string[],
  runId: string,
  work: (schemaMap: ReadonlyMap<string, string>) => Promise<T>,
  options: SwapOptions = {},
): Promise<{ result: T; retained: string[] }> {
  if (!/^[0-9A-Za-z_-]+$/.test(runId)) throw new Error(`run id ${runId} is not a plain name`);
  await dropLeftovers(session, schemas);
  const schemaMap = new Map(schemas.map((s) => [s, `${s}${NEXT_SUFFIX}`]));
  for (const next of schemaMap.values()) await session.run(`CREATE SCHEMA ${ident(next)}`);
  let result: T;
  const olds: string[] = [];
  try {
    result = await work(schemaMap);
    await session.transaction(async () => {
      await session.run(`SET LOCAL lock_timeout = ${sqlString(options.lockTimeout ?? '10s')}`);
      for (const [schema, next] of schemaMap) {
        if (await schemaExists(session, schema)) {
          const old = `${schema}${OLD_INFIX}${runId}`;
          await session.run(`ALTER SCHEMA ${ident(schema)} RENAME TO ${ident(old)}`);
          olds.push(old);
        }
        await session.run(`ALTER SCHEMA ${ident(next)} RENAME TO ${ident(schema)}`);
      }
      await options.publish?.(session);
      await session.run(`SELECT pg_notify('arlens_published', $1)`, [runId]);
    });
  } catch (e) {
    for (const next of schemaMap.values()) await retire(session, next);
    throw e;
  }
  const retained: string[] = [];
  for (const old of olds) if (!(await retire(session, old))) retained.push(old);
  return { result, retained };
}
