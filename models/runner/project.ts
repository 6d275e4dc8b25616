/**
 * Parse a dbt project into nodes: models, sources, data tests and unit tests, each with the ids of the
 * nodes it reads. As dbt does, every model and test is rendered once at parse time with recording
 * `ref`/`source`/`config` functions: that gives the DAG and each model's final configuration.
 *
 * Configuration, lowest to highest precedence: `models:` in dbt_project.yml (by folder under a model
 * path, dbt's fqn: the model path itself is not part of it), the `config:` of the property file, then
 * `{{ config(...) }}` in the model. Tags add up; everything else is replaced.
 */
import { promises as fs } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { ident } from '../../warehouse/duckdb.ts';
import {
  BUILTIN_TESTS,
  genericTestName,
  genericTestSql,
  parseTestEntry,
  severityOf,
  tagsOf,
  type GenericTestSpec,
} from './data-tests.ts';
import { assertAcyclic } from './graph.ts';
import type { Column, Materialization, ModelNode, Node, SourceNode, UnitTestInput } from './nodes.ts';
import { DEFAULT_SCHEMA, Jinja, type JinjaContext, type TemplateFile } from './jinja.ts';
import {
  readProjectFile,
  readProperties,
  type ColumnProperties,
  type ModelProperties,
  type ProjectFile,
  type SourceProperties,
  type TestEntry,
  type UnitTestProperties,
} from './properties.ts';

export const MATERIALIZATIONS: readonly Materialization[] = ['view', 'table', 'incremental', 'ephemeral'];

export interface Project {
  readonly dir: string;
  readonly name: string;
  readonly profile: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly jinja: Jinja;
  /** Every node by id: sources, models, data tests, unit tests (each group sorted by path and name). */
  readonly nodes: ReadonlyMap<string, Node>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type {
  Column,
  DataTestNode,
  Materialization,
  ModelNode,
  Node,
  SourceNode,
  UnitTestInput,
  UnitTestNode,
} from './nodes.ts';

/** Merge configs dbt's way: later wins, tags add up. */
function mergeConfig(...configs: Readonly<Record<string, unknown>>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const tags: string[] = [];
  for (const c of configs) {
    for (const [k, v] of Object.entries(c)) {
      if (k === 'tags') tags.push(...tagsOf(v).filter((t) => !tags.includes(t)));
      else out[k] = v;
    }
  }
  return tags.length > 0 ? { ...out, tags } : out;
}

/**
 * `models:` of dbt_project.yml for one fqn: `+key` (or a plain key with a non-mapping value) is a
 * config; a mapping under a plain key configures the folder (or model) of that name.
 */
export function folderConfig(models: Readonly<Record<string, unknown>>, fqn: readonly string[]) {
  const levels: Record<string, unknown>[] = [];
  let level: unknown = models;
  for (const part of fqn) {
    level = isRecord(level) ? level[part] : undefined;
    if (!isRecord(level)) break;
    levels.push(
      Object.fromEntries(
        Object.entries(level)
          .filter(([k, v]) => k.startsWith('+') || !isRecord(v))
          .map(([k, v]) => [k.replace(/^\+/, ''), v]),
      ),
    );
  }
  return mergeConfig(...levels);
}

/** Configs that change what dbt builds and the runner does not do: refused rather than ignored. */
function checkConfig(config: Readonly<Record<string, unknown>>, path: string): void {
  const refuse = (what: string) => {
    throw new Error(`${path}: ${what} is not supported by the ARLens runner`);
  };
  for (const key of ['pre_hook', 'pre-hook', 'alias', 'database', 'contract']) {
    if (config[key] !== undefined) refuse(key);
  }
  if (config['enabled'] === false) refuse('enabled: false');
  const strategy = config['incremental_strategy'];
  if (strategy !== undefined && strategy !== 'delete+insert' && strategy !== 'append') {
    refuse(`incremental_strategy '${String(strategy)}' (delete+insert and append are)`);
  }
  const onChange = config['on_schema_change'];
  if (onChange !== undefined && onChange !== 'ignore') refuse(`on_schema_change '${String(onChange)}'`);
}

async function listFiles(dir: string, extensions: readonly string[]): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir, { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => extensions.includes(extname(n).toLowerCase()))
    .map((n) => join(dir, n))
    .sort();
}

/** A parse-time context: refs and sources are recorded, config collected, is_incremental() false. */
class Recorder implements JinjaContext {
  readonly refs = new Set<string>();
  readonly sources = new Map<string, [string, string]>();
  configured: Record<string, unknown> = {};

