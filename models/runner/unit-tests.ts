/**
 * dbt unit tests: run a model's SQL on given rows instead of its inputs and compare the result with
 * the expected rows.
 *
 * Every relation the model reads becomes a CTE: the given rows (values bound, cast to the column types
 * the input has in the warehouse being built, as dbt does), or no rows when the test gives none. Only
 * the columns the expected rows name (the same in every row) are compared, order-insensitively, as
 * the strings DuckDB's JSON conversion gives (so 1.5 expected and DECIMAL 1.50 actual agree once cast
 * to the output's type).
 */
import type { Cell, Row } from '../../warehouse/convert.ts';
import { ident, Params, type SqlParam } from '../../warehouse/duckdb.ts';
import type { SqlSession } from '../../warehouse/session.ts';
import { builtRelation, renderModel, type RenderOptions } from './compile.ts';
import type { ColumnType, Executor } from './executor.ts';
import type { ModelNode, Project, SourceNode, UnitTestNode } from './project.ts';

export interface UnitTestOutcome {
  /** The model's SQL on the given rows (its values bound: see the build's statements). */
  readonly sql: string;
  /** Expected rows missing from the result plus result rows not expected. */
  readonly differences: number;
  readonly message: string;
}

function bindable(value: unknown): SqlParam {
  if (value === null || value === undefined) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A select of `rows` with exactly `columns` (missing keys are NULL); no rows: an empty relation. */
function rowsSql(
  columns: readonly ColumnType[],
  rows: readonly Record<string, unknown>[],
  p: Params,
  where: string,
) {
  const known = new Set(columns.map((c) => c.name));
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!known.has(key)) {
        throw new Error(`${where}: there is no column ${key} (columns: ${[...known].join(', ')})`);
      }
    }
  }
  const select = (row: Record<string, unknown> | undefined) =>
    'select ' +
    columns
      .map((c) => {
        const value = row === undefined ? null : bindable(row[c.name]);
        return `cast(${value === null ? 'null' : p.add(value)} as ${c.type}) as ${ident(c.name)}`;
      })
      .join(', ');
  if (rows.length === 0) return `${select(undefined)} where false`;
  return rows.map(select).join('\nunion all\n');
}

/**
 * The columns of an input: a relation's from the warehouse; an ephemeral model's, or the model's own
 * (`this`, which may not exist yet), from its compiled SQL.
 */
async function inputColumns(
  session: SqlSession,
  project: Project,
  node: ModelNode | SourceNode,
  self: boolean,
  render: UnitTestRender,
): Promise<ColumnType[]> {
  if (self || (node.kind === 'model' && node.materialized === 'ephemeral')) {
    const sql = renderModel(project, node as ModelNode, { ...render, isIncremental: false });
    return session.describe(`SELECT * FROM (\n${sql}\n) AS ${ident('__dbt__describe')}`);
  }
  const relation = node.kind === 'model' ? builtRelation(node, render.schemaMap) : node.relation;
  try {
    return await session.describe(relation);
  } catch (e) {
    throw new Error(
      `cannot read the column types of ${relation} from the warehouse (${(e as Error).message}); ` +
        `build it first, e.g. arlens build --select +${node.name}`,
      { cause: e },
    );
  }
}

const cellText = (c: Cell | undefined): string | null =>
  c === null || c === undefined ? null : typeof c === 'string' ? c : JSON.stringify(c);

/** Rows as lists of strings in `columns` order; the multiset difference both ways. */
export function diffRows(columns: readonly string[], expected: readonly Row[], actual: readonly Row[]) {
  const key = (row: Row) => JSON.stringify(columns.map((c) => cellText(row[c])));
  const left = new Map<string, number>();
  for (const row of actual) left.set(key(row), (left.get(key(row)) ?? 0) + 1);
  const missing: (string | null)[][] = [];
  for (const row of expected) {
    const k = key(row);
    const n = left.get(k) ?? 0;
    if (n > 0) left.set(k, n - 1);
    else missing.push(JSON.parse(k) as (string | null)[]);
  }
  const unexpected = [...left].flatMap(([k, n]) =>
    Array.from({ length: n }, () => JSON.parse(k) as (string | null)[]),
  );
  const order = (a: (string | null)[], b: (string | null)[]) =>
    JSON.stringify(a).localeCompare(JSON.stringify(b));
  return { missing: missing.sort(order), unexpected: unexpected.sort(order) };
}

