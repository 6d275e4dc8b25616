/**
 * Render nodes to the SQL that runs: refs resolve to relations (ephemeral models become CTEs), and
 * `is_incremental()` answers what the caller says. `compile()` does it for a whole project without a
 * warehouse (every is_incremental() false), for CI and `arlens build --compile-only`.
 */
import { ident } from '../../warehouse/duckdb.ts';
import { genericTestSql } from './data-tests.ts';
import { buildPlan, selectNodes } from './graph.ts';
import type { AdapterType, JinjaContext } from './jinja.ts';
import {
  parseProject,
  type DataTestNode,
  type ModelNode,
  type Node,
  type Project,
  type SourceNode,
} from './project.ts';

export interface RenderOptions {
  readonly isIncremental: boolean;
  /** Vars over the project's (a unit test's overrides). */
  readonly vars?: Readonly<Record<string, unknown>>;
  /** The relation a ref or source renders as (unit tests point inputs at their CTEs). */
  readonly relationOf?: (node: ModelNode | SourceNode) => string | undefined;
  /** What `{{ this }}` renders as, when not the model's own relation. */
  readonly this?: string;
  /**
   * Schemas models are built in instead of their own (`marts` → `marts__next`): refs, `{{ this }}` and
   * post-hooks render the model relations there. Sources are never mapped.
   */
  readonly schemaMap?: ReadonlyMap<string, string>;
  /** The engine the SQL is for (`target.type`, `adapter.dispatch`); DuckDB when not given. */
  readonly adapterType?: AdapterType;
}

/** A model's relation in the schema it is built in (`schemaMap`), or its own; ephemerals never move. */
export function builtRelation(model: ModelNode, schemaMap?: ReadonlyMap<string, string>): string {
  const schema = model.materialized === 'ephemeral' ? undefined : schemaMap?.get(model.schema);
  return schema === undefined ? model.relation : `${ident(schema)}.${ident(model.name)}`;
}

/** The model as it is built: its schema and relation mapped by `schemaMap`. */
export function builtModel(model: ModelNode, schemaMap?: ReadonlyMap<string, string>): ModelNode {
  const relation = builtRelation(model, schemaMap);
  if (relation === model.relation) return model;
  return { ...model, schema: schemaMap?.get(model.schema) ?? model.schema, relation };
}

class NodeContext implements JinjaContext {
  /** Ephemeral models this render inlines, with their SQL, dependencies first. */
  readonly ephemerals = new Map<ModelNode, string>();
  readonly vars: Readonly<Record<string, unknown>>;
  readonly profile: string;
  readonly adapterType: AdapterType;

  constructor(
    readonly project: Project,
    readonly options: RenderOptions,
    readonly where: string,
    readonly thisRelation: string,
  ) {
    this.vars = { ...project.vars, ...options.vars };
    this.profile = project.profile;
    this.adapterType = options.adapterType ?? 'duckdb';
  }

  ref(name: string): string {
    const model = [...this.project.nodes.values()].find(
      (n): n is ModelNode => n.kind === 'model' && n.name === name,
    );
    if (!model) throw new Error(`${this.where} depends on a node named '${name}' which was not found`);
    const override = this.options.relationOf?.(model);
    if (override !== undefined) return override;
    if (model.materialized === 'ephemeral' && !this.ephemerals.has(model)) {
      const inner = new NodeContext(this.project, this.options, model.path, model.relation);
      const sql = trimSql(this.project.jinja.render({ path: model.path, text: model.sql }, inner));
      for (const [m, body] of inner.ephemerals) if (!this.ephemerals.has(m)) this.ephemerals.set(m, body);
      this.ephemerals.set(model, sql);
    }
    return builtRelation(model, this.options.schemaMap);
  }

  source(sourceName: string, table: string): string {
    const source = [...this.project.nodes.values()].find(
      (n): n is SourceNode => n.kind === 'source' && n.sourceName === sourceName && n.table === table,
    );
    if (!source) {
      throw new Error(`${this.where} depends on a source named '${sourceName}.${table}' which was not found`);
    }
    return this.options.relationOf?.(source) ?? source.relation;
  }

  config(): void {}

  isIncremental(): boolean {
    return this.options.isIncremental;
  }

