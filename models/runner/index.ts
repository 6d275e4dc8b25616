/**
 * ARLens's dbt runner: builds the dbt project in models/ on DuckDB, without Python (or, through
 * `buildInConnection` on a PgSession, on PostgreSQL: the same nodes, the engine's own materializations).
 *
 * `build()` parses the project, then in a new warehouse generation (warehouse/store.ts) runs every
 * selected node in dbt's build order: a model's unit tests, the model, its data tests, then its
 * children. A node whose upstream failed is skipped. If any node fails (an error, or a failing test of
 * severity error), nothing is published: the warehouse stays as it was and run_results.json says why.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { asSession, type SqlSession } from '../../warehouse/session.ts';
import { sortableRunId, withNextGeneration } from '../../warehouse/store.ts';
import { builtModel, renderModel, renderPostHooks, renderTest, type RenderOptions } from './compile.ts';
import { countFailures, failuresSql } from './data-tests.ts';
import { Executor, type ExecutedStatement } from './executor.ts';
import { buildPlan, selectNodes } from './graph.ts';
import { carryOver, incrementalState, materialize, seedIncremental } from './materialize.ts';
import { parseProject, type DataTestNode, type ModelNode, type Node, type Project } from './project.ts';
import {
  manifestOf,
  writeJsonFile,
  writeRunLog,
  type Manifest,
  type NodeResult,
  type NodeStatus,
  type RunResults,
} from './run-log.ts';
import { runUnitTest } from './unit-tests.ts';

export { compile, type CompiledNode, type CompiledProject } from './compile.ts';
export { parseProject, type Project } from './project.ts';
export type { ExecutedStatement } from './executor.ts';
export type { Manifest, NodeResult, NodeStatus, RunResults } from './run-log.ts';

export interface NodeRef {
  readonly id: string;
  readonly kind: NodeResult['kind'];
  readonly name: string;
}

/** Progress for the CLI. Skipped nodes get a `node-done` (status skipped) without a `node-start`. */
export type BuildEvent =
  | { kind: 'plan'; nodes: readonly NodeRef[] }
  | { kind: 'node-start'; index: number; total: number; node: NodeRef }
  | { kind: 'node-done'; index: number; total: number; result: NodeResult }
  | { kind: 'publishing' };

export interface BuildOptions {
  readonly projectDir: string;
  readonly warehouseDir: string;
  readonly select?: readonly string[];
  readonly exclude?: readonly string[];
  /** Rebuild incremental models from scratch. */
  readonly fullRefresh?: boolean;
  /** Over the project's vars (dbt's --vars). */
  readonly vars?: Readonly<Record<string, unknown>>;
  readonly onEvent?: (e: BuildEvent) => void;
  /**
   * Run in the build's private generation before any model (`arlens build` copies what the
   * operational store holds for the models into the warehouse here).
   */
  readonly prepare?: (conn: DuckDBConnection) => Promise<void>;
}

export type RunOptions = Pick<BuildOptions, 'select' | 'exclude' | 'fullRefresh' | 'onEvent'> & {
  readonly runId?: string;
  /** Build models in these schemas instead of their own (RenderOptions.schemaMap); sources stay. */
  readonly schemaMap?: ReadonlyMap<string, string>;
  /** Write the run log at the end (default); a swap build writes it in its publish transaction instead. */
  readonly writeRunLog?: boolean;
  /**
   * With `schemaMap` (a selected swap build on PostgreSQL): carry every model the selection leaves out
   * from its published relation into the build schemas (materialize.ts `carryOver`), in build order
   * among the selected nodes — a carried view may read a selected model, and a selected model a
   * carried one. Carried models are not in the results, unless carrying one fails (an error).
   */
  readonly carryOver?: boolean;
};

/** What every render of a build shares: where models are built, and for which engine. */
type BuildRender = Pick<RenderOptions, 'schemaMap' | 'adapterType'>;

export interface BuildReport {
  readonly runId: string;
  readonly generatedAt: string;
  readonly elapsedMs: number;
  readonly success: boolean;
  /** One per selected model, data test and unit test, in the order they ran. */
  readonly results: readonly NodeResult[];
  /** Every statement the runner ran for the nodes, in order (catalog look-ups and the run log aside). */
  readonly statements: readonly ExecutedStatement[];
  readonly manifest: Manifest;
}

export class BuildFailedError extends Error {
  constructor(
    message: string,
    readonly report: BuildReport,
  ) {
    super(message);
    this.name = 'BuildFailedError';
  }
}

export function runResultsOf(report: BuildReport): RunResults {
  return {
    run_id: report.runId,
    generated_at: report.generatedAt,
    elapsed_ms: Math.round(report.elapsedMs),
    success: report.success,
    results: report.results,
  };
}