  constructor(
    readonly vars: Readonly<Record<string, unknown>>,
    readonly profile: string,
    readonly thisRelation: string,
  ) {}

  ref(name: string): string {
    this.refs.add(name);
    return ident(name);
  }
  source(sourceName: string, table: string): string {
    this.sources.set(`${sourceName}.${table}`, [sourceName, table]);
    return `${ident(sourceName)}.${ident(table)}`;
  }
  config(values: Record<string, unknown>): void {
    this.configured = mergeConfig(this.configured, values);
  }
  isIncremental(): boolean {
    return false;
  }
}

function columnsOf(props: readonly ColumnProperties[]): Column[] {
  return props.map((c) => ({ name: c.name, description: c.description, dataType: c.data_type ?? null }));
}

class Parser {
  readonly nodes = new Map<string, Node>();
  private readonly modelIds = new Map<string, string>();
  private readonly sourceIds = new Map<string, string>();
  /** Generic tests from property files, added once every model and source is known. */
  private readonly genericTests: {
    spec: GenericTestSpec;
    target: string;
    column: string | null;
    path: string;
  }[] = [];

  constructor(
    readonly dir: string,
    readonly file: ProjectFile,
    readonly vars: Readonly<Record<string, unknown>>,
    readonly jinja: Jinja,
  ) {}

  get profile(): string {
    return this.file.profile ?? this.file.name;
  }

  rel(path: string): string {
    return relative(this.dir, path).split(sep).join('/');
  }

  private add(node: Node): void {
    if (this.nodes.has(node.id)) {
      const other = this.nodes.get(node.id);
      throw new Error(`${node.path}: ${node.kind} ${node.name} is defined twice (also in ${other?.path})`);
    }
    this.nodes.set(node.id, node);
  }

  /** Node ids for what a recorder saw; unknown names fail with the reader and the missing name. */
  private resolve(reader: string, path: string, recorder: Recorder): string[] {
    const ids: string[] = [];
    for (const name of recorder.refs) {
      const id = this.modelIds.get(name);
      if (!id) throw new Error(`${reader} (${path}) depends on a node named '${name}' which was not found`);
      ids.push(id);
    }
    for (const [key, [s, t]] of recorder.sources) {
      const id = this.sourceIds.get(key);
      if (!id) {
        throw new Error(`${reader} (${path}) depends on a source named '${s}.${t}' which was not found`);
      }
      ids.push(id);
    }
    return [...new Set(ids)];
  }

  async parse(): Promise<Map<string, Node>> {
    const modelFiles: { file: string; modelPath: string }[] = [];
    const propertyFiles: string[] = [];
    for (const modelPath of this.file['model-paths']) {
      const root = join(this.dir, modelPath);
      for (const file of await listFiles(root, ['.sql'])) modelFiles.push({ file, modelPath: root });
      propertyFiles.push(...(await listFiles(root, ['.yml', '.yaml'])));
    }
    const modelProps = new Map<string, { props: ModelProperties; path: string }>();
    const unitTests: { props: UnitTestProperties; path: string }[] = [];
    for (const file of propertyFiles) {
      const path = this.rel(file);
      const props = await readProperties(file, path);
      for (const m of props.models) {
        const seen = modelProps.get(m.name);
        if (seen) throw new Error(`${path}: model ${m.name} is also described in ${seen.path}`);
        modelProps.set(m.name, { props: m, path });
      }
      for (const s of props.sources) this.addSource(s, path);
      unitTests.push(...props.unit_tests.map((u) => ({ props: u, path })));
    }
    for (const { file } of modelFiles) {
      const name = basename(file, extname(file));
      const other = modelFiles.find((m) => m.file !== file && basename(m.file, extname(m.file)) === name);
      if (other)
        throw new Error(`two models are named ${name}: ${this.rel(other.file)} and ${this.rel(file)}`);
      this.modelIds.set(name, `model.${this.file.name}.${name}`);
    }
    for (const [name, { path }] of modelProps) {
      if (!this.modelIds.has(name))
        throw new Error(`${path}: describes model ${name}, but there is no ${name}.sql`);
    }
    for (const { file, modelPath } of modelFiles) {
      const described = modelProps.get(basename(file, extname(file)));
      await this.addModel(file, modelPath, described?.props, described?.path);
    }
    for (const t of this.genericTests)
      if (t.spec.enabled) this.addGenericTest(t.spec, t.target, t.column, t.path);
    for (const testPath of this.file['test-paths']) {
      for (const file of await listFiles(join(this.dir, testPath), ['.sql']))
        await this.addSingularTest(file);
    }
    for (const u of unitTests) this.addUnitTest(u.props, u.path);
    return this.nodes;
  }

