/**
 * Proof by difference (issue 21, docs/plans/postgres-engine.md §10, §15): every model built on
 * PostgreSQL from the same raw rows equals DuckDB's, cell by cell.
 *
 * Until the runner builds on PostgreSQL, this is the whole path outside it: the raw and worklist
 * tables of a built DuckDB warehouse are copied into a PostgreSQL database (CSV through psql \copy),
 * warehouse/pg/functions.sql is applied, every model is compiled for `postgres` and created in
 * dependency order (views and tables), and every relation is compared with DuckDB's; then every
 * data test (same failing-row count) and the SELECT of every incremental model with is_incremental()
 * true (same rows, after clearing `_watermark` on both), and the Cube model's SQL functions over the
 * KPI mart (compareCubeFunctions).
 *
 * Run it against any PostgreSQL 15+ database you may drop tables in (it creates the schemas raw,
 * worklist, staging, intermediate, marts and arlens; give it an empty database):
 *
 *   npx tsx tests/pg/marts-equal.ts --pg 'host=/tmp/pg port=5432 user=arlens dbname=eq' [--invoices 3000]
 *   npx tsx tests/pg/marts-equal.ts --pg '…' --kpi-vectors   (the hand KPI vectors, kpiVectorsOnPostgres)
 *
 * It builds the demo warehouse (seed 5, as of 2026-06-30, as tests/cube/harness.ts) in a temp dir,
 * prints one line per relation, and exits 1 when any differs. The comparison helpers are exported
 * for the PostgreSQL test harness (tests/pg), which can back `PgQuery` with its own client.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { cubeSqlFunctions, postgresKpiFunctions } from '../../cube/sql-functions.ts';
import { compile, renderModel, renderTest } from '../../models/runner/compile.ts';
import { parseProject } from '../../models/runner/project.ts';
import type { ModelNode } from '../../models/runner/project.ts';
import { demoWarehouse } from '../cube/harness.ts';
import { ROOT, tempDir } from '../helpers.ts';

/** A model as built: its relation and whether it is a view or a table. */
export interface BuiltRelation {
  readonly name: string;
  readonly relation: string;
  readonly kind: 'view' | 'table';
}

/**
 * The SQL that builds every model of `projectDir` on PostgreSQL in dependency order (incremental
 * models as full tables, ephemeral ones inlined), and the relations it creates.
 */
export async function postgresBuild(
  projectDir: string,
  vars: Readonly<Record<string, unknown>> = {},
): Promise<{ sql: string; relations: BuiltRelation[] }> {
  const compiled = await compile(projectDir, vars, 'postgres');
  const relations: BuiltRelation[] = [];
  const statements: string[] = [];
  const schemas = new Set<string>();
  for (const node of compiled.nodes) {
    if (node.kind !== 'model') continue;
    const model = compiled.project.nodes.get(node.id) as ModelNode;
    if (model.materialized === 'ephemeral') continue;
    const kind = model.materialized === 'view' ? 'view' : 'table';
    schemas.add(model.relation.slice(0, model.relation.indexOf('.')));
    statements.push(`CREATE ${kind.toUpperCase()} ${model.relation} AS\n${node.sql};`);
    if (kind === 'table') statements.push(`ANALYZE ${model.relation};`);
    relations.push({ name: node.name, relation: model.relation, kind });
  }
  const create = [...schemas].map((s) => `CREATE SCHEMA IF NOT EXISTS ${s};`);
  return { sql: [...create, ...statements].join('\n'), relations };
}

const PG_TYPES: Readonly<Record<string, string>> = {
  VARCHAR: 'varchar',
  INTEGER: 'integer',
  BIGINT: 'bigint',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  DOUBLE: 'double precision',
  BOOLEAN: 'boolean',
};

