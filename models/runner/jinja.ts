/**
 * dbt's Jinja on @huggingface/jinja: the project's macros, and the context every model, test and
 * macro sees (ref, source, config, var, is_incremental, this, target, env_var, adapter, exceptions, log).
 *
 * Macros are evaluated once into a base environment; each render runs in a child environment that
 * holds the node's context. The library scopes macro calls dynamically (a macro body resolves names
 * through its caller's environment), so a macro called from a model sees that model's `ref` and `this`,
 * as in dbt. Relations are plain strings (`"schema"."name"`), so they render, concatenate with `~` and
 * pass to macros like any string.
 */
import { Environment, Interpreter, parse, tokenize } from '@huggingface/jinja';
import { ident } from '../../warehouse/duckdb.ts';

/** What the runner supplies for one render: how refs resolve, where config goes, the mode. */
export interface JinjaContext {
  ref(name: string): string;
  source(sourceName: string, table: string): string;
  config(values: Record<string, unknown>): void;
  isIncremental(): boolean;
  /** What `{{ this }}` renders as: the node's own relation. */
  readonly thisRelation: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly profile: string;
  /**
   * The warehouse engine SQL is rendered for: `target.type`, and the prefix `adapter.dispatch` tries
   * first (`postgres__x`, then `default__x`). DuckDB when not given.
   */
  readonly adapterType?: AdapterType;
}

/** The dbt adapter types the runner renders for. */
export type AdapterType = 'duckdb' | 'postgres';

/** The schema models land in when they set none (dbt's `target.schema`). */
export const DEFAULT_SCHEMA = 'main';

export interface TemplateFile {
  /** Shown in errors: a path relative to the project, or a description. */
  readonly path: string;
  readonly text: string;
}

type Program = ReturnType<typeof parse>;
type RuntimeValue = ReturnType<Environment['lookupVariable']>;

/**
 * `{% test name(args) %}…{% endtest %}` is dbt's generic test block: a macro named `test_<name>`.
 * The library knows macros only, so test blocks are rewritten to them (whitespace control kept).
 */