interface Outcome {
  readonly status: NodeStatus;
  readonly rowsAffected: number | null;
  readonly failures: number | null;
  readonly message: string;
  readonly compiledSql: string | null;
}

async function runModel(
  exec: Executor,
  project: Project,
  model: ModelNode,
  fullRefresh: boolean,
  render: BuildRender,
): Promise<Outcome> {
  const built = builtModel(model, render.schemaMap);
  if (built !== model && model.materialized === 'incremental' && !fullRefresh) {
    await seedIncremental(exec, model, built);
  }
  let state = await incrementalState(exec.session, built, fullRefresh);
  let note = '';
  if (state.isIncremental) {
    // A table built by an older version of the model (a column added since) cannot take incremental
    // rows that are exact: rebuild it in full, and say so.
    const have = new Set((await exec.session.describe(built.relation)).map((c) => c.name));
    const full = renderModel(project, model, { ...render, isIncremental: false });
    const missing = (await exec.session.describe(`(${full})`)).map((c) => c.name).filter((c) => !have.has(c));
    if (missing.length > 0) {
      state = { ...state, isIncremental: false };
      note = ` (full rebuild: the table had no ${missing.join(', ')}, added to the model since it was built)`;
    }
  }
  const sql = renderModel(project, model, { ...render, isIncremental: state.isIncremental });
  const done = await materialize(exec, built, sql, state);
  const hooks = renderPostHooks(project, model, { ...render, isIncremental: state.isIncremental });
  for (const hook of hooks) await exec.run(model.id, hook);
  return {
    status: 'success',
    rowsAffected: done.rows,
    failures: null,
    message: done.message + note,
    compiledSql: hooks.length > 0 ? [sql, ...hooks].join(';\n') : sql,
  };
}

async function runDataTest(
  exec: Executor,
  project: Project,
  test: DataTestNode,
  render: BuildRender,
): Promise<Outcome> {
  const sql = renderTest(project, test, { ...render, isIncremental: false });
  const failures = await countFailures(exec, test.id, sql);
  const status = failures === 0 ? 'success' : test.severity === 'warn' ? 'warn' : 'error';
  const message = failures === 0 ? 'pass' : `${failures} failing row(s) (severity ${test.severity})`;
  return { status, rowsAffected: null, failures, message, compiledSql: failuresSql(sql) };
}

async function runNode(
  exec: Executor,
  project: Project,
  node: Node,
  fullRefresh: boolean,
  render: BuildRender,
): Promise<Outcome> {
  switch (node.kind) {
    case 'model':
      return runModel(exec, project, node, fullRefresh, render);
    case 'test':
      return runDataTest(exec, project, node, render);
    case 'unit_test': {
      const u = await runUnitTest(exec, project, node, render);
      const status = u.differences === 0 ? 'success' : 'error';
      return { status, rowsAffected: null, failures: u.differences, message: u.message, compiledSql: u.sql };
    }
    case 'source':
      throw new Error(`internal: sources are not run (${node.id})`);
  }
}

function failureSummary(results: readonly NodeResult[]): string {
  return results
    .filter((r) => r.status === 'error')
    .map((r) => `${r.kind} ${r.name} (${r.path}): ${r.message}`)
    .join('\n');
}

/**
 * Carry `model` (left out of the selection) into the build schemas (RunOptions.carryOver). Null when
 * done (or not to be done: an upstream selected node failed, and nothing will be published); the
 * error's result when it failed.
 */
async function carryModel(
  exec: Executor,
  project: Project,
  model: ModelNode,
  render: BuildRender,
  run: boolean,
): Promise<Omit<NodeResult, 'startedAt' | 'durationMs'> | null> {
  if (!run) return null;
  try {
    await carryOver(exec, model, builtModel(model, render.schemaMap), () =>
      renderModel(project, model, { ...render, isIncremental: false }),
    );
    return null;
  } catch (e) {
    return {
      nodeId: model.id,
      name: model.name,
      kind: 'model',
      path: model.path,
      status: 'error',
      rowsAffected: null,
      failures: null,
      message:
        `not selected, and carrying its published relation ${model.relation} into the build failed: ` +
        `${(e as Error).message}. Select it too, or run the full build.`,
      compiledSql: null,
    };
  }
}

/**
 * Run the selected nodes of `project` in `target` (a DuckDB connection, or a session on either engine)
 * and, when all pass, write the run log and manifest there too. Throws BuildFailedError (with the
 * report) when a node fails; the caller discards the connection's database then (build() does,
 * through its warehouse generation).
 */