/** The PostgreSQL type of a DuckDB column type of the raw contract. */
export function pgType(duckdbType: string): string {
  const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duckdbType);
  if (decimal) return `numeric(${decimal[1]},${decimal[2]})`;
  const type = PG_TYPES[duckdbType];
  if (!type) throw new Error(`no PostgreSQL type for DuckDB ${duckdbType}`);
  return type;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * One cell as comparable text. Lists lose their brackets and spaces (DuckDB `[1, 2]`, PostgreSQL
 * `{1,2}`); doubles compare as doubles (each engine prints the shortest text that reads back as the
 * same double, but DuckDB writes 0.0 where PostgreSQL writes 0). Everything else — money at its
 * scale, dates, booleans, text — must be the same text.
 */
export function canonicalCell(text: string | null, isDouble: boolean): string {
  if (text === null) return '\\N';
  if (isDouble) return `double:${Number(text)}`;
  if (/^[[{].*[\]}]$/s.test(text)) return `list:${text.slice(1, -1).replace(/[ "]/g, '')}`;
  return JSON.stringify(text);
}

export interface RelationDiff {
  readonly relation: string;
  readonly columns: readonly string[];
  readonly duckdbRows: number;
  readonly postgresRows: number;
  /** Rows in one engine and not the other (a multiset difference), a few of each for the report. */
  readonly onlyDuckdb: readonly string[];
  readonly onlyPostgres: readonly string[];
  readonly columnMismatch: string | null;
}

/** Rows as canonical lines, to compare as multisets. */
function multisetDiff(a: string[], b: string[]): { onlyA: string[]; onlyB: string[] } {
  const counts = new Map<string, number>();
  for (const l of a) counts.set(l, (counts.get(l) ?? 0) + 1);
  for (const l of b) counts.set(l, (counts.get(l) ?? 0) - 1);
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  for (const [line, n] of counts) {
    for (let i = 0; i < Math.abs(n); i++) (n > 0 ? onlyA : onlyB).push(line);
  }
  return { onlyA, onlyB };
}

/** Runs a query on PostgreSQL and returns its rows as text cells (NULL as null). */
export type PgQuery = (sql: string) => Promise<(string | null)[][]>;

/** A PgQuery through a pg client, with no type parsing: every cell is the server's text. */
export function pgTextQuery(client: pg.Client): PgQuery {
  return async (sql) =>
    (
      await client.query<(string | null)[]>({
        text: sql,
        rowMode: 'array',
        types: { getTypeParser: () => (v: string) => v },
      })
    ).rows;
}