/** A diff as a table: `-` an expected row the model did not return, `+` a row it returned unexpectedly. */
export function formatDiff(
  columns: readonly string[],
  missing: readonly (string | null)[][],
  unexpected: readonly (string | null)[][],
): string {
  const lines = [
    ['', ...columns],
    ...missing.map((r) => ['-', ...r.map((c) => c ?? 'NULL')]),
    ...unexpected.map((r) => ['+', ...r.map((c) => c ?? 'NULL')]),
  ];
  const widths = lines[0]?.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length))) ?? [];
  return lines.map((l) => `  ${l.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')}`.trimEnd()).join('\n');
}

/**
 * The columns the expected rows name: every row must name the same ones (dbt compares the first row's
 * columns and cannot union rows of different shapes). Null when no rows are expected: all columns.
 */
function expectedColumns(rows: readonly Record<string, unknown>[]): string[] | null {
  const first = rows[0];
  if (first === undefined) return null;
  const columns = Object.keys(first);
  const key = (r: Record<string, unknown>) => Object.keys(r).sort().join(', ');
  const other = rows.findIndex((r) => key(r) !== key(first));
  if (other >= 0) {
    throw new Error(
      `every expected row must name the same columns: row 1 names ${key(first)}, ` +
        `row ${other + 1} names ${key(rows[other] ?? {})}`,
    );
  }
  return columns;
}

/** Where the build puts models and for which engine (see RunOptions in index.ts). */
type UnitTestRender = Pick<RenderOptions, 'schemaMap' | 'adapterType'>;

export async function runUnitTest(
  exec: Executor,
  project: Project,
  test: UnitTestNode,
  render: UnitTestRender = {},
): Promise<UnitTestOutcome> {
  const model = project.nodes.get(test.model) as ModelNode;
  const given = new Map(test.given.map((g) => [g.node, g]));
  const p = new Params();
  const ctes: string[] = [];
  const inputs = new Map<string, string>();
  for (const id of given.has('this') ? [...model.dependsOn, 'this'] : model.dependsOn) {
    const node = id === 'this' ? model : (project.nodes.get(id) as ModelNode | SourceNode);
    const input = given.get(id);
    const name = ident(`__dbt__unit__${id === 'this' ? 'this' : node.name}`);
    const columns = await inputColumns(exec.session, project, node, id === 'this', render);
    ctes.push(`${name} as (\n${rowsSql(columns, input?.rows ?? [], p, `given ${input?.input}`)}\n)`);
    inputs.set(id, name);
  }
  const body = renderModel(project, model, {
    ...render,
    isIncremental: test.isIncremental,
    vars: test.vars,
    relationOf: (n) => inputs.get(n.id),
    ...(inputs.has('this') ? { this: inputs.get('this') } : {}),
  });
  const sql =
    ctes.length === 0
      ? body
      : `with ${ctes.join(',\n')}\nselect * from (\n${body}\n) as ${ident('__dbt__unit')}`;

  const output = await exec.session.describe(sql, p.values);
  const columns = expectedColumns(test.expect) ?? output.map((c) => c.name);
  const absent = columns.filter((c) => !output.some((o) => o.name === c));
  if (absent.length > 0) {
    throw new Error(
      `expect names ${absent.join(', ')}, which ${model.name} does not return ` +
        `(it returns ${output.map((c) => c.name).join(', ')})`,
    );
  }
  const list = columns.map(ident).join(', ');
  const actual = await exec.rows(
    test.id,
    `select ${list} from (\n${sql}\n) as ${ident('__dbt__actual')}`,
    p.values,
  );
  const typed = columns.map((c) => output.find((o) => o.name === c) as ColumnType);
  const e = new Params();
  const expected =
    test.expect.length === 0
      ? []
      : await exec.rows(test.id, rowsSql(typed, test.expect, e, 'expect'), e.values);
  const { missing, unexpected } = diffRows(columns, expected, actual);
  const differences = missing.length + unexpected.length;
  return {
    sql,
    differences,
    message:
      differences === 0
        ? `${actual.length} row(s) as expected`
        : `actual differs from expected (- expected, not returned; + returned, not expected):\n` +
          formatDiff(columns, missing, unexpected),
  };
}