  /** Queue the data tests of a property-file entry (model or source table) and of its columns. */
  private queueTests(
    entry: { data_tests: readonly TestEntry[]; columns: readonly ColumnProperties[] },
    target: string,
    path: string,
    where: string,
  ): void {
    for (const e of entry.data_tests) {
      this.genericTests.push({ spec: parseTestEntry(e, where), target, column: null, path });
    }
    for (const c of entry.columns) {
      for (const e of c.data_tests) {
        const spec = parseTestEntry(e, `${where}, column ${c.name}`);
        this.genericTests.push({ spec, target, column: c.name, path });
      }
    }
  }

  private addSource(s: SourceProperties, path: string): void {
    for (const t of s.tables) {
      const id = `source.${this.file.name}.${s.name}.${t.name}`;
      const schema = s.schema ?? s.name;
      this.add({
        kind: 'source',
        id,
        name: `${s.name}.${t.name}`,
        path,
        description: t.description || s.description,
        dependsOn: [],
        tags: [],
        sourceName: s.name,
        table: t.name,
        schema,
        relation: `${ident(schema)}.${ident(t.identifier ?? t.name)}`,
        columns: columnsOf(t.columns),
      });
      this.sourceIds.set(`${s.name}.${t.name}`, id);
      this.queueTests(t, id, path, `${path}: source ${s.name}.${t.name}`);
    }
  }

  private async addModel(
    file: string,
    modelPath: string,
    props: ModelProperties | undefined,
    propsPath: string | undefined,
  ): Promise<void> {
    const path = this.rel(file);
    const name = basename(file, extname(file));
    const id = `model.${this.file.name}.${name}`;
    const sql = await fs.readFile(file, 'utf8');
    const fqn = [this.file.name, ...relative(modelPath, file).split(sep).slice(0, -1), name];
    const recorder = new Recorder(this.vars, this.profile, ident(name));
    this.jinja.render({ path, text: sql }, recorder);
    const config = mergeConfig(folderConfig(this.file.models, fqn), props?.config ?? {}, recorder.configured);
    const materialized = config['materialized'] ?? 'view';
    if (!MATERIALIZATIONS.includes(materialized as Materialization)) {
      throw new Error(
        `${path}: materialized '${String(materialized)}' is not supported (use ${MATERIALIZATIONS.join(', ')})`,
      );
    }
    checkConfig(config, path);
    const uniqueKey = config['unique_key'] ?? [];
    const schema = this.schemaFor(name, id, path, fqn, config, recorder);
    this.add({
      kind: 'model',
      id,
      name,
      path,
      description: props?.description ?? '',
      dependsOn: this.resolve(`Model '${name}'`, path, recorder),
      tags: tagsOf(config['tags']),
      sql,
      fqn,
      materialized: materialized as Materialization,
      schema,
      relation:
        materialized === 'ephemeral' ? ident(`__dbt__cte__${name}`) : `${ident(schema)}.${ident(name)}`,
      uniqueKey: (Array.isArray(uniqueKey) ? uniqueKey : [uniqueKey]).map(String),
      config,
      columns: columnsOf(props?.columns ?? []),
    });
    if (props && propsPath) this.queueTests(props, id, propsPath, `${propsPath}: model ${name}`);
  }

  /** The model's schema: the project's generate_schema_name macro if it has one, else custom or main. */
  private schemaFor(
    name: string,
    id: string,
    path: string,
    fqn: readonly string[],
    config: Record<string, unknown>,
    ctx: JinjaContext,
  ): string {
    const custom = typeof config['schema'] === 'string' ? config['schema'] : null;
    if (!this.jinja.hasMacro('generate_schema_name')) return custom ?? DEFAULT_SCHEMA;
    const node = { name, unique_id: id, resource_type: 'model', fqn, original_file_path: path, config };
    const schema = this.jinja.callMacro('generate_schema_name', [custom, node], {}, ctx, path).trim();
    if (schema === '') throw new Error(`${path}: generate_schema_name returned an empty schema for ${name}`);
    return schema;
  }