  /** `sql` with the ephemeral models it reads inlined as CTEs before it. */
  withEphemerals(sql: string): string {
    if (this.ephemerals.size === 0) return sql;
    const ctes = [...this.ephemerals].map(([m, body]) => `${m.relation} as (\n${body}\n)`);
    return `with ${ctes.join(',\n')}\nselect * from (\n${sql}\n) as ${ident('__dbt__model')}`;
  }
}

/** Rendered SQL without trailing semicolons and blank space, so it can be wrapped. */
function trimSql(sql: string): string {
  return sql.replace(/[\s;]+$/, '').replace(/^\s*\n/, '');
}

export function renderModel(project: Project, model: ModelNode, options: RenderOptions): string {
  const ctx = new NodeContext(
    project,
    options,
    `Model '${model.name}' (${model.path})`,
    options.this ?? builtRelation(model, options.schemaMap),
  );
  const sql = trimSql(project.jinja.render({ path: model.path, text: model.sql }, ctx));
  return ctx.withEphemerals(sql);
}

/**
 * A model's post-hooks (`post_hook` / `post-hook` config: a statement or a list), rendered in the
 * model's own context (`{{ this }}`, `ref`, `var`, `is_incremental()`), in the order given. dbt runs
 * them after the model is materialized, on full and incremental runs alike.
 */
export function renderPostHooks(project: Project, model: ModelNode, options: RenderOptions): string[] {
  const raw = model.config['post_hook'] ?? model.config['post-hook'];
  const hooks = raw === undefined || raw === null ? [] : Array.isArray(raw) ? raw : [raw];
  return hooks.map((hook, i) => {
    if (typeof hook !== 'string') throw new Error(`${model.path}: post_hook ${i + 1} must be SQL text`);
    const ctx = new NodeContext(
      project,
      options,
      `post_hook ${i + 1} of '${model.name}' (${model.path})`,
      builtRelation(model, options.schemaMap),
    );
    return trimSql(project.jinja.render({ path: `${model.path}#post_hook${i + 1}`, text: hook }, ctx));
  });
}

/** The query of a data test: it returns the failing rows. */
export function renderTest(project: Project, test: DataTestNode, options: RenderOptions): string {
  const where = `Test '${test.name}' (${test.path})`;
  if (test.generic === null) {
    const ctx = new NodeContext(project, options, where, ident(test.name));
    return ctx.withEphemerals(trimSql(project.jinja.render({ path: test.path, text: test.sql ?? '' }, ctx)));
  }
  const { spec, attachedTo, column } = test.generic;
  const target = project.nodes.get(attachedTo) as ModelNode | SourceNode;
  const ctx = new NodeContext(
    project,
    options,
    where,
    target.kind === 'model' ? builtRelation(target, options.schemaMap) : target.relation,
  );
  const relation =
    target.kind === 'model' ? ctx.ref(target.name) : ctx.source(target.sourceName, target.table);
  return ctx.withEphemerals(trimSql(genericTestSql(project.jinja, spec, relation, column, ctx, test.path)));
}

export interface CompiledNode {
  readonly id: string;
  readonly kind: Node['kind'];
  readonly name: string;
  readonly path: string;
  /** The SQL a build would run (a model's select; a test's failing-rows query); null for unit tests. */
  readonly sql: string | null;
}

export interface CompiledProject {
  readonly project: Project;
  /** Models, data tests and unit tests in build order. */
  readonly nodes: readonly CompiledNode[];
}

/**
 * Parse and render a project without a warehouse. Unit tests are listed without SQL: theirs needs
 * the column types of their inputs, which only a warehouse has.
 */
export async function compile(
  projectDir: string,
  vars: Readonly<Record<string, unknown>> = {},
  adapterType: AdapterType = 'duckdb',
): Promise<CompiledProject> {
  const project = await parseProject(projectDir, vars);
  const { order } = buildPlan(project.nodes, selectNodes(project.nodes));
  const nodes = order.map((id): CompiledNode => {
    const node = project.nodes.get(id) as Node;
    const options = { isIncremental: false, adapterType };
    const sql =
      node.kind === 'model'
        ? renderModel(project, node, options)
        : node.kind === 'test'
          ? renderTest(project, node, options)
          : null;
    return { id, kind: node.kind, name: node.name, path: node.path, sql };
  });
  return { project, nodes };
}
