import { describe, expect, it } from 'vitest';
import { Jinja, rewriteTestBlocks, type JinjaContext } from './jinja.ts';

function context(over: Partial<JinjaContext> = {}): JinjaContext & { configs: Record<string, unknown>[] } {
  const configs: Record<string, unknown>[] = [];
  return {
    ref: (name) => `"main"."${name}"`,
    source: (s, t) => `"${s}"."${t}"`,
    config: (values) => configs.push(values),
    isIncremental: () => false,
    thisRelation: '"marts"."me"',
    vars: { region: 'EMEA', limits: { low: 1 } },
    profile: 'mini',
    configs,
    ...over,
  };
}

const render = (text: string, ctx = context(), macros = '') =>
  new Jinja([{ path: 'macros/m.sql', text: macros }]).render({ path: 'models/x.sql', text }, ctx);

describe('dbt Jinja context', () => {
  it('resolves ref, source, this, target and adapter.quote', () => {
    expect(
      render(
        "{{ ref('a') }} {{ ref('pkg', 'b') }} {{ source('erp', 'invoices') }} {{ this }} " +
          "{{ target.schema }} {{ target.type }} {{ target.profile_name }} {{ adapter.quote('we\"ird') }}",
      ),
    ).toBe('"main"."a" "main"."b" "erp"."invoices" "marts"."me" main duckdb mini "we""ird"');
  });

  it('records config() calls as plain values and renders nothing', () => {
    const ctx = context();
    const out = render(
      "{{ config(materialized='incremental', unique_key=['a', 'b'], meta={'x': 1}) }}x",
      ctx,
    );
    expect(out).toBe('x');
    expect(ctx.configs).toEqual([{ materialized: 'incremental', unique_key: ['a', 'b'], meta: { x: 1 } }]);
  });

  it('reads vars with defaults and fails on a missing one', () => {
    expect(render("{{ var('region') }} {{ var('limits').low }} {{ var('other', 42) }}")).toBe('EMEA 1 42');
    expect(() => render("{{ var('other') }}")).toThrow(
      "models/x.sql: Required var 'other' not found in config",
    );
  });

  it('answers is_incremental() as the context says', () => {
    const sql = 'select 1{% if is_incremental() %} where t > (select max(t) from {{ this }}){% endif %}';
    expect(render(sql)).toBe('select 1');
    expect(render(sql, context({ isIncremental: () => true }))).toBe(
      'select 1 where t > (select max(t) from "marts"."me")',
    );
  });

  it('reads env_var with a default, and fails when unset without one', () => {
    process.env['ARLENS_JINJA_TEST'] = 'set';
    try {
      expect(render("{{ env_var('ARLENS_JINJA_TEST') }} {{ env_var('ARLENS_UNSET_X', 'dflt') }}")).toBe(
        'set dflt',
      );
      expect(() => render("{{ env_var('ARLENS_UNSET_X') }}")).toThrow(
        "Env var required but not provided: 'ARLENS_UNSET_X'",
      );
    } finally {
      delete process.env['ARLENS_JINJA_TEST'];
    }
  });

  it('runs project macros with defaults; a macro sees the calling model’s ref', () => {
    const macros = `
{% macro cents(col, scale=2) -%} ({{ col }} / 100)::decimal(18, {{ scale }}) {%- endmacro %}
{% macro upstream() -%} {{ ref('up') }} {%- endmacro %}
{% macro twice(col) -%} {{ cents(col) }} + {{ cents(col, scale=4) }} {%- endmacro %}`;
    expect(
      render("{{ cents('a') }} {{ cents('b', 4) }} {{ twice('c') }} {{ upstream() }}", context(), macros),
    ).toBe(
      '(a / 100)::decimal(18, 2) (b / 100)::decimal(18, 4) (c / 100)::decimal(18, 2) + (c / 100)::decimal(18, 4) "main"."up"',
    );
  });

  it('handles the Jinja the project uses: namespace, call blocks, loops, string methods, filters', () => {
    const text =
      "{% set ns = namespace(n=0) %}{% for c in ['a', 'b'] %}{% set ns.n = ns.n + 1 %}{{ c | upper }}" +
      "{% if not loop.last %},{% endif %}{% endfor %} {{ ns.n }} {{ 'x_y'.replace('_', '-') }} " +
      "{{ ['p', 'q'] | join(', ') }} {% call wrap() %}inner{% endcall %}";
    expect(render(text, context(), '{% macro wrap() %}[{{ caller() }}]{% endmacro %}')).toBe(
      'A,B 2 x-y p, q [inner]',
    );
  });

  it('keeps dbt’s whitespace: no trim_blocks, no lstrip_blocks', () => {
    expect(render('a\n{% if true %}\nb\n{% endif %}\nc')).toBe('a\n\nb\n\nc');
  });

  it('rewrites {% test %} blocks to test_ macros and calls them with keyword arguments', () => {
    const block =
      '{%- test positive(model, column_name, strict=true) -%}\nselect * from {{ model }}\n{%- endtest %}';
    expect(rewriteTestBlocks(block)).toBe(
      '{%- macro test_positive(model, column_name, strict=true) -%}\nselect * from {{ model }}\n{%- endmacro %}',
    );
    const jinja = new Jinja([
      {
        path: 'macros/t.sql',
        text: '{% test positive(model, column_name, strict=true) %}select * from {{ model }} where {{ column_name }} {{ "<=" if strict else "<" }} 0{% endtest %}',
      },
    ]);
    expect(jinja.hasMacro('test_positive')).toBe(true);
    expect(
      jinja.callMacro(
        'test_positive',
        [],
        { model: '"main"."t"', column_name: 'amount' },
        context(),
        'x.yml',
      ),
    ).toBe('select * from "main"."t" where amount <= 0');
    expect(
      jinja.callMacro('test_positive', ['"main"."t"', 'amount'], { strict: false }, context(), 'x.yml'),
    ).toBe('select * from "main"."t" where amount < 0');
    expect(() => jinja.callMacro('test_missing', [], {}, context(), 'x.yml')).toThrow(
      'x.yml: no macro named test_missing',
    );
  });

  it('lets a later macro definition replace an earlier one', () => {
    const jinja = new Jinja([
      { path: 'a.sql', text: '{% macro m() %}first{% endmacro %}' },
      { path: 'b.sql', text: '{% macro m() %}second{% endmacro %}' },
    ]);
    expect(jinja.render({ path: 'x.sql', text: '{{ m() }}' }, context())).toBe('second');
  });

  it('names the file in errors, including Jinja the library lacks ({% do %}) and raise_compiler_error', () => {
    expect(() => new Jinja([{ path: 'macros/bad.sql', text: '{% macro m( %}' }])).toThrow(
      /^macros\/bad\.sql: /,
    );
    expect(() => render('{% do x.append(1) %}')).toThrow('models/x.sql: Unknown statement type: do');
    expect(() => render("{{ exceptions.raise_compiler_error('no way') }}")).toThrow('models/x.sql: no way');
    expect(render("{{ log('ignored', info=true) }}ok")).toBe('ok');
  });
});