/** Compare one relation of a DuckDB warehouse with the same relation on PostgreSQL. */
export async function compareRelation(
  duck: DuckDBConnection,
  pg: PgQuery,
  relation: string,
): Promise<RelationDiff> {
  const [schema, table] = relation.split('.').map((p) => p.replace(/^"|"$/g, '')) as [string, string];
  const duckCols = (
    await duck.runAndReadAll(
      `SELECT column_name, data_type FROM information_schema.columns
       WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
      [schema, table],
    )
  ).getRows() as [string, string][];
  const pgCols = await pg(
    `SELECT column_name FROM information_schema.columns
     WHERE table_schema = '${schema.replace(/'/g, "''")}' AND table_name = '${table.replace(/'/g, "''")}'
     ORDER BY ordinal_position`,
  );
  const columns = duckCols.map(([c]) => c);
  const pgNames = pgCols.map(([c]) => c ?? '');
  if (JSON.stringify(columns) !== JSON.stringify(pgNames)) {
    return {
      relation,
      columns,
      duckdbRows: 0,
      postgresRows: 0,
      onlyDuckdb: [],
      onlyPostgres: [],
      columnMismatch: `DuckDB (${columns.join(', ')}) vs PostgreSQL (${pgNames.join(', ')})`,
    };
  }
  const doubles = duckCols.map(([, type]) => /^(DOUBLE|FLOAT|REAL)$/.test(type));
  return compareRows(duck, pg, relation, columns, doubles, relation, relation);
}

/** Compare the rows of two queries with the same columns (`columns` of each), as canonical text. */
async function compareRows(
  duck: DuckDBConnection,
  pg: PgQuery,
  label: string,
  columns: readonly string[],
  doubles: readonly boolean[],
  duckFrom: string,
  pgFrom: string,
): Promise<RelationDiff> {
  const line = (row: readonly (string | null)[]) =>
    row.map((v, i) => canonicalCell(v, doubles[i]!)).join('\t');
  const duckRows = (
    await duck.runAndReadAll(
      `SELECT ${columns.map((c) => `CAST(${quoted(c)} AS VARCHAR)`).join(', ')} FROM ${duckFrom}`,
    )
  ).getRows() as (string | null)[][];
  const pgRows = await pg(`SELECT ${columns.map((c) => `${quoted(c)}::text`).join(', ')} FROM ${pgFrom}`);
  const { onlyA, onlyB } = multisetDiff(duckRows.map(line), pgRows.map(line));
  return {
    relation: label,
    columns,
    duckdbRows: duckRows.length,
    postgresRows: pgRows.length,
    onlyDuckdb: onlyA,
    onlyPostgres: onlyB,
    columnMismatch: null,
  };
}

/**
 * The SELECT of every incremental model rendered with is_incremental() true, on both engines, after
 * their `_watermark` columns were cleared on both (so every row counts as new and the incremental
 * branches — scope, previous watermark and as-of, aging signature — produce every row): the rows must
 * be equal. This exercises the SQL of an incremental run; the merge itself is the materializer's.
 */
export async function compareIncrementalSelects(
  duck: DuckDBConnection,
  conninfo: string,
): Promise<RelationDiff[]> {
  const project = await parseProject(join(ROOT, 'models'));
  const pg = psqlQuery(conninfo);
  const models = [...project.nodes.values()].filter(
    (n): n is ModelNode => n.kind === 'model' && n.materialized === 'incremental',
  );
  for (const m of models) {
    await duck.run(`UPDATE ${m.relation} SET _watermark = ''`);
    psql(conninfo, ['-c', `UPDATE ${m.relation} SET _watermark = ''`]);
  }
  const diffs: RelationDiff[] = [];
  for (const m of models) {
    const duckSql = renderModel(project, m, { isIncremental: true });
    const pgSql = renderModel(project, m, { isIncremental: true, adapterType: 'postgres' });
    const probe = await duck.runAndReadAll(`SELECT * FROM (${duckSql}) AS q LIMIT 0`);
    const doubles = probe.columnTypes().map((t) => /^(DOUBLE|FLOAT|REAL)$/.test(String(t)));
    const label = `${m.relation} (incremental select)`;
    diffs.push(
      await compareRows(
        duck,
        pg,
        label,
        probe.columnNames(),
        doubles,
        `(${duckSql}) AS q`,
        `(${pgSql}) AS q`,
      ),
    );
  }
  return diffs;
}

/** What the Cube model computes over mart_ar_kpis_monthly: the SQL functions of both engines. */
const CUBE_MEASURES: readonly [string, string, boolean][] = [
  ['total_ar', 'ar_last_sum(period_end_date, ending_ar_rc)', false],
  ['beginning_ar', 'ar_first_sum(period_end_date, beginning_ar_rc)', false],
  ['back_sales', 'ar_last_list_sum(period_end_date, back_sales_rc)', false],
  ['back_days', 'arg_max(back_days, period_end_date)', false],
  [
    'dso_raw',
    'kpi_dso(ar_last_sum(period_end_date, ending_ar_rc), sum(credit_sales_rc), sum(days_in_period))',
    true,
  ],
  [
    'dso',
    'round(kpi_dso(ar_last_sum(period_end_date, ending_ar_rc), sum(credit_sales_rc), sum(days_in_period)), 2)',
    true,
  ],
  [
    'countback_raw',
    'ar_countback_days(ar_last_sum(period_end_date, ending_ar_rc), ' +
      'ar_last_list_sum(period_end_date, back_sales_rc), arg_max(back_days, period_end_date))',
    true,
  ],
  [
    'countback',
    'round(ar_countback_days(ar_last_sum(period_end_date, ending_ar_rc), ' +
      'ar_last_list_sum(period_end_date, back_sales_rc), arg_max(back_days, period_end_date)), 2)',
    true,
  ],
  [
    'best_possible_dso',
    'round(kpi_best_possible_dso(ar_last_sum(period_end_date, ending_current_ar_rc), ' +
      'sum(credit_sales_rc), sum(days_in_period)), 2)',
    true,
  ],
  [
    'cei_raw',
    'kpi_cei(ar_first_sum(period_end_date, beginning_ar_rc), sum(credit_sales_rc), ' +
      'ar_last_sum(period_end_date, ending_ar_rc), ar_last_sum(period_end_date, ending_current_ar_rc))',
    true,
  ],
  ['bad_debt_rate', 'round(kpi_bad_debt_rate(sum(write_offs_rc), sum(credit_sales_rc)), 6)', true],
  ['on_time_ratio', 'round(kpi_safe_ratio(sum(on_time_invoice_count), sum(settled_invoice_count)), 6)', true],
  ['days_to_pay_raw', 'kpi_safe_ratio(sum(sum_days_to_pay), sum(paid_invoice_count))', true],
];

/**
 * The Cube model's SQL functions on both engines (DuckDB: the cubeSqlFunctions() macros; PostgreSQL:
 * warehouse/pg/functions.sql and postgresKpiFunctions(), called unqualified with `arlens` on the
 * search_path as Cube's role will), over mart_ar_kpis_monthly grouped as the dashboard groups it:
 * region x quarter, all x year, salesperson x month. Doubles must be the same doubles.
 */
export async function compareCubeFunctions(
  duck: DuckDBConnection,
  conninfo: string,
): Promise<RelationDiff[]> {
  for (const statement of cubeSqlFunctions()) await duck.run(statement);
  psql(conninfo, ['-c', postgresKpiFunctions().join(';\n')]);
  const pg = psqlQuery(conninfo, 'SET search_path = public, arlens');
  const select = (group: string, period: string, month: string) =>
    `(SELECT ${group} AS g, CAST(date_trunc('${period}', ${month}) AS date) AS p, ` +
    `${CUBE_MEASURES.map(([name, sql]) => `${sql} AS ${name}`).join(', ')} ` +
    `FROM marts.mart_ar_kpis_monthly GROUP BY 1, 2) AS q`;
  const columns = ['g', 'p', ...CUBE_MEASURES.map(([name]) => name)];
  const doubles = [false, false, ...CUBE_MEASURES.map(([, , d]) => d)];
  const diffs: RelationDiff[] = [];
  for (const [label, group, period] of [
    ['region x quarter', 'region', 'quarter'],
    ['all x year', "'all'", 'year'],
    ['salesperson x month', 'salesperson', 'month'],
  ] as const) {
    diffs.push(
      await compareRows(
        duck,
        pg,
        `Cube functions, ${label}`,
        columns,
        doubles,
        select(group, period, 'month_start'),
        select(group, period, 'CAST(month_start AS timestamp)'),
      ),
    );
  }
  return diffs;
}

/** Every data test of the project on both engines: the same number of failing rows. */
export async function compareDataTests(
  duck: DuckDBConnection,
  conninfo: string,
): Promise<{ name: string; duckdb: string; postgres: string }[]> {
  const project = await parseProject(join(ROOT, 'models'));
  const pg = psqlQuery(conninfo);
  const out: { name: string; duckdb: string; postgres: string }[] = [];
  for (const node of project.nodes.values()) {
    if (node.kind !== 'test') continue;
    const duckSql = renderTest(project, node, { isIncremental: false });
    const pgSql = renderTest(project, node, { isIncremental: false, adapterType: 'postgres' });
    const [duckCount] = (await duck.runAndReadAll(`SELECT count(*) FROM (${duckSql}) AS q`)).getRows()[0]!;
    const [pgCount] = (await pg(`SELECT count(*) FROM (${pgSql}) AS q`))[0]!;
    out.push({ name: node.name, duckdb: String(duckCount), postgres: String(pgCount) });
  }
  return out;
}

export const isEqual = (d: RelationDiff) =>
  d.columnMismatch === null && d.onlyDuckdb.length === 0 && d.onlyPostgres.length === 0;

/** A PgQuery through the psql client (text COPY output: tab-separated, \N for NULL, escapes). */
export function psqlQuery(conninfo: string, prelude?: string): PgQuery {
  const unescape = (cell: string) =>
    cell === '\\N'
      ? null
      : cell.replace(
          /\\(.)/g,
          (_, c: string) => ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v' })[c] ?? c,
        );
  return async (sql) => {
    const out = psql(conninfo, [...(prelude ? ['-c', prelude] : []), '-c', `COPY (${sql}) TO STDOUT`]);
    return out === ''
      ? []
      : out
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => l.split('\t').map(unescape));
  };
}

function psql(conninfo: string, args: string[]): string {
  return execFileSync('psql', [conninfo, '-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
}

/** Copy the tables of `schemas` from DuckDB into PostgreSQL (created there; the schemas must not exist). */
export async function copyTables(
  duck: DuckDBConnection,
  conninfo: string,
  schemas: readonly string[],
  scratchDir: string,
): Promise<void> {
  const cols = (
    await duck.runAndReadAll(
      `SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema IN (${schemas.map((s) => `'${s.replace(/'/g, "''")}'`).join(', ')})
       ORDER BY table_schema, table_name, ordinal_position`,
    )
  ).getRows() as [string, string, string, string][];
  const tables = new Map<string, [string, string][]>();
  for (const [s, t, c, d] of cols) {
    const key = `${quoted(s)}.${quoted(t)}`;
    tables.set(key, [...(tables.get(key) ?? []), [c, d]]);
  }
  const script = [...schemas.map((s) => `CREATE SCHEMA ${quoted(s)};`)];
  let n = 0;
  for (const [table, columns] of tables) {
    const file = join(scratchDir, `t${n++}.csv`);
    await duck.run(`COPY ${table} TO '${file.replace(/'/g, "''")}' (HEADER, FORMAT csv)`);
    script.push(
      `CREATE TABLE ${table} (${columns.map(([c, d]) => `${quoted(c)} ${pgType(d)}`).join(', ')});`,
    );
    script.push(`\\copy ${table} FROM '${file}' (FORMAT csv, HEADER)`);
  }
  const path = join(scratchDir, 'load.sql');
  await fs.writeFile(path, script.join('\n') + '\n');
  psql(conninfo, ['-f', path]);
}

