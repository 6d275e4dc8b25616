/**
 * The semantic layer inside the ARLens server: Cube 0.35 (server-core, pinned) over the server's
 * ServingWarehouse, its REST API as an express app mounted under /cubejs-api by server/index.ts.
 *
 * Settings, and why (docs/platform.md has the evidence):
 * - dbType 'duckdb' with the Postgres dialect and our driver (cube/driver.ts);
 * - cache and queue in memory, queue concurrency explicit (16; fewer starved rollup refreshes);
 * - rollups (`external: false`) built by this instance into the in-memory catalog and rebuilt after
 *   every warehouse swap (refresh keys are cached for a second, so the refresh waits longer);
 * - no scheduled timer, no dev server, no telemetry, no `jobs` scope (clients cannot start builds).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import express from 'express';
import type * as CubeSchemaCompiler from '@cubejs-backend/schema-compiler';
import type * as CubeServerCore from '@cubejs-backend/server-core';
import type { BaseDriver } from '@cubejs-backend/base-driver';
import type { DatabaseType } from '@cubejs-backend/server-core';
import type { Serving, ServingWarehouse } from '../warehouse/serving.ts';
import { publishedAsOf, type PublishedAsOf } from '../models/as-of.ts';
import { ServingDriver } from './driver.ts';
import { badJsonBody, cubeGate } from './gate.ts';
import { catalogFromMeta, isTimeZone, type MemberCatalog } from './query-guard.ts';
import { applyCubeShims } from './shims.ts';
import {
  ACCESS_DENIED,
  badRequest,
  mayQueryView,
  rewriteQuery,
  verifyToken,
  type CubeQuery,
  type SecurityContext,
} from './security.ts';

// Cube's packages are CommonJS with re-exports Node's ESM loader cannot see: load them with require.
const require = createRequire(import.meta.url);
const { CubejsServerCore } = require('@cubejs-backend/server-core') as typeof CubeServerCore;
const { PostgresQuery } = require('@cubejs-backend/schema-compiler') as typeof CubeSchemaCompiler;
interface PostgresDriverClass {
  new (config: Record<string, unknown>): BaseDriver;
}

export const CUBE_MODEL_DIR = fileURLToPath(new URL('./model', import.meta.url));
export const CUBE_BASE_PATH = '/cubejs-api';
const CONCURRENCY = 16;
/**
 * Error texts that come from the database or the runtime, not from Cube's query checks: DuckDB's
 * error classes, PostgreSQL's messages (the engine may be either), stack frames, SQL.
 */
const INTERNAL_ERROR = new RegExp(
  [
    /\b(Binder|Catalog|Parser|Conversion|Permission|Invalid Input|Out of Range|Constraint|Dependency|Serialization|Transaction|Internal|INTERNAL|Not implemented|IO|Interrupt) Error\b/
      .source,
    /\bat .+\.(js|ts):\d+|SELECT\s/.source,
    /\b(relation|column|function|operator|schema|type|aggregate) .+ does not exist\b/.source,
    /syntax error at or near|permission denied|canceling statement|division by zero|invalid input syntax/
      .source,
    /numeric field overflow|out of range|could not |violates .+ constraint|deadlock detected/.source,
    /\bconnect ECONNREFUSED|Connection terminated|terminating connection|too many clients|password authentication/
      .source,
  ].join('|'),
);
const PRE_AGGREGATIONS_SCHEMA = 'prod_pre_aggregations';

export interface CubeApiOptions {
  /** The server's warehouse: its swaps drive the as-of date and (server/index.ts) the rollup refresh. */
  readonly serving: Serving;
  /**
   * Cube queries a PostgreSQL warehouse itself, through the official driver (a pool of its own, the
   * ARLens SQL functions of schema `arlens` on its search_path); without it, the DuckDB serving
   * instance through ServingDriver.
   */
  readonly postgres?: { readonly url: string };
  readonly apiSecret: string;
  /** Errors and warnings worth a line (tokens are never logged). */
  readonly log?: (line: string) => void;
  readonly modelDir?: string;
}

