/**
 * The published warehouse as the CLI's read-only commands see it (`arlens status`, `alerts`,
 * `dunning`, `credit-check`/`credit-limits`, `bank`, the checks of `arlens start`): one `Query` over
 * whichever engine the config selects, so each command runs the same SQL on both.
 *
 * DuckDB: the published generation's file, opened read-only (warehouse/store.ts `withPublished`).
 * PostgreSQL: a one-shot PgServingWarehouse (one connection, no LISTEN or poll), with the setup the
 * server runs at start (cube/sql-functions.ts `postgresServingSetup`: the `arlens` functions, empty
 * ml.* placeholders), so the CLI reads exactly as the server does; closed when `fn` returns. Every
 * statement sees one finished build (a build swaps its schemas in one transaction).
 */
import { postgresServingSetup } from '../cube/sql-functions.ts';
import { connQuery, type Query } from '../warehouse/convert.ts';
import { PgServingWarehouse } from '../warehouse/pg-serving.ts';
import { redactPgUrl } from '../warehouse/session.ts';
import { warehouseExists, withPublished } from '../warehouse/store.ts';
import type { Config } from './config.ts';

/** What a command says when nothing is published yet (the DuckDB wording of warehouse/store.ts). */
function noWarehouse(where: string): Error {
  return new Error(`No warehouse in ${where} yet. Load data first: arlens ingest <files> (or arlens demo).`);
}

/**
 * Run `fn` over the published warehouse of `c`; throws "No warehouse in … yet" when no ingest or
 * build has published one. `command` names the connection on PostgreSQL (pg_stat_activity).
 */
export async function withWarehouseQuery<T>(
  c: Config,
  command: string,
  fn: (query: Query) => Promise<T>,
): Promise<T> {
  const r = await readPublished(c, command, fn);
  if (!r.published) throw noWarehouse(r.where);
  return r.value;
}

/** As withWarehouseQuery, but null (and `fn` not run) when nothing is published yet. */
export async function withWarehouseQueryIfAny<T>(
  c: Config,
  command: string,
  fn: (query: Query) => Promise<T>,
): Promise<T | null> {
  const r = await readPublished(c, command, fn);
  return r.published ? r.value : null;
}

type Read<T> = { published: true; value: T } | { published: false; where: string };

async function readPublished<T>(
  c: Config,
  command: string,
  fn: (query: Query) => Promise<T>,
): Promise<Read<T>> {
  // A config built by hand (tests) may leave the engine out: DuckDB, as loadConfig's default.
  if (c.engine?.kind !== 'postgres') {
    if (!(await warehouseExists(c.warehouse))) return { published: false, where: c.warehouse };
    return { published: true, value: await withPublished(c.warehouse, (conn) => fn(connQuery(conn))) };
  }
  const url = c.engine.url;
  const wh = new PgServingWarehouse({
    url,
    connections: 1,
    follow: false,
    applicationName: command,
    setup: postgresServingSetup(),
  });
  try {
    // Look before the setup, so a command on an empty database writes nothing into it.
    const [row] = await wh
      .query(
        `SELECT to_regclass('meta.loads') IS NOT NULL OR to_regclass('meta.model_runs') IS NOT NULL AS published`,
      )
      .catch((e: unknown) => {
        throw new Error(
          `Cannot connect to the PostgreSQL warehouse at ${redactPgUrl(url)}: ${(e as Error).message || (e as { code?: string }).code || String(e)}. ` +
            'Check that the server is running and reachable, and the user, password and database in the URL.',
          { cause: e },
        );
      });
    if (row?.['published'] !== true) return { published: false, where: redactPgUrl(url) };
    await wh.open();
    return { published: true, value: await fn((sql, params) => wh.query(sql, params)) };
  } finally {
    await wh.close();
  }
}
