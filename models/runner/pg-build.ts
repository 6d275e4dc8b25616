/**
 * `build()` on PostgreSQL: the whole project is built into `<schema>__next` schemas by the job that
 * holds the warehouse's job lock, and published by renaming them in one transaction that also writes
 * the run log (warehouse/pg-publish.ts). Readers see the old marts until that commit and the new ones
 * after; a failed build publishes nothing. Incremental models start from a copy of their published
 * table.
 *
 * A selected build (`--select`/`--exclude`) swaps the same schemas, so it first carries everything
 * it does not rebuild into the `__next` schemas, as it is published: every model the selection leaves
 * out, in build order among the selected nodes (runner option `carryOver`: tables copied with their
 * indexes, views created again from their SQL rendered for the build schemas), and whatever else the
 * model schemas hold that is no model of the project (tables copied before the models run; views
 * created again from their definitions inside the publish transaction, after the renames, so they read
 * the new schemas; other objects cannot be carried and are named in `warnings`). Only the selected
 * nodes run and are reported, as on DuckDB, where a selected build works on a copy of the whole
 * warehouse. A full build replaces the model schemas whole: what is no model goes with the old
 * schemas, and `warnings` says so.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ident, sqlString } from '../../warehouse/duckdb.ts';
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
import { selectNodes } from './graph.ts';
import { parseProject, type Project } from './project.ts';
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
  /**
   * Relations in the model schemas that are no model of the project (`schema.name`), which a selected
   * build carried over into the published schemas.
   */
  readonly carried: readonly string[];
  /** What the build did not keep, a sentence each (the CLI prints them). */
  readonly warnings: readonly string[];
}

/** A relation in a model schema that no model of the project builds. */
interface Unmanaged {
  readonly schema: string;
  readonly name: string;
  /** pg_class.relkind: r table, v view, m materialized view, p partitioned table, f foreign table, S sequence. */
  readonly relkind: string;
}

const RELKIND_NAMES: Record<string, string> = {
  m: 'materialized view',
  p: 'partitioned table',
  f: 'foreign table',
  S: 'sequence',
};

/** The relations (and sequences) in `schemas` no non-ephemeral model of `project` builds, oldest first. */
async function unmanagedRelations(
  session: PgSession,
  project: Project,
  schemas: readonly string[],
): Promise<Unmanaged[]> {
  if (schemas.length === 0) return [];
  const models = new Set(
    [...project.nodes.values()].flatMap((n) =>
      n.kind === 'model' && n.materialized !== 'ephemeral' ? [`${n.schema}.${n.name}`] : [],
    ),
  );
  const rows = await session.rows(
    `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind
       FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
      WHERE n.nspname IN (${schemas.map(sqlString).join(', ')}) AND c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S')
        AND NOT c.relispartition
        -- A serial's or identity column's sequence goes with its table.
        AND NOT EXISTS (SELECT 1 FROM pg_depend AS d
                         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i'))
      ORDER BY c.oid`,
  );
  return rows
    .map((r) => ({ schema: String(r['schema']), name: String(r['name']), relkind: String(r['relkind']) }))
    .filter((r) => !models.has(`${r.schema}.${r.name}`));
}

const qualified = (schema: string, name: string) => `${ident(schema)}.${ident(name)}`;

/**
 * Copy a table no model builds into the schema `next`: its definition (`LIKE … INCLUDING ALL`:
 * defaults, constraints, indexes, identity), its rows (generated columns computed again, identity
 * values kept), and its sequences where they stand: an identity column's new sequence, and a new
 * sequence (owned by the copy) for a serial column, whose default would otherwise name the old
 * schema's sequence and be dropped with it.
 */
async function copyUnmanagedTable(session: PgSession, r: Unmanaged, next: string): Promise<void> {
  const from = qualified(r.schema, r.name);
  const to = qualified(next, r.name);
  await session.run(`CREATE TABLE ${to} (LIKE ${from} INCLUDING ALL)`);
  const columns = await session.rows(
    `SELECT attname AS name FROM pg_attribute
      WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
      ORDER BY attnum`,
    [from],
  );
  const list = columns.map((c) => ident(String(c['name']))).join(', ');
  await session.run(`INSERT INTO ${to} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM ${from}`);
  const sequences = await session.rows(
    `SELECT s.relname AS seq, a.attname AS col, d.deptype::text AS kind, format_type(q.seqtypid, NULL) AS type
       FROM pg_depend AS d
       JOIN pg_class AS s ON s.oid = d.objid AND s.relkind = 'S'
       JOIN pg_sequence AS q ON q.seqrelid = s.oid
       JOIN pg_attribute AS a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
      WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
        AND d.refobjid = $1::regclass AND d.deptype IN ('a', 'i')`,
    [from],
  );
  for (const q of sequences) {
    const col = String(q['col']);
    const old = qualified(r.schema, String(q['seq']));
    let seq: string;
    if (q['kind'] === 'i') {
      const [got] = await session.rows('SELECT pg_get_serial_sequence($1, $2) AS seq', [to, col]);
      seq = String(got?.['seq']);
    } else {
      seq = qualified(next, String(q['seq']));
      await session.run(`CREATE SEQUENCE ${seq} AS ${String(q['type'])} OWNED BY ${to}.${ident(col)}`);
      await session.run(
        `ALTER TABLE ${to} ALTER COLUMN ${ident(col)} SET DEFAULT nextval(${sqlString(seq)}::regclass)`,
      );
    }
    await session.run(`SELECT setval(${sqlString(seq)}::regclass, last_value, is_called) FROM ${old}`);
  }
  await session.run(`ANALYZE ${to}`);
}

