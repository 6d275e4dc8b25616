/**
 * The nodes of a parsed dbt project (models, sources, data tests, unit tests): plain types, shared by
 * the parser (project.ts), the graph (graph.ts) and the executor, so none of them imports another
 * for its types.
 */
import type { GenericTestSpec, Severity } from './data-tests.ts';

export type Materialization = 'view' | 'table' | 'incremental' | 'ephemeral';

export interface Column {
  readonly name: string;
  readonly description: string;
  readonly dataType: string | null;
}

interface NodeBase {
  readonly id: string;
  readonly name: string;
  /** The file the node is defined in, relative to the project directory. */
  readonly path: string;
  readonly description: string;
  /** Ids of the nodes this one reads: models and sources (for a generic test, also what it tests). */
  readonly dependsOn: readonly string[];
  readonly tags: readonly string[];
}

export interface ModelNode extends NodeBase {
  readonly kind: 'model';
  /** The model's SQL as written (Jinja). */
  readonly sql: string;
  readonly fqn: readonly string[];
  readonly materialized: Materialization;
  readonly schema: string;
  /** `"schema"."name"`; for an ephemeral model the name of its CTE. */
  readonly relation: string;
  readonly uniqueKey: readonly string[];
  readonly config: Readonly<Record<string, unknown>>;
  readonly columns: readonly Column[];
}

export interface SourceNode extends NodeBase {
  readonly kind: 'source';
  readonly sourceName: string;
  readonly table: string;
  readonly schema: string;
  readonly relation: string;
  readonly columns: readonly Column[];
}

export interface DataTestNode extends NodeBase {
  readonly kind: 'test';
  readonly severity: Severity;
  /** Singular tests: the SQL as written. Generic tests: null, see `generic`. */
  readonly sql: string | null;
  readonly generic: {
    readonly spec: GenericTestSpec;
    /** The model or source the test is defined on, and its column (null: a model-level test). */
    readonly attachedTo: string;
    readonly column: string | null;
  } | null;
}

export interface UnitTestInput {
  /** As written: `ref('x')`, `source('s', 't')` or `this`. */
  readonly input: string;
  /** The node id it names, or `this` (the model's own relation, for incremental models). */
  readonly node: string;
  readonly rows: readonly Record<string, unknown>[];
}

export interface UnitTestNode extends NodeBase {
  readonly kind: 'unit_test';
  /** Id of the model under test. */
  readonly model: string;
  readonly given: readonly UnitTestInput[];
  readonly expect: readonly Record<string, unknown>[];
  readonly vars: Readonly<Record<string, unknown>>;
  readonly isIncremental: boolean;
}

export type Node = ModelNode | SourceNode | DataTestNode | UnitTestNode;