  private addGenericTest(spec: GenericTestSpec, target: string, column: string | null, path: string): void {
    const attached = this.nodes.get(target) as ModelNode | SourceNode;
    const targetName =
      attached.kind === 'source' ? `${attached.sourceName}_${attached.table}` : attached.name;
    const name = spec.name ?? genericTestName(spec, targetName, column, attached.kind === 'source');
    const recorder = new Recorder(this.vars, this.profile, attached.relation);
    genericTestSql(this.jinja, spec, attached.relation, column, recorder, path);
    this.add({
      kind: 'test',
      id: `test.${this.file.name}.${name}`,
      name,
      path,
      description: '',
      dependsOn: [...new Set([target, ...this.resolve(`Test '${name}'`, path, recorder)])],
      tags: spec.tags,
      severity: spec.severity,
      sql: null,
      generic: { spec, attachedTo: target, column },
    });
  }

  private async addSingularTest(file: string): Promise<void> {
    const path = this.rel(file);
    const name = basename(file, extname(file));
    const sql = await fs.readFile(file, 'utf8');
    const recorder = new Recorder(this.vars, this.profile, ident(name));
    this.jinja.render({ path, text: sql }, recorder);
    this.add({
      kind: 'test',
      id: `test.${this.file.name}.${name}`,
      name,
      path,
      description: '',
      dependsOn: this.resolve(`Test '${name}'`, path, recorder),
      tags: tagsOf(recorder.configured['tags']),
      severity: severityOf(recorder.configured['severity'], path),
      sql,
      generic: null,
    });
  }

  private addUnitTest(u: UnitTestProperties, path: string): void {
    const where = `${path}: unit test ${u.name}`;
    const modelId = this.modelIds.get(u.model);
    if (!modelId) throw new Error(`${where}: there is no model ${u.model}`);
    const model = this.nodes.get(modelId) as ModelNode;
    const given = u.given.map((g): UnitTestInput => {
      const node = this.inputNode(g.input, where);
      if (node !== 'this' && !model.dependsOn.includes(node)) {
        throw new Error(`${where}: ${model.name} does not read ${g.input}`);
      }
      return { input: g.input, node, rows: g.rows };
    });
    this.add({
      kind: 'unit_test',
      id: `unit_test.${this.file.name}.${u.model}.${u.name}`,
      name: u.name,
      path,
      description: u.description,
      dependsOn: model.dependsOn,
      tags: [],
      model: modelId,
      given,
      expect: u.expect.rows,
      vars: u.overrides.vars,
      isIncremental: u.overrides.macros.is_incremental ?? false,
    });
  }

  private inputNode(input: string, where: string): string {
    if (input.trim() === 'this') return 'this';
    const q = `\\s*(['"])([^'"]+)\\1\\s*`;
    const ref = new RegExp(`^\\s*ref\\(${q}\\)\\s*$`).exec(input);
    const src = new RegExp(`^\\s*source\\(${q},${q}\\)\\s*$`).exec(input);
    const id = ref
      ? this.modelIds.get(ref[2] ?? '')
      : src
        ? this.sourceIds.get(`${src[2]}.${src[4]}`)
        : undefined;
    if (!id) throw new Error(`${where}: input ${input} is not ref('<model>'), source('<s>', '<t>') or this`);
    return id;
  }
}

/** Read and parse the project in `dir`; `vars` (e.g. from --vars) override the project's. */
export async function parseProject(
  dir: string,
  vars: Readonly<Record<string, unknown>> = {},
): Promise<Project> {
  const projectFile = join(dir, 'dbt_project.yml');
  if (!(await fs.stat(projectFile).catch(() => null))) {
    throw new Error(`No dbt project in ${dir}: there is no dbt_project.yml`);
  }
  const file = await readProjectFile(projectFile, 'dbt_project.yml');
  const macros: TemplateFile[] = [BUILTIN_TESTS];
  for (const macroPath of file['macro-paths']) {
    for (const path of await listFiles(join(dir, macroPath), ['.sql'])) {
      macros.push({ path: relative(dir, path).split(sep).join('/'), text: await fs.readFile(path, 'utf8') });
    }
  }
  const allVars = { ...file.vars, ...vars };
  const jinja = new Jinja(macros);
  const parser = new Parser(dir, file, allVars, jinja);
  const nodes = await parser.parse();
  assertAcyclic(nodes);
  return { dir, name: file.name, profile: parser.profile, vars: allVars, jinja, nodes };
}