export async function buildInConnection(
  target: DuckDBConnection | SqlSession,
  project: Project,
  options: RunOptions = {},
): Promise<BuildReport> {
  const session = asSession(target);
  const render: BuildRender = {
    adapterType: session.dialect,
    ...(options.schemaMap ? { schemaMap: options.schemaMap } : {}),
  };
  const started = performance.now();
  const runId = options.runId ?? sortableRunId();
  const selected = selectNodes(project.nodes, options.select, options.exclude);
  const carried = new Set(
    options.carryOver && options.schemaMap
      ? [...project.nodes.values()].flatMap((n) =>
          n.kind === 'model' && n.materialized !== 'ephemeral' && !selected.has(n.id) ? [n.id] : [],
        )
      : [],
  );
  const { order, blockers } = buildPlan(project.nodes, new Set([...selected, ...carried]));
  const refs = order
    .filter((id) => !carried.has(id))
    .map((id): NodeRef => {
      const n = project.nodes.get(id) as Exclude<Node, { kind: 'source' }>;
      return { id, kind: n.kind, name: n.name };
    });
  options.onEvent?.({ kind: 'plan', nodes: refs });
  const exec = new Executor(session);
  const status = new Map<string, NodeStatus>();
  const results: NodeResult[] = [];
  let index = -1;
  for (const id of order) {
    const node = project.nodes.get(id) as Node;
    const t0 = performance.now();
    const startedAt = new Date().toISOString();
    const failed = (blockers.get(id) ?? []).find((b) => ['error', 'skipped'].includes(status.get(b) ?? ''));
    if (carried.has(id)) {
      const model = node as ModelNode;
      const result = await carryModel(exec, project, model, render, failed === undefined);
      status.set(id, result === null ? (failed === undefined ? 'success' : 'skipped') : 'error');
      if (result) results.push({ ...result, startedAt, durationMs: performance.now() - t0 });
      continue;
    }
    index += 1;
    const ref = refs[index] as NodeRef;
    let outcome: Outcome;
    if (failed !== undefined) {
      const blocker = project.nodes.get(failed);
      outcome = {
        status: 'skipped',
        rowsAffected: null,
        failures: null,
        message: `skipped: upstream ${blocker?.kind} ${blocker?.name} did not succeed`,
        compiledSql: null,
      };
    } else {
      options.onEvent?.({ kind: 'node-start', index, total: refs.length, node: ref });
      try {
        outcome = await runNode(exec, project, node, options.fullRefresh ?? false, render);
      } catch (e) {
        outcome = {
          status: 'error',
          rowsAffected: null,
          failures: null,
          message: (e as Error).message,
          compiledSql: null,
        };
      }
    }
    status.set(ref.id, outcome.status);
    const result: NodeResult = {
      nodeId: ref.id,
      name: ref.name,
      kind: ref.kind,
      path: node.path,
      startedAt,
      durationMs: performance.now() - t0,
      ...outcome,
    };
    results.push(result);
    options.onEvent?.({ kind: 'node-done', index, total: refs.length, result });
  }
  const generatedAt = new Date().toISOString();
  const report: BuildReport = {
    runId,
    generatedAt,
    elapsedMs: performance.now() - started,
    success: results.every((r) => r.status !== 'error'),
    results,
    statements: exec.statements,
    manifest: manifestOf(project, runId, generatedAt),
  };
  if (!report.success) throw new BuildFailedError(`Build failed:\n${failureSummary(results)}`, report);
  if (options.writeRunLog ?? true) await writeRunLog(session, runResultsOf(report), report.manifest);
  return report;
}

/** Parse the project and build it into a new warehouse generation, published only when all passes. */
export async function build(o: BuildOptions): Promise<BuildReport> {
  const project = await parseProject(o.projectDir, o.vars);
  let report: BuildReport;
  try {
    report = await withNextGeneration(
      o.warehouseDir,
      'build',
      async (conn) => {
        await o.prepare?.(conn);
        return buildInConnection(conn, project, o);
      },
      {
        beforePublish: async () => o.onEvent?.({ kind: 'publishing' }),
      },
    );
  } catch (e) {
    if (!(e instanceof BuildFailedError)) throw e;
    const path = await writeJsonFile(o.warehouseDir, 'run_results.json', runResultsOf(e.report));
    throw new BuildFailedError(
      `${e.message}\nNothing was published: the warehouse is as it was. Every node's result: ${path}`,
      e.report,
    );
  }
  await writeJsonFile(o.warehouseDir, 'manifest.json', report.manifest);
  await writeJsonFile(o.warehouseDir, 'run_results.json', runResultsOf(report));
  return report;
}