describe('adapter.dispatch', () => {
  const DISPATCHED = `
{% macro days(later, earlier) %}{{ adapter.dispatch('days')(later, earlier) }}{% endmacro %}
{% macro duckdb__days(later, earlier) %}({{ later }} - {{ earlier }}){% endmacro %}
{% macro postgres__days(later, earlier) %}cast({{ later }} - {{ earlier }} as bigint){% endmacro %}
{% macro label(x) %}{{ return(adapter.dispatch('label')(x)) }}{% endmacro %}
{% macro default__label(x) %}default {{ x }}{% endmacro %}
{% macro postgres__label(x) %}pg {{ x }}{% endmacro %}
{% macro scoped(col, scale=1, suffix='') %}{{ adapter.dispatch('scoped')(col, scale=scale, suffix=suffix) }}{% endmacro %}
{% macro default__scoped(col, scale=1, suffix='') %}select {{ col }} * {{ scale }}{{ suffix }} from {{ ref('src') }} into {{ this }} -- {{ var('region') }}{% endmacro %}
`;
  const jinja = new Jinja([{ path: 'macros/portable.sql', text: DISPATCHED }]);
  const renderFor = (text: string, adapterType?: 'duckdb' | 'postgres') =>
    jinja.render({ path: 'models/x.sql', text }, context(adapterType ? { adapterType } : {}));

  it('picks <adapter>__name for the context adapter type, DuckDB when none is given', () => {
    expect(renderFor("{{ days('a', 'b') }}")).toBe('(a - b)');
    expect(renderFor("{{ days('a', 'b') }}", 'duckdb')).toBe('(a - b)');
    expect(renderFor("{{ days('a', 'b') }}", 'postgres')).toBe('cast(a - b as bigint)');
    expect(renderFor('{{ target.type }}', 'postgres')).toBe('postgres');
    expect(renderFor('{{ target.type }}')).toBe('duckdb');
  });

  it('falls back to default__name, and return() passes its value through', () => {
    expect(renderFor("{{ label('x') }}", 'duckdb')).toBe('default x');
    expect(renderFor("{{ label('x') }}", 'postgres')).toBe('pg x');
    expect(renderFor("{{ return('as is') }}")).toBe('as is');
  });

  it("fails with dbt's message when neither macro exists, and on a dotted name", () => {
    expect(() => renderFor("{{ adapter.dispatch('nothing')('a') }}", 'postgres')).toThrow(
      "models/x.sql: In dispatch: No macro named 'nothing' found within namespace: 'None'\n" +
        "    Searched for: 'postgres__nothing', 'default__nothing'",
    );
    expect(() =>
      renderFor("{{ adapter.dispatch('nothing', macro_namespace='arlens')('a') }}", 'duckdb'),
    ).toThrow("found within namespace: 'arlens'\n    Searched for: 'duckdb__nothing', 'default__nothing'");
    expect(() => renderFor("{{ adapter.dispatch('arlens.days')('a', 'b') }}")).toThrow(
      'In adapter.dispatch, got a macro name of "arlens.days", but "." is not a valid macro name component. ' +
        'Did you mean `adapter.dispatch("days", macro_namespace="arlens")`?',
    );
    expect(() => renderFor('{{ adapter.dispatch(1)() }}')).toThrow('adapter.dispatch() takes a macro name');
  });

  it("lets a dispatched macro see the calling model's ref, this and var, with keyword arguments passed on", () => {
    expect(renderFor("{{ scoped('amount', scale=100, suffix='::bigint') }}", 'postgres')).toBe(
      'select amount * 100::bigint from "main"."src" into "marts"."me" -- EMEA',
    );
    expect(renderFor("{{ scoped('amount') }}", 'duckdb')).toBe(
      'select amount * 1 from "main"."src" into "marts"."me" -- EMEA',
    );
    const other = context({ thisRelation: '"staging"."other"', vars: { region: 'APAC' } });
    expect(jinja.render({ path: 'x.sql', text: "{{ scoped('v') }}" }, other)).toBe(
      'select v * 1 from "main"."src" into "staging"."other" -- APAC',
    );
  });

  it('dispatches through callMacro (generic tests and hooks)', () => {
    expect(jinja.callMacro('days', ['x', 'y'], {}, context({ adapterType: 'postgres' }), 'h.yml')).toBe(
      'cast(x - y as bigint)',
    );
    expect(jinja.callMacro('scoped', ['c'], { scale: 2 }, context(), 'h.yml')).toBe(
      'select c * 2 from "main"."src" into "marts"."me" -- EMEA',
    );
  });
});