/** Build the demo on DuckDB, the same models on PostgreSQL from the same raw rows, compare all. */
export interface DemoEquality {
  readonly relations: RelationDiff[];
  readonly cube: RelationDiff[];
  readonly incremental: RelationDiff[];
  readonly dataTests: { name: string; duckdb: string; postgres: string }[];
}

export async function demoEquality(conninfo: string, invoices: number): Promise<DemoEquality> {
  const root = await tempDir('arlens-pg-equal-');
  try {
    const wh = await demoWarehouse(root, invoices);
    // The demo is this run's own copy: attached read-write so the incremental check can reset it.
    const instance = await DuckDBInstance.create(':memory:');
    const duck = await instance.connect();
    await duck.run(`ATTACH '${join(wh, 'current.duckdb').replace(/'/g, "''")}' AS wh; USE wh`);
    try {
      await copyTables(duck, conninfo, ['raw', 'worklist'], root);
      psql(conninfo, ['-f', join(ROOT, 'warehouse', 'pg', 'functions.sql')]);
      const { sql, relations } = await postgresBuild(join(ROOT, 'models'));
      const buildFile = join(root, 'build.sql');
      // The session zone must not matter (dates go through timestamp): build in a non-UTC zone.
      await fs.writeFile(buildFile, `SET TIME ZONE 'Asia/Tokyo';\n${sql}\n`);
      psql(conninfo, ['-f', buildFile]);
      const pg = psqlQuery(conninfo);
      const diffs: RelationDiff[] = [];
      for (const r of relations) diffs.push(await compareRelation(duck, pg, r.relation));
      const dataTests = await compareDataTests(duck, conninfo);
      const cube = await compareCubeFunctions(duck, conninfo);
      const incremental = await compareIncrementalSelects(duck, conninfo);
      return { relations: diffs, cube, incremental, dataTests };
    } finally {
      duck.closeSync();
      instance.closeSync();
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** The columns of int_ar_monthly_components, as the KPI vectors give them, in PostgreSQL types. */
const COMPONENT_COLUMNS: readonly [string, string][] = [
  ['month_start', 'date'],
  ['period_end_date', 'date'],
  ['region', 'varchar'],
  ['product_line', 'varchar'],
  ['salesperson', 'varchar'],
  ['days_in_period', 'bigint'],
  ['credit_sales_rc', 'numeric(18,2)'],
  ['invoice_count', 'bigint'],
  ['unconverted_invoice_count', 'bigint'],
  ['beginning_ar_rc', 'numeric(18,2)'],
  ['ending_ar_rc', 'numeric(18,2)'],
  ['ending_current_ar_rc', 'numeric(18,2)'],
  ['ending_overdue_ar_rc', 'numeric(18,2)'],
  ['unconverted_open_count', 'bigint'],
  ['collections_rc', 'numeric(18,2)'],
  ['write_offs_rc', 'numeric(18,2)'],
  ['settled_invoice_count', 'bigint'],
  ['on_time_invoice_count', 'bigint'],
  ['paid_invoice_count', 'bigint'],
  ['sum_days_to_pay', 'bigint'],
  ['sum_days_beyond_terms', 'bigint'],
];

export interface VectorResult {
  readonly name: string;
  /** Cells compared, and those that differ: `month column: expected … got …`. */
  readonly compared: number;
  readonly differences: readonly string[];
}

const literal = (v: unknown) =>
  v === null || v === undefined ? 'NULL' : `'${String(v).replace(/'/g, "''")}'`;

/**
 * The hand-computed KPI vectors (the unit_tests of mart_ar_kpis_monthly.yml) on PostgreSQL: each
 * vector's given rows become intermediate.int_ar_monthly_components (columns not given are NULL, as
 * in a dbt unit test), mart_ar_kpis_monthly compiled for postgres is built from them, and every
 * expected cell must come back as the same text (money and ratios at their scale). Uses the schemas
 * intermediate and marts of the database (dropped and recreated).
 */
export async function kpiVectorsOnPostgres(conninfo: string): Promise<VectorResult[]> {
  const projectDir = join(ROOT, 'models');
  const yml = parseYaml(
    await fs.readFile(join(projectDir, 'models', 'marts', 'mart_ar_kpis_monthly.yml'), 'utf8'),
  ) as {
    unit_tests: {
      name: string;
      given: { input: string; rows: Record<string, unknown>[] }[];
      expect: { rows: Record<string, unknown>[] };
    }[];
  };
  const project = await parseProject(projectDir);
  const mart = [...project.nodes.values()].find(
    (n): n is ModelNode => n.kind === 'model' && n.name === 'mart_ar_kpis_monthly',
  );
  if (!mart) throw new Error('no model mart_ar_kpis_monthly');
  const sql = renderModel(project, mart, { isIncremental: false, adapterType: 'postgres' });
  psql(conninfo, ['-f', join(ROOT, 'warehouse', 'pg', 'functions.sql')]);
  const pg = psqlQuery(conninfo);
  const results: VectorResult[] = [];
  for (const vector of yml.unit_tests) {
    const given = vector.given.find((g) => g.input.includes('int_ar_monthly_components'));
    if (!given || vector.given.length !== 1) throw new Error(`${vector.name}: expected one given input`);
    const inserts = given.rows.map(
      (row) =>
        `INSERT INTO intermediate.int_ar_monthly_components VALUES (${COMPONENT_COLUMNS.map(
          ([c, t]) => `${literal(row[c])}::${t}`,
        ).join(', ')});`,
    );
    psql(conninfo, [
      '-c',
      [
        'SET client_min_messages = warning;',
        'DROP SCHEMA IF EXISTS marts CASCADE; DROP SCHEMA IF EXISTS intermediate CASCADE;',
        'CREATE SCHEMA intermediate; CREATE SCHEMA marts;',
        `CREATE TABLE intermediate.int_ar_monthly_components (${COMPONENT_COLUMNS.map(([c, t]) => `${c} ${t}`).join(', ')});`,
        ...inserts,
        "SET TIME ZONE 'Asia/Tokyo';",
        `CREATE TABLE ${mart.relation} AS ${sql};`,
      ].join('\n'),
    ]);
    const columns = [...new Set(vector.expect.rows.flatMap((r) => Object.keys(r)))];
    const rows = await pg(
      `SELECT ${columns.map((c) => `${quoted(c)}::text`).join(', ')} FROM ${mart.relation} ORDER BY month_start`,
    );
    const differences: string[] = [];
    let compared = 0;
    if (rows.length !== vector.expect.rows.length) {
      differences.push(`expected ${vector.expect.rows.length} rows, got ${rows.length}`);
    }
    for (const [i, expected] of vector.expect.rows.entries()) {
      for (const [j, column] of columns.entries()) {
        const want =
          expected[column] === undefined
            ? undefined
            : expected[column] === null
              ? null
              : String(expected[column]);
        if (want === undefined) continue;
        const got = rows[i]?.[j] ?? null;
        compared++;
        if (got !== want)
          differences.push(`${String(expected['month_start'])} ${column}: expected ${want} got ${got}`);
      }
    }
    results.push({ name: vector.name, compared, differences });
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const conninfo = arg('--pg');
  if (!conninfo) {
    console.error(
      "usage: npx tsx tests/pg/marts-equal.ts --pg '<libpq conninfo or URL>' [--invoices 3000 | --kpi-vectors]",
    );
    process.exit(2);
  }
  if (process.argv.includes('--kpi-vectors')) {
    const results = await kpiVectorsOnPostgres(conninfo);
    for (const r of results) {
      console.log(`${r.differences.length === 0 ? 'EQUAL' : 'DIFF '} ${r.name}: ${r.compared} cells`);
      for (const d of r.differences) console.log(`  ${d}`);
    }
    process.exit(results.every((r) => r.differences.length === 0) ? 0 : 1);
  }
  const { relations, cube, incremental, dataTests } = await demoEquality(
    conninfo,
    Number(arg('--invoices') ?? 3000),
  );
  const diffs = [...relations, ...cube, ...incremental];
  for (const d of diffs) {
    const rows = `rows ${d.duckdbRows}/${d.postgresRows}`;
    console.log(
      `${isEqual(d) ? 'EQUAL' : 'DIFF '} ${d.relation} ${rows}${d.columnMismatch ? ` ${d.columnMismatch}` : ''}`,
    );
    for (const l of d.onlyDuckdb.slice(0, 3)) console.log(`  only DuckDB:     ${l.slice(0, 400)}`);
    for (const l of d.onlyPostgres.slice(0, 3)) console.log(`  only PostgreSQL: ${l.slice(0, 400)}`);
  }
  const testDiffs = dataTests.filter((t) => t.duckdb !== t.postgres);
  for (const t of testDiffs)
    console.log(`DIFF  data test ${t.name}: DuckDB ${t.duckdb} PostgreSQL ${t.postgres} failing rows`);
  const failed = diffs.filter((d) => !isEqual(d)).length;
  console.log(
    `${relations.length - relations.filter((d) => !isEqual(d)).length} of ${relations.length} relations equal`,
  );
  console.log(
    `${cube.length - cube.filter((d) => !isEqual(d)).length} of ${cube.length} Cube function groupings equal`,
  );
  console.log(
    `${incremental.length - incremental.filter((d) => !isEqual(d)).length} of ${incremental.length} incremental selects equal`,
  );
  console.log(
    `${dataTests.length - testDiffs.length} of ${dataTests.length} data tests with the same failing rows`,
  );
  process.exit(failed === 0 && testDiffs.length === 0 ? 0 : 1);
}
