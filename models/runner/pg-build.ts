/**
 * `build()` on PostgreSQL: the whole project is built into `<schema>__next` schemas by the job that
 * holds the warehouse's job lock, and published by renaming them in one transaction that also writes
 * the run log (warehouse/pg-publish.ts). Readers see the old marts until that commit and the new ones
 * after; a failed build publishes nothing. Incremental models start from a copy of their published
 * table.
 *
 * A swap build builds every model: the published schemas are replaced whole, so a `--select`ed subset
 * would drop the models left out. Selections are refused here until published models can be carried
 * over.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { sortableRunId } from '../../warehouse/store.ts';
import { withPgJob, withSwapBuild } from '../../warehouse/pg-publish.ts';
import type { PgSession } from '../../warehouse/session.ts';
import {
  BuildFailedError,
  buildInConnection,
  runResultsOf,
  type BuildOptions,
  type BuildReport,
} from './index.ts';
import { parseProject } from './project.ts';
import { writeRunLog } from './run-log.ts';

export interface PgBuildOptions extends Pick<
  BuildOptions,
  'projectDir' | 'fullRefresh' | 'vars' | 'onEvent'
> {
  /** The warehouse database (postgres://…). */
  readonly url: string;
  /**
   * Runs on the job's session once the job lock is held, before the models (the CLI copies the
   * operational store's worklist into `worklist.*` here, as the DuckDB build's `prepare` does).
   */
  readonly prepare?: (session: PgSession) => Promise<void>;
  /**
   * Runs inside the publish transaction, after the swap and the run log: the new schemas already
   * carry the published names (re-apply BI grants and row-level policies to the new tables here, so
   * no reader ever sees the new marts without them). Throwing rolls the publish back.
   */
  readonly onPublish?: (session: PgSession) => Promise<void>;
}

/** The SQL functions the PostgreSQL models call (schema `arlens`; the file is idempotent). */
export const PG_FUNCTIONS_FILE = join(import.meta.dirname, '..', '..', 'warehouse', 'pg', 'functions.sql');

/** Create or replace the `arlens` SQL functions (warehouse/pg/functions.sql) on the session's database. */
export async function applyPgFunctions(session: PgSession): Promise<void> {
  await session.run(await fs.readFile(PG_FUNCTIONS_FILE, 'utf8'));
}

export interface PgBuildReport extends BuildReport {
  /** Old schemas a long-running reader kept; the next job drops them. */
  readonly retained: readonly string[];
}

export async function buildOnPostgres(
  o: PgBuildOptions & Pick<BuildOptions, 'select' | 'exclude'>,
): Promise<PgBuildReport> {
  if ((o.select?.length ?? 0) > 0 || (o.exclude?.length ?? 0) > 0) {
    throw new Error(
      'On PostgreSQL a build publishes every model at once: --select and --exclude are not supported yet. Run the full build.',
    );
  }
  const project = await parseProject(o.projectDir, o.vars);
  const schemas = [
    ...new Set(
      [...project.nodes.values()].flatMap((n) =>
        n.kind === 'model' && n.materialized !== 'ephemeral' ? [n.schema] : [],
      ),
    ),
  ].sort();
  const runId = sortableRunId();
  return withPgJob(o.url, 'build', runId, async (session) => {
    await applyPgFunctions(session);
    await o.prepare?.(session);
    let report: BuildReport | undefined;
    const { retained } = await withSwapBuild(
      session,
      schemas,
      runId,
      async (schemaMap) => {
        report = await buildInConnection(session, project, {
          runId,
          schemaMap,
          writeRunLog: false,
          ...(o.fullRefresh === undefined ? {} : { fullRefresh: o.fullRefresh }),
          ...(o.onEvent ? { onEvent: o.onEvent } : {}),
        });
        return report;
      },
      {
        publish: async (s) => {
          o.onEvent?.({ kind: 'publishing' });
          await writeRunLog(s, runResultsOf(report!), report!.manifest);
          await o.onPublish?.(s);
        },
      },
    );
    return { ...report!, retained };
  }).catch((e: unknown) => {
    if (!(e instanceof BuildFailedError)) throw e;
    throw new BuildFailedError(
      `${e.message}\nNothing was published: the PostgreSQL warehouse is as it was.`,
      e.report,
    );
  });
}
