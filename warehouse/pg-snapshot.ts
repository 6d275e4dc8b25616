/**
 * Jobs written for DuckDB, run on a PostgreSQL warehouse (plan §14.5): the risk model and the cash
 * forecast read the marts with DuckDB SQL and write their results as tables (`ml.*`). Rather than
 * keep a second copy of that SQL in PostgreSQL's dialect, such a job runs unchanged on a private
 * DuckDB file filled from the published PostgreSQL relations, and its written schemas go back to
 * PostgreSQL through the same swap publish as a build (`<schema>__next`, renamed in one transaction,
 * NOTIFY `arlens_published`): readers never see half of them.
 *
 * - `withPgSnapshot`: a read. The relations are copied without the job lock (a build may publish
 *   meanwhile): the published schemas' OIDs are read before and after the copy, and a copy that
 *   straddled a publish is thrown away and taken again.
 * - `withPgSnapshotJob`: a write. It holds the job lock (as ingest and build do), so the copy is of
 *   one generation, and publishes the `writes` schemas of the DuckDB file when `work` succeeds.
 *
 * Values cross as CSV text: PostgreSQL's `COPY … TO STDOUT` output (numeric at its scale, ISO dates,
 * shortest round-trip doubles; arrays as JSON) is read by DuckDB as VARCHAR and cast to the column's
 * DuckDB type, so no amount passes through a JS number; the way back is pg-copy.ts `copyQueryToPg`.
 */
