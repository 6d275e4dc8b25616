/**
 * dbt data tests: a test is a query returning the failing rows; it passes when that query returns none.
 *
 * Generic tests are macros named `test_<name>` (the built-in `unique`, `not_null`, `accepted_values`,
 * `relationships` below, or `{% test %}` blocks of the project, which may also replace a built-in).
 * A property file applies them to a model, a column or a source table; singular tests are .sql files.
 */
import { toCount } from '../../warehouse/convert.ts';
import type { Executor } from './executor.ts';
import type { Jinja, JinjaContext, TemplateFile } from './jinja.ts';
import type { TestEntry } from './properties.ts';

export type Severity = 'error' | 'warn';

/** dbt's built-in generic tests, as dbt-core defines them (values in accepted_values are escaped). */
export const BUILTIN_TESTS: TemplateFile = {
  path: '<built-in generic tests>',
  text: `
{% test unique(model, column_name) %}
select {{ column_name }} as unique_field, count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
group by {{ column_name }}
having count(*) > 1
{% endtest %}

{% test not_null(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is null
{% endtest %}

{% test accepted_values(model, column_name, values, quote=true) %}
with all_values as (
    select {{ column_name }} as value_field, count(*) as n_records
    from {{ model }}
    group by {{ column_name }}
)
select * from all_values
where value_field not in (
    {%- for value in values -%}
    {%- if quote %}'{{ (value ~ '') | replace("'", "''") }}'{% else %}{{ value }}{% endif -%}
    {%- if not loop.last %}, {% endif -%}
    {%- endfor -%}
)
{% endtest %}

{% test relationships(model, column_name, to, field) %}
with child as (
    select {{ column_name }} as from_field from {{ model }} where {{ column_name }} is not null
),
parent as (
    select {{ field }} as to_field from {{ to }}
)
select from_field
from child
left join parent on child.from_field = parent.to_field
where parent.to_field is null
{% endtest %}
`,
};

/** One generic test as a property file applies it. */
export interface GenericTestSpec {
  readonly test: string;
  /** The test's arguments as written (not `model`, not `column_name`). */
  readonly args: Readonly<Record<string, unknown>>;
  readonly severity: Severity;
  /** `config: {where: …}`: the test sees only these rows of the model. */
  readonly where: string | null;
  readonly tags: readonly string[];
  /** `name:` given in the entry, else null (then the name is made as dbt makes it). */
  readonly name: string | null;
  readonly enabled: boolean;
}

/** Keys of a test entry that configure it rather than pass arguments (dbt's test configs). */
const CONFIG_KEYS = new Set([
  'config',
  'name',
  'severity',
  'where',
  'tags',
  'enabled',
  'meta',
  'limit',
  'store_failures',
  'error_if',
  'warn_if',
  'fail_calc',
]);
const UNSUPPORTED_CONFIG = new Set(['error_if', 'warn_if', 'fail_calc']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function severityOf(value: unknown, where: string): Severity {
  const s = String(value ?? 'error').toLowerCase();
  if (s !== 'error' && s !== 'warn') throw new Error(`${where}: severity must be warn or error, got ${s}`);
  return s;
}

export function tagsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Read one entry of `data_tests:` (also the legacy `tests:`); `where` names it in errors. */
export function parseTestEntry(entry: TestEntry, where: string): GenericTestSpec {
  let test: string;
  let body: Record<string, unknown> = {};
  if (typeof entry === 'string') {
    test = entry;
  } else {
    const keys = Object.keys(entry);
    if (keys.length !== 1 || keys[0] === undefined) {
      throw new Error(
        `${where}: a test is a name or {test_name: {arguments…}}, got ${JSON.stringify(entry)}`,
      );
    }
    test = keys[0];
    const value = entry[test];
    if (value !== null && value !== undefined && !isRecord(value)) {
      throw new Error(`${where}: the arguments of test ${test} must be a mapping`);
    }
    body = value ?? {};
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(test)) {
    throw new Error(`${where}: test ${test}: tests from packages are not supported; define it in macros/`);
  }
  const config = { ...(isRecord(body['config']) ? body['config'] : {}) };
  for (const key of CONFIG_KEYS) if (key !== 'config' && key in body) config[key] = body[key];
  for (const key of Object.keys(config)) {
    if (UNSUPPORTED_CONFIG.has(key)) throw new Error(`${where}: test ${test}: ${key} is not supported`);
  }
  const args = isRecord(body['arguments'])
    ? body['arguments']
    : Object.fromEntries(Object.entries(body).filter(([k]) => !CONFIG_KEYS.has(k)));
  return {
    test,
    args,
    severity: severityOf(config['severity'], `${where}: test ${test}`),
    where: typeof config['where'] === 'string' ? config['where'] : null,
    tags: tagsOf(config['tags']),
    name: typeof config['name'] === 'string' ? config['name'] : null,
    enabled: config['enabled'] !== false,
  };
}

/**
 * dbt's name for a generic test: `<test>_<model>_<arguments>`, e.g. `not_null_orders_order_id`,
 * `accepted_values_orders_status__placed__shipped`; source tests start with `source_`.
 */
export function genericTestName(
  spec: GenericTestSpec,
  targetName: string,
  column: string | null,
  isSource: boolean,
): string {
  const args: Record<string, unknown> =
    column === null ? { ...spec.args } : { ...spec.args, column_name: column };
  const flat = Object.keys(args)
    .sort()
    .flatMap((k) => {
      const v = args[k];
      return isRecord(v) ? Object.values(v) : Array.isArray(v) ? v : [v];
    })
    .map((v) => String(v).replace(/[^0-9a-zA-Z_]+/g, '_'));
  return `${isSource ? 'source_' : ''}${spec.test}_${targetName}_${flat.join('__')}`;
}

/**
 * Arguments as dbt renders them: a string that looks like a call (`ref('x')`, `source(…)`, `var(…)`,
 * `env_var(…)`) is evaluated; other strings are rendered as templates; lists and dicts recursively.
 */
function renderArgs(value: unknown, render: (template: string) => string): unknown {
  if (typeof value === 'string') {
    const call = /^\s*(env_var|ref|var|source)\s*\(.+\)\s*$/s.test(value);
    return call ? render(`{{ ${value} }}`) : value.includes('{') ? render(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => renderArgs(v, render));
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderArgs(v, render)]));
  }
  return value;
}

/** The SQL of a generic test on `relation` (rendered in `ctx`, so refs resolve as the caller wants). */
export function genericTestSql(
  jinja: Jinja,
  spec: GenericTestSpec,
  relation: string,
  column: string | null,
  ctx: JinjaContext,
  path: string,
): string {
  const render = (text: string) => jinja.render({ path, text }, ctx);
  const model =
    spec.where === null ? relation : `(select * from ${relation} where ${spec.where}) dbt_subquery`;
  const args = renderArgs(spec.args, render) as Record<string, unknown>;
  const kwargs = { model, ...(column === null ? {} : { column_name: column }), ...args };
  return jinja.callMacro(`test_${spec.test}`, [], kwargs, ctx, path);
}

/** Wrap a test query so it returns the number of failing rows, as dbt does. */
export function failuresSql(testSql: string): string {
  return `select count(*) as failures from (\n${testSql}\n) dbt_internal_test`;
}

/** Run a test query for `nodeId`; the number of failing rows. */
export async function countFailures(exec: Executor, nodeId: string, testSql: string): Promise<number> {
  const rows = await exec.rows(nodeId, failuresSql(testSql));
  return toCount(rows[0]?.['failures']);
}
