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