import { createWriteStream, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { to as copyTo } from 'pg-copy-streams';
import { ident, restrictFileAccess, sqlString, withInstance } from './duckdb.ts';
import { queryRows } from './convert.ts';
import { copyQueryToPg } from './pg-copy.ts';
import { withPgJob, withSwapBuild } from './pg-publish.ts';
import { PgSession } from './session.ts';
import { sortableRunId } from './store.ts';

/** Schemas copied whole (tables and views) into a job's DuckDB file: what the jobs write. */
export const SNAPSHOT_SCHEMAS: readonly string[] = ['ml'];

/**
 * The relations the jobs read besides (every `schema.table` in the SQL of ml/*.server.ts and
 * forecast/*.server.ts; tests/pg/jobs.test.ts runs both jobs on PostgreSQL, so one missing here fails
 * there). Not the whole marts: fct_ar_snapshots alone is larger than all of these, and no job reads it.
 */
export const SNAPSHOT_RELATIONS: readonly string[] = [
  'marts.fct_invoices',
  'marts.dim_customers',
  'marts.fct_collection_activities',
  'marts.fct_credit_exposure',
  'marts.fct_payment_applications',
  'intermediate.int_as_of',
  'intermediate.int_fx_daily',
  'intermediate.int_invoice_reductions',
  'intermediate.int_load_watermark',
  'meta.manifest',
  'staging.stg_erp__disputes',
];

export interface SnapshotOptions {
  /** Where the DuckDB file and the CSV files go while the job runs (default: the system temp dir). */
  readonly scratchDir?: string;
  /**
   * Copy only these relations ('schema.name'; default: SNAPSHOT_SCHEMAS and SNAPSHOT_RELATIONS; a job
   * also copies the schemas it writes, whole). One that does not exist is not copied: the job's own
   * checks say what is missing, as on DuckDB.
   */
  readonly only?: readonly string[];
  /** A name for pg_stat_activity (`arlens <job> <run>`). */
  readonly job?: string;
  /** Called after the copy, before it is checked against a publish meanwhile (tests publish there). */
  readonly afterCopy?: (attempt: number) => Promise<void>;
}

export interface SnapshotJobOptions extends SnapshotOptions {
  /** The schemas the job writes: published back to PostgreSQL (whole) when `work` succeeds. */
  readonly writes: readonly string[];
  /** Runs inside the publish transaction (the BI door re-applies its row-level security there). */
  readonly onPublish?: (session: PgSession) => Promise<void>;
}

interface Column {
  readonly name: string;
  /** PostgreSQL's name of the type (format_type). */
  readonly pgType: string;
}

interface Relation {
  readonly schema: string;
  readonly name: string;
  readonly columns: Column[];
}

/** A PostgreSQL type (format_type) as DuckDB's type; null when it has no exact DuckDB twin. */
export function duckdbTypeOf(pgType: string): string | null {
  if (pgType.endsWith('[]')) {
    const inner = duckdbTypeOf(pgType.slice(0, -2));
    return inner === null ? null : `${inner}[]`;
  }
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(pgType);
  if (numeric) return Number(numeric[1]) <= 38 ? `DECIMAL(${numeric[1]}, ${numeric[2]})` : null;
  if (/^(character varying|character)(\(\d+\))?$/.test(pgType)) return 'VARCHAR';
  const simple: Record<string, string> = {
    text: 'VARCHAR',
    smallint: 'SMALLINT',
    integer: 'INTEGER',
    bigint: 'BIGINT',
    real: 'FLOAT',
    'double precision': 'DOUBLE',
    boolean: 'BOOLEAN',
    date: 'DATE',
    'timestamp without time zone': 'TIMESTAMP',
    'timestamp with time zone': 'TIMESTAMPTZ',
    json: 'JSON',
    jsonb: 'JSON',
    uuid: 'UUID',
    interval: 'INTERVAL',
  };
  return simple[pgType] ?? null;
}

/** A DuckDB type (information_schema.columns.data_type) as PostgreSQL's; null when not carried. */
export function pgTypeOf(duckdbType: string): string | null {
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(duckdbType);
  if (decimal) return `numeric(${decimal[1]},${decimal[2]})`;
  const simple: Record<string, string> = {
    VARCHAR: 'text',
    TINYINT: 'smallint',
    SMALLINT: 'smallint',
    INTEGER: 'integer',
    BIGINT: 'bigint',
    HUGEINT: 'numeric(38,0)',
    UTINYINT: 'smallint',
    USMALLINT: 'integer',
    UINTEGER: 'bigint',
    UBIGINT: 'numeric(20,0)',
    FLOAT: 'real',
    DOUBLE: 'double precision',
    BOOLEAN: 'boolean',
    DATE: 'date',
    TIMESTAMP: 'timestamp',
    'TIMESTAMP WITH TIME ZONE': 'timestamptz',
    JSON: 'json',
    UUID: 'uuid',
    INTERVAL: 'interval',
  };
  return simple[duckdbType] ?? null;
}

/** A PostgreSQL text[] literal of `items` (bound as one parameter). */
function textArray(items: readonly string[]): string {
  return `{${items.map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** What a copy holds: `only`, or for a read SNAPSHOT_SCHEMAS and SNAPSHOT_RELATIONS; a job adds its `writes`. */
function copied(
  o: SnapshotOptions,
  writes: readonly string[] = [],
): { schemas: string[]; relations: string[] } {
  return o.only
    ? { schemas: [...writes], relations: [...o.only] }
    : { schemas: [...new Set([...SNAPSHOT_SCHEMAS, ...writes])], relations: [...SNAPSHOT_RELATIONS] };
}

/** The published relations to copy, with their columns (PostgreSQL types), in a stable order. */
async function listRelations(
  session: PgSession,
  wholeSchemas: readonly string[],
  relations: readonly string[],
): Promise<Relation[]> {
  const rows = await session.rows(
    `SELECT n.nspname AS schema, c.relname AS name, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class AS c
       JOIN pg_namespace AS n ON n.oid = c.relnamespace
       JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE c.relkind IN ('r', 'v', 'm', 'p')
        AND (n.nspname = ANY ($1::text[]) OR (n.nspname || '.' || c.relname) = ANY ($2::text[]))
      ORDER BY n.nspname, c.relname, a.attnum`,
    [textArray(wholeSchemas), textArray(relations)],
  );
  const out: Relation[] = [];
  for (const r of rows) {
    const schema = String(r['schema']);
    const name = String(r['name']);
    let last = out.at(-1);
    if (last?.schema !== schema || last.name !== name) out.push((last = { schema, name, columns: [] }));
    last.columns.push({ name: String(r['column']), pgType: String(r['type']) });
  }
  return out;
}

/** The OIDs of the published schemas: a publish in between changes at least one. */
async function schemaOids(session: PgSession, schemas: readonly string[]): Promise<string> {
  const rows = await session.rows(
    `SELECT string_agg(nspname || '=' || oid::text, ',' ORDER BY nspname) AS v
       FROM pg_namespace WHERE nspname = ANY ($1::text[])`,
    [textArray(schemas)],
  );
  return String(rows[0]?.['v'] ?? '');
}

/** Numeric columns without a declared scale (sums of integers): DECIMAL(38, the largest scale held). */
async function unconstrainedScale(session: PgSession, rel: Relation, column: string): Promise<number> {
  const rows = await session.rows(
    `SELECT coalesce(max(scale(${ident(column)})), 0) AS s FROM ${ident(rel.schema)}.${ident(rel.name)}`,
  );
  return Number(rows[0]?.['s'] ?? 0);
}

/** Copy one relation from PostgreSQL into the DuckDB connection's database (same schema and name). */
async function copyRelation(
  session: PgSession,
  conn: DuckDBConnection,
  rel: Relation,
  file: string,
): Promise<number> {
  const types: string[] = [];
  for (const c of rel.columns) {
    let t = duckdbTypeOf(c.pgType);
    if (t === null && c.pgType === 'numeric')
      t = `DECIMAL(38, ${await unconstrainedScale(session, rel, c.name)})`;
    if (t === null) {
      throw new Error(
        `${rel.schema}.${rel.name}.${c.name} has the PostgreSQL type ${c.pgType}, which a DuckDB job cannot read exactly.`,
      );
    }
    types.push(t);
  }
  const exprs = rel.columns.map((c) =>
    c.pgType.endsWith('[]') ? `array_to_json(${ident(c.name)})::text` : ident(c.name),
  );
  const source = `${ident(rel.schema)}.${ident(rel.name)}`;
  const out = session.client.query(
    copyTo(`COPY (SELECT ${exprs.join(', ')} FROM ${source}) TO STDOUT (FORMAT csv)`),
  );
  await pipeline(out, createWriteStream(file));
  const columns = rel.columns.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ');
  const casts = rel.columns.map((c, i) => {
    const t = types[i]!;
    const value = t.endsWith('[]') ? `CAST(c${i} AS JSON)` : `c${i}`;
    return `CAST(${value} AS ${t}) AS ${ident(c.name)}`;
  });
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${ident(rel.schema)}`);
  await conn.run(
    `CREATE TABLE ${ident(rel.schema)}.${ident(rel.name)} AS SELECT ${casts.join(', ')}
       FROM read_csv(${sqlString(file)}, columns = {${columns}}, header = false, auto_detect = false,
                     delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false)`,
  );
  await fs.rm(file, { force: true });
  return Number(out.rowCount);
}