/**
 * A selected build: copy the unmanaged tables into the build schemas now; read the unmanaged views'
 * definitions (fully qualified) for `recreateViews` after the renames. Other kinds become warnings.
 */
async function carryUnmanaged(
  session: PgSession,
  unmanaged: readonly Unmanaged[],
  schemaMap: ReadonlyMap<string, string>,
  warnings: string[],
): Promise<{ carried: string[]; views: { schema: string; name: string; sql: string }[] }> {
  const carried: string[] = [];
  const views: { schema: string; name: string; sql: string }[] = [];
  for (const r of unmanaged) {
    const from = qualified(r.schema, r.name);
    if (r.relkind === 'r') {
      const next = schemaMap.get(r.schema) ?? r.schema;
      try {
        await copyUnmanagedTable(session, r, next);
      } catch (e) {
        throw new Error(
          `${r.schema}.${r.name} is no model of the project, and a selected build could not carry it over: ` +
            `${(e as Error).message}. Nothing was published. Move it out of the schema ${r.schema}, or run the ` +
            'full build (which does not keep it).',
          { cause: e },
        );
      }
      carried.push(`${r.schema}.${r.name}`);
    } else if (r.relkind === 'v') {
      // Every name qualified (nothing but pg_catalog on the search path), so the text reads the same
      // relations once the new schemas carry the published names.
      const [def] = await session.transaction(async () => {
        await session.run('SET LOCAL search_path = pg_catalog');
        return session.rows('SELECT pg_get_viewdef($1::regclass, true) AS sql', [from]);
      });
      views.push({ schema: r.schema, name: r.name, sql: String(def?.['sql']) });
    } else {
      warnings.push(
        `${r.schema}.${r.name} (a ${RELKIND_NAMES[r.relkind] ?? r.relkind}) is no model of the project and ` +
          'cannot be carried over: it went with the old schema.',
      );
    }
  }
  return { carried, views };
}

/** Inside the publish transaction, after the renames: the unmanaged views, each or a warning. */
async function recreateViews(
  session: PgSession,
  views: readonly { schema: string; name: string; sql: string }[],
  carried: string[],
  warnings: string[],
): Promise<void> {
  for (const v of views) {
    await session.run('SAVEPOINT arlens_carry_view');
    try {
      await session.run(`CREATE VIEW ${qualified(v.schema, v.name)} AS\n${v.sql}`);
      await session.run('RELEASE SAVEPOINT arlens_carry_view');
      carried.push(`${v.schema}.${v.name}`);
    } catch (e) {
      await session.run('ROLLBACK TO SAVEPOINT arlens_carry_view');
      warnings.push(
        `${v.schema}.${v.name} (a view that is no model of the project) could not be created again on the ` +
          `new relations: ${(e as Error).message}. It went with the old schema.`,
      );
    }
  }
}

export async function buildOnPostgres(
  o: PgBuildOptions & Pick<BuildOptions, 'select' | 'exclude'>,
): Promise<PgBuildReport> {
  const project = await parseProject(o.projectDir, o.vars);
  const selective = (o.select?.length ?? 0) > 0 || (o.exclude?.length ?? 0) > 0;
  // A selector that matches nothing fails here, before the job starts.
  if (selective) selectNodes(project.nodes, o.select, o.exclude);
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
    const warnings: string[] = [];
    const unmanaged = await unmanagedRelations(session, project, schemas);
    let carry: Awaited<ReturnType<typeof carryUnmanaged>> = { carried: [], views: [] };
    if (!selective) {
      for (const r of unmanaged) {
        warnings.push(
          `${r.schema}.${r.name} is no model of the project: a full build replaces the schema ${r.schema} ` +
            'whole, and it went with the old one (a selected build carries it over).',
        );
      }
    }
    const { retained } = await withSwapBuild(
      session,
      schemas,
      runId,
      async (schemaMap) => {
        if (selective) carry = await carryUnmanaged(session, unmanaged, schemaMap, warnings);
        report = await buildInConnection(session, project, {
          runId,
          schemaMap,
          writeRunLog: false,
          carryOver: selective,
          ...(o.select ? { select: o.select } : {}),
          ...(o.exclude ? { exclude: o.exclude } : {}),
          ...(o.fullRefresh === undefined ? {} : { fullRefresh: o.fullRefresh }),
          ...(o.onEvent ? { onEvent: o.onEvent } : {}),
        });
        return report;
      },
      {
        publish: async (s) => {
          o.onEvent?.({ kind: 'publishing' });
          await recreateViews(s, carry.views, carry.carried, warnings);
          await writeRunLog(s, runResultsOf(report!), report!.manifest);
          await o.onPublish?.(s);
        },
      },
    );
    return { ...report!, retained, carried: carry.carried, warnings };
  }).catch((e: unknown) => {
    if (!(e instanceof BuildFailedError)) throw e;
    throw new BuildFailedError(
      `${e.message}\nNothing was published: the PostgreSQL warehouse is as it was.`,
      e.report,
    );
  });
}