export interface CubeApi {
  /** Express app serving /cubejs-api/v1/{load,meta,sql,dry-run}. */
  readonly app: express.Express;
  /** Rebuild every rollup whose refresh key changed; resolves when done. */
  refreshPreAggregations(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Cube's stock PostgreSQL driver (0.35.81, unchanged) on the warehouse database: unqualified function
 * names resolve in `arlens` (the Cube aggregates, the KPI functions and DuckDB's round(double, n),
 * installed by server/index.ts); rollups are tables in the warehouse's `prod_pre_aggregations`
 * schema. Values: numeric and bigint as strings, doubles as numbers, dates as Cube's local
 * timestamps — what ServingDriver gives from DuckDB.
 */
function postgresDriver(url: string): BaseDriver {
  const { PostgresDriver } = require('@cubejs-backend/postgres-driver') as {
    PostgresDriver: PostgresDriverClass;
  };
  return new PostgresDriver({
    connectionString: url,
    max: CONCURRENCY,
    application_name: 'arlens cube',
    options: '-c search_path=public,arlens -c jit=off',
  });
}

/** The model files (YAML) under `dir`, for Cube's compiler. */
function modelRepository(dir: string) {
  return {
    localPath: () => dir,
    dataSchemaFiles: async () => {
      const names = (await fs.readdir(dir, { recursive: true })).filter((f) => /\.ya?ml$/.test(f)).sort();
      return Promise.all(
        names.map(async (fileName) => ({
          fileName,
          content: await fs.readFile(join(dir, fileName), 'utf8'),
        })),
      );
    },
  };
}

interface AuthRequest {
  securityContext?: SecurityContext;
}

export async function createCubeApi(options: CubeApiOptions): Promise<CubeApi> {
  applyCubeShims();
  process.env['CUBEJS_PRE_AGGREGATIONS_BUILDER'] = 'true';
  const log = options.log ?? ((line: string) => console.error(line));
  const driver: BaseDriver = options.postgres
    ? postgresDriver(options.postgres.url)
    : new ServingDriver(options.serving as ServingWarehouse);
  const orchestratorId = `arlens_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let views: ReadonlySet<string> = new Set();
  let catalog: MemberCatalog = new Map();

  const core = new CubejsServerCore({
    dbType: (options.postgres ? 'postgres' : 'duckdb') as DatabaseType,
    driverFactory: () => driver,
    dialectFactory: () => PostgresQuery as never,
    // Cube's own file repository reads relative to the working directory; ours takes the path.
    repositoryFactory: () => modelRepository(options.modelDir ?? CUBE_MODEL_DIR),
    basePath: CUBE_BASE_PATH,
    // Cube's in-memory cache and queue are shared by every Cube instance in the process (module-level
    // stores keyed by this id): an id of this instance's own keeps two servers' answers apart.
    contextToOrchestratorId: () => orchestratorId,
    apiSecret: options.apiSecret,
    devServer: false,
    telemetry: false,
    cacheAndQueueDriver: 'memory',
    scheduledRefreshTimer: false,
    preAggregationsSchema: PRE_AGGREGATIONS_SCHEMA,
    orchestratorOptions: {
      queryCacheOptions: { queueOptions: { concurrency: CONCURRENCY } },
      preAggregationsOptions: { queueOptions: { concurrency: CONCURRENCY } },
    },
    checkAuth: async (req: AuthRequest, auth?: string) => {
      req.securityContext = await verifyToken(options.apiSecret, auth);
    },
    contextToApiScopes: () => Promise.resolve(['meta', 'data']),
    queryRewrite: (query, { securityContext }) => {
      // Checked at the door already (gate below); checked again on Cube's normalised form, so a path
      // that skips the door (or a Cube default) still never reaches SQL with a foreign time zone.
      const tz = (query as { timezone?: unknown }).timezone;
      if (tz !== undefined && !isTimeZone(tz)) throw badRequest('query.timezone: not an IANA time zone.');
      return Promise.resolve(
        rewriteQuery(query as CubeQuery, securityContext as SecurityContext, views) as never,
      );
    },
    logger: (message: string, params: Record<string, unknown>) => {
      const error = params['error'];
      if (error === undefined || message === 'Forbidden' || String(error).startsWith(ACCESS_DENIED)) return;
      log(`cube: ${message}: ${String(error).split('\n')[0] ?? ''}`);
    },
  });

  // The views the model defines (cubes are public: false and never queried directly).
  const compiler = await core.getCompilerApi({ securityContext: { role: 'cfo' }, requestId: 'arlens-views' });
  const meta = (await compiler.metaConfig({ requestId: 'arlens-views' })) as {
    config: { name: string; type?: string };
  }[];
  views = new Set(meta.filter((m) => m.config.type === 'view').map((m) => m.config.name));
  catalog = catalogFromMeta(meta as Parameters<typeof catalogFromMeta>[0]);

  // The published marts' as-of date, read again after every warehouse swap.
  let asOf: PublishedAsOf | null = null;
  const readAsOf = async (): Promise<void> => {
    if (options.serving.generation === 0) return;
    await publishedAsOf(options.serving.query.bind(options.serving))
      .then((a) => {
        asOf = a;
      })
      .catch((e: unknown) => log(`cube: cannot read the as-of date: ${(e as Error).message}`));
  };
  await readAsOf();
  options.serving.on('swap', () => void readAsOf());

  const app = express();
  app.use(express.json({ limit: '1mb' }));
  app.use(badJsonBody);
  app.use(cubeGate(CUBE_BASE_PATH, options.apiSecret, () => catalog));
  // Cube puts server stack traces in error responses; clients get the message only. /v1/meta lists
  // only the views the caller's role may query.
  app.use((req, res, next) => {
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      if (body && typeof body === 'object' && 'error' in body) {
        const { error, type } = body as Record<string, unknown>;
        const text = String(error);
        // Cube's own messages about the query are the client's to read; anything from the database
        // or the server (SQL, DuckDB's error texts, stack traces) stays in the log under a reference.
        if (res.statusCode >= 500 || INTERNAL_ERROR.test(text)) {
          const ref = randomUUID().slice(0, 8);
          log(`cube: request ${ref} failed: ${text.split('\n')[0] ?? ''}`);
          return json({
            error: `The warehouse could not answer this query (reference ${ref}). If it persists, give the reference to your administrator.`,
          });
        }
        return json(type === undefined ? { error: text } : { type, error: text });
      }
      const context = (req as AuthRequest).securityContext;
      if (context && req.path.endsWith('/v1/meta') && body && typeof body === 'object' && 'cubes' in body) {
        const meta = body as { cubes: { name: string }[] };
        // The as-of date every view describes (docs/models.md), beside the views the role may query.
        return json({ ...meta, asOf, cubes: meta.cubes.filter((c) => mayQueryView(context, c.name)) });
      }
      return json(body);
    };
    next();
  });
  await core.initApp(app as never);

  let refreshing: Promise<void> = Promise.resolve();
  const refreshPreAggregations = (): Promise<void> => {
    refreshing = refreshing.then(async () => {
      await core.runScheduledRefresh({ securityContext: { role: 'cfo' } }, { throwErrors: true });
    });
    return refreshing;
  };

  return {
    app,
    refreshPreAggregations,
    close: async () => {
      await refreshing.catch(() => undefined);
      await core.shutdown();
      // The driver is this instance's (driverFactory hands Cube the same one): its pool ends here.
      if (options.postgres) await driver.release().catch(() => undefined);
    },
  };
}