/** Fill the (empty) DuckDB database of `conn` from the published relations of `session`. */
async function fill(
  session: PgSession,
  conn: DuckDBConnection,
  dir: string,
  what: { schemas: readonly string[]; relations: readonly string[] },
): Promise<void> {
  const relations = await listRelations(session, what.schemas, what.relations);
  let i = 0;
  for (const rel of relations) await copyRelation(session, conn, rel, join(dir, `${i++}.csv`));
}

async function withScratch<T>(o: SnapshotOptions, work: (dir: string) => Promise<T>): Promise<T> {
  const base = o.scratchDir ?? tmpdir();
  await fs.mkdir(base, { recursive: true });
  const dir = await fs.mkdtemp(join(base, 'arlens-pg-job-'));
  try {
    return await work(dir);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** How many times a read copy is taken again when a publish happened during it. */
const READ_ATTEMPTS = 5;

/**
 * Read the published PostgreSQL warehouse with DuckDB SQL: `read` gets a DuckDB connection on a
 * private copy of the relations (SNAPSHOT_SCHEMAS and SNAPSHOT_RELATIONS, or `only`), all of one
 * published generation. The copy is read-only to `read` in effect: it is thrown away after.
 */
export async function withPgSnapshot<T>(
  url: string,
  read: (conn: DuckDBConnection) => Promise<T>,
  o: SnapshotOptions = {},
): Promise<T> {
  const session = await PgSession.connect(url, { applicationName: `arlens ${o.job ?? 'read'} snapshot` });
  try {
    const what = copied(o);
    const watched = [...new Set([...what.schemas, ...what.relations.map((r) => r.split('.')[0]!)])];
    for (let attempt = 1; ; attempt++) {
      const result = await withScratch(o, async (dir) => {
        const before = await schemaOids(session, watched);
        return withInstance(join(dir, 'snapshot.duckdb'), {}, async (conn) => {
          await fill(session, conn, dir, what);
          await o.afterCopy?.(attempt);
          if ((await schemaOids(session, watched)) !== before) return { retry: true as const };
          await restrictFileAccess(conn, {});
          return { retry: false as const, value: await read(conn) };
        });
      });
      if (!result.retry) return result.value;
      if (attempt >= READ_ATTEMPTS) {
        throw new Error(
          `The PostgreSQL warehouse was published ${READ_ATTEMPTS} times while it was being read; try again when the builds are done.`,
        );
      }
    }
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** The DuckDB tables of `schema` with their columns and PostgreSQL types. */
async function writtenTables(conn: DuckDBConnection, schema: string): Promise<Relation[]> {
  const rows = await queryRows(
    conn,
    `SELECT c.table_name, c.column_name, c.data_type
       FROM information_schema.columns AS c
       JOIN information_schema.tables AS t USING (table_catalog, table_schema, table_name)
      WHERE c.table_schema = ? AND t.table_type = 'BASE TABLE' AND c.table_catalog = current_database()
      ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  const out: Relation[] = [];
  for (const r of rows) {
    const name = String(r['table_name']);
    const type = String(r['data_type']);
    const pgType = pgTypeOf(type);
    if (pgType === null) {
      throw new Error(
        `internal: ${schema}.${name}.${String(r['column_name'])} is ${type}, which is not carried to PostgreSQL`,
      );
    }
    let last = out.at(-1);
    if (last?.name !== name) out.push((last = { schema, name, columns: [] }));
    last.columns.push({ name: String(r['column_name']), pgType });
  }
  return out;
}

/**
 * Run a DuckDB job on a PostgreSQL warehouse and publish what it wrote: under the job lock, copy the
 * published relations into a private DuckDB file, run `work` on it, then replace each of the
 * `writes` schemas in PostgreSQL with the file's tables of that schema (a swap publish: all of them
 * at once, in one transaction). When `work` throws, nothing is published.
 */
export async function withPgSnapshotJob<T>(
  url: string,
  job: string,
  work: (conn: DuckDBConnection) => Promise<T>,
  o: SnapshotJobOptions,
): Promise<T> {
  const runId = sortableRunId();
  return withPgJob(url, job, runId, (session) =>
    withScratch(o, (dir) =>
      withInstance(join(dir, 'job.duckdb'), {}, async (conn) => {
        await fill(session, conn, dir, copied(o, o.writes));
        await restrictFileAccess(conn, {});
        const value = await work(conn);
        const written = new Map<string, Relation[]>();
        for (const schema of o.writes) written.set(schema, await writtenTables(conn, schema));
        await withSwapBuild(
          session,
          o.writes,
          runId.replace(/[^0-9A-Za-z_-]/g, '_'),
          async (schemaMap) => {
            for (const [schema, tables] of written) {
              const target = schemaMap.get(schema)!;
              for (const t of tables) {
                const name = `${ident(target)}.${ident(t.name)}`;
                await session.run(
                  `CREATE TABLE ${name} (${t.columns.map((c) => `${ident(c.name)} ${c.pgType}`).join(', ')})`,
                );
                await copyQueryToPg(
                  conn,
                  `SELECT ${t.columns.map((c) => ident(c.name)).join(', ')} FROM ${ident(schema)}.${ident(t.name)}`,
                  [],
                  session,
                  name,
                  t.columns.map((c) => c.name),
                );
                await session.run(`ANALYZE ${name}`);
              }
            }
          },
          { ...(o.onPublish ? { publish: o.onPublish } : {}) },
        );
        return value;
      }),
    ),
  );
}