export function rewriteTestBlocks(text: string): string {
  return text
    .replace(/\{%(-?)\s*test\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(/g, '{%$1 macro test_$2(')
    .replace(/\{%(-?)\s*endtest\s*(-?)%\}/g, '{%$1 endmacro $2%}');
}

/**
 * Jinja values arrive in JS functions unwrapped one level: strings and numbers as themselves, lists as
 * arrays of runtime values, dicts and keyword arguments as Maps of runtime values. This turns them
 * into plain JS values.
 */
function plain(value: unknown): unknown {
  const inner = (v: RuntimeValue) => (v.type === 'UndefinedValue' ? undefined : plain(v.value));
  if (value instanceof Map) {
    return Object.fromEntries([...(value as Map<string, RuntimeValue>)].map(([k, v]) => [k, inner(v)]));
  }
  if (Array.isArray(value)) return (value as RuntimeValue[]).map(inner);
  return value;
}

function positional(fn: string, args: unknown[], count: number): string[] {
  const strings = args.filter((a) => !(a instanceof Map));
  if (strings.length < count || strings.some((a) => typeof a !== 'string')) {
    throw new Error(`${fn}() takes ${count} string argument(s), got ${JSON.stringify(plain(args))}`);
  }
  return strings as string[];
}

/** Project macros plus a renderer for models, tests and macro calls. */
export class Jinja {
  private readonly base = new Environment();
  private readonly programs = new Map<string, Program>();

  /** `files`: macro files in order; a later definition of a name replaces an earlier one. */
  constructor(files: readonly TemplateFile[]) {
    for (const [name, value] of Object.entries({ true: true, false: false, none: null })) {
      this.base.set(name, value);
      this.base.set(name[0]?.toUpperCase() + name.slice(1), value);
    }
    this.base.set('range', (start: number, stop?: number, step = 1) => {
      const [from, to] = stop === undefined ? [0, start] : [start, stop];
      return Array.from({ length: Math.max(0, Math.ceil((to - from) / step)) }, (_, i) => from + i * step);
    });
    for (const file of files) {
      try {
        new Interpreter(this.base).run(this.program(rewriteTestBlocks(file.text)));
      } catch (e) {
        throw new Error(`${file.path}: ${(e as Error).message}`, { cause: e });
      }
    }
  }

  hasMacro(name: string): boolean {
    return this.base.variables.get(name)?.type === 'FunctionValue';
  }

  /** Render `file.text` in `ctx`; `locals` are extra variables (plain JS values). */
  render(file: TemplateFile, ctx: JinjaContext, locals: Record<string, unknown> = {}): string {
    const env = new Environment(this.base);
    for (const [name, value] of Object.entries({ ...contextValues(ctx), ...locals })) env.set(name, value);
    this.addDispatch(env, ctx.adapterType ?? 'duckdb');
    try {
      return new Interpreter(env).run(this.program(file.text)).value as string;
    } catch (e) {
      throw new Error(`${file.path}: ${(e as Error).message}`, { cause: e });
    }
  }

  /**
   * Call a macro with arguments given as plain JS values, e.g. a generic test:
   * `callMacro('test_unique', [], { model: '"main"."x"', column_name: 'id' }, ctx, 'schema.yml')`.
   */
  callMacro(
    name: string,
    args: readonly unknown[],
    kwargs: Readonly<Record<string, unknown>>,
    ctx: JinjaContext,
    path: string,
  ): string {
    if (!this.hasMacro(name)) throw new Error(`${path}: no macro named ${name}`);
    const locals: Record<string, unknown> = {};
    const pass = (value: unknown) => {
      const local = `__dbt_arg_${Object.keys(locals).length}`;
      locals[local] = value;
      return local;
    };
    const call = [
      ...args.map(pass),
      ...Object.entries(kwargs).map(([key, value]) => {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`${path}: invalid argument name ${key}`);
        return `${key}=${pass(value)}`;
      }),
    ];
    return this.render({ path, text: `{{ ${name}(${call.join(', ')}) }}` }, ctx, locals);
  }

  /**
   * dbt's `adapter.dispatch(macro_name)`: the macro `<adapter type>__<name>`, else `default__<name>`
   * (dbt-duckdb and dbt-postgres declare no parent adapters, so dbt searches the same two names). It
   * returns the macro itself, so `{{ adapter.dispatch('x')(a, b) }}` calls it with the caller's scope:
   * a dispatched macro sees the calling model's `ref`, `this` and `var` like any macro. `return(v)` is
   * the identity, so dbt's `{{ return(adapter.dispatch('x')(a)) }}` idiom renders the same.
   *
   * JS functions given to `Environment.set` have their results converted to plain runtime values,
   * which would turn a macro into a dict; these two are built as the library's own function values.
   */
  private addDispatch(env: Environment, adapterType: AdapterType): void {
    const FunctionValue = this.base.lookupVariable('range').constructor as new (
      fn: (args: RuntimeValue[], scope: Environment) => RuntimeValue,
    ) => RuntimeValue;
    const adapter = env.lookupVariable('adapter');
    if (!(adapter.value instanceof Map)) throw new Error('adapter is not an object');
    (adapter.value as Map<string, RuntimeValue>).set(
      'dispatch',
      new FunctionValue((args, scope) => {
        const [name, ...rest] = args;
        if (name?.type !== 'StringValue' || typeof name.value !== 'string') {
          throw new Error('adapter.dispatch() takes a macro name');
        }
        const macroName = name.value;
        const kwargs = rest.find((a) => a.type === 'KeywordArgumentsValue')?.value as
          Map<string, RuntimeValue> | undefined;
        const namespace = kwargs?.get('macro_namespace')?.value;
        if (macroName.includes('.')) {
          const [ns, short] = [
            macroName.slice(0, macroName.indexOf('.')),
            macroName.slice(macroName.indexOf('.') + 1),
          ];
          throw new Error(
            `In adapter.dispatch, got a macro name of "${macroName}", but "." is not a valid macro name ` +
              `component. Did you mean \`adapter.dispatch("${short}", macro_namespace="${ns}")\`?`,
          );
        }
        const searched = [`${adapterType}__${macroName}`, `default__${macroName}`];
        for (const candidate of searched) {
          const macro = scope.lookupVariable(candidate);
          if (macro.type === 'FunctionValue') return macro;
        }
        const where = typeof namespace === 'string' ? namespace : 'None';
        throw new Error(
          `In dispatch: No macro named '${macroName}' found within namespace: '${where}'\n` +
            `    Searched for: ${searched.map((m) => `'${m}'`).join(', ')}`,
        );
      }),
    );
    env.setVariable('return', new FunctionValue((args) => args[0] ?? env.lookupVariable('none')));
  }

  private program(text: string): Program {
    let program = this.programs.get(text);
    if (!program) {
      // dbt's Jinja keeps the defaults: no trim_blocks, no lstrip_blocks.
      program = parse(tokenize(text, {}));
      this.programs.set(text, program);
    }
    return program;
  }
}

function contextValues(ctx: JinjaContext): Record<string, unknown> {
  return {
    ref: (...args: unknown[]) => ctx.ref(positional('ref', args, 1).at(-1) as string),
    source: (...args: unknown[]) => {
      const [sourceName, table] = positional('source', args, 2) as [string, string];
      return ctx.source(sourceName, table);
    },
    config: (...args: unknown[]) => {
      for (const a of args) {
        if (!(a instanceof Map)) throw new Error(`config() takes keyword arguments or a dict`);
        ctx.config(plain(a) as Record<string, unknown>);
      }
      return '';
    },
    var: (...args: unknown[]) => {
      const name = args[0];
      if (typeof name !== 'string') throw new Error('var() takes a variable name');
      if (Object.hasOwn(ctx.vars, name)) return ctx.vars[name];
      if (args.length > 1) return plain(args[1]);
      throw new Error(
        `Required var '${name}' not found in config: set it under vars: in dbt_project.yml or pass --vars`,
      );
    },
    env_var: (name: unknown, fallback?: unknown) => {
      if (typeof name !== 'string') throw new Error('env_var() takes a variable name');
      const value = process.env[name] ?? (fallback === undefined ? undefined : String(plain(fallback)));
      if (value === undefined) throw new Error(`Env var required but not provided: '${name}'`);
      return value;
    },
    is_incremental: () => ctx.isIncremental(),
    this: ctx.thisRelation,
    target: {
      name: 'dev',
      schema: DEFAULT_SCHEMA,
      type: ctx.adapterType ?? 'duckdb',
      profile_name: ctx.profile,
      threads: 1,
    },
    adapter: { quote: (name: unknown) => ident(String(name)) },
    exceptions: {
      raise_compiler_error: (message: unknown) => {
        throw new Error(String(message));
      },
    },
    log: () => '',
  };
}
