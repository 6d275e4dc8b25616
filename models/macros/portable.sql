{#-
  SQL that differs between warehouse engines, behind dbt's adapter.dispatch: `duckdb__x` renders the
  SQL the models have always run on DuckDB (unchanged, so the DuckDB build means what it meant), and
  `postgres__x` the PostgreSQL form that gives the same values and types (docs/plans/postgres-engine.md
  §2.2 gives the reasons, checked on PostgreSQL 15). dbt-duckdb looks up `duckdb__x` then `default__x`,
  dbt-postgres `postgres__x` then `default__x`, so the project still runs under both.

  PostgreSQL matches DuckDB, not the other way round: DuckDB's `date - date` is BIGINT, its division of
  decimals or integers is DOUBLE, and its round() of a double rounds half away from zero on the double;
  the postgres__ forms cast and call the `arlens` functions (warehouse/pg/functions.sql) to do the same.
  Dates go through `timestamp` (never `timestamptz`), so no result depends on the session time zone.
-#}

{#- ---------- arithmetic ---------- -#}

{#- `numerator / denominator` as a DOUBLE, whatever the operand types (DuckDB's `/` on decimals and
    integers; PostgreSQL would keep numeric, or divide integers). Operands are whole SQL expressions:
    parenthesise sums. -#}
{% macro float_div(numerator, denominator) -%}
    {{ return(adapter.dispatch('float_div')(numerator, denominator)) }}
{%- endmacro %}
{% macro duckdb__float_div(numerator, denominator) -%}
    {{ numerator }} / {{ denominator }}
{%- endmacro %}
{% macro postgres__float_div(numerator, denominator) -%}
    cast({{ numerator }} as double precision) / cast({{ denominator }} as double precision)
{%- endmacro %}

{#- A KPI ratio: `numerator / denominator` as a DOUBLE, NULL when the denominator is 0 or NULL. -#}
{% macro kpi_div(numerator, denominator) -%}
    {{ float_div(numerator, 'nullif(' ~ denominator ~ ', 0)') }}
{%- endmacro %}

{#- round(x, n) of a DOUBLE as DuckDB does it (half away from zero on the double). -#}
{% macro round_as_duckdb(x, n) -%}
    {{ return(adapter.dispatch('round_as_duckdb')(x, n)) }}
{%- endmacro %}
{% macro duckdb__round_as_duckdb(x, n) -%}
    round({{ x }}, {{ n }})
{%- endmacro %}
{% macro postgres__round_as_duckdb(x, n) -%}
    arlens.round({{ x }}, {{ n }})
{%- endmacro %}

{#- ---------- dates ---------- -#}

{#- Days from `earlier` to `later` (two dates) as a BIGINT. No parentheses on DuckDB (the text the
    models had): callers keep the expression where `-` binds as they mean. -#}
{% macro days_between(later, earlier) -%}
    {{ return(adapter.dispatch('days_between')(later, earlier)) }}
{%- endmacro %}
{% macro duckdb__days_between(later, earlier) -%}
    {{ later }} - {{ earlier }}
{%- endmacro %}
{% macro postgres__days_between(later, earlier) -%}
    cast({{ later }} - {{ earlier }} as bigint)
{%- endmacro %}

{#- The first day of `part` ('month', 'quarter') holding date `d`, as a DATE. -#}
{% macro trunc_date(part, d) -%}
    {{ return(adapter.dispatch('trunc_date')(part, d)) }}
{%- endmacro %}
{% macro duckdb__trunc_date(part, d) -%}
    cast(date_trunc('{{ part }}', {{ d }}) as date)
{%- endmacro %}
{% macro postgres__trunc_date(part, d) -%}
    cast(date_trunc('{{ part }}', cast({{ d }} as timestamp)) as date)
{%- endmacro %}

{#- The last day of the month of `d` (DuckDB's last_day; dbt's own macro of that name takes other arguments). -#}
{% macro month_last_day(d) -%}
    {{ return(adapter.dispatch('month_last_day')(d)) }}
{%- endmacro %}
{% macro duckdb__month_last_day(d) -%}
    last_day({{ d }})
{%- endmacro %}
{% macro postgres__month_last_day(d) -%}
    cast(date_trunc('month', cast({{ d }} as timestamp)) + interval '1 month - 1 day' as date)
{%- endmacro %}

{#- `d` minus `n` months (a timestamp at midnight; cast it to date). -#}
{% macro months_before(d, n) -%}
    {{ return(adapter.dispatch('months_before')(d, n)) }}
{%- endmacro %}
{% macro duckdb__months_before(d, n) -%}
    {{ d }} - to_months({{ n }})
{%- endmacro %}
{% macro postgres__months_before(d, n) -%}
    cast({{ d }} as timestamp) - ({{ n }}) * interval '1 month'
{%- endmacro %}

{#- A FROM item: the timestamps from `start` to `last` (inclusive) every `step` (an interval). -#}
{% macro date_series(start, last, step) -%}
    {{ return(adapter.dispatch('date_series')(start, last, step)) }}
{%- endmacro %}
{% macro duckdb__date_series(start, last, step) -%}
    range({{ start }}, {{ last }} + interval '1 day', {{ step }})
{%- endmacro %}
{% macro postgres__date_series(start, last, step) -%}
    generate_series(cast({{ start }} as timestamp), cast({{ last }} as timestamp), {{ step }})
{%- endmacro %}

{#- A part of date `d` as a BIGINT: year, quarter, month, day, isodow (1 = Monday). -#}
{% macro date_part_int(part, d) -%}
    {{ return(adapter.dispatch('date_part_int')(part, d)) }}
{%- endmacro %}
{% macro duckdb__date_part_int(part, d) -%}
    {{ part }}({{ d }})
{%- endmacro %}
{% macro postgres__date_part_int(part, d) -%}
    cast(extract({{ part }} from {{ d }}) as bigint)
{%- endmacro %}

{#- 'YYYY-MM' of date `d`. -#}
{% macro format_year_month(d) -%}
    {{ return(adapter.dispatch('format_year_month')(d)) }}
{%- endmacro %}
{% macro duckdb__format_year_month(d) -%}
    strftime({{ d }}, '%Y-%m')
{%- endmacro %}
{% macro postgres__format_year_month(d) -%}
    to_char({{ d }}, 'YYYY-MM')
{%- endmacro %}

{#- ---------- integer series and lists ---------- -#}

{#- A FROM item: the integers from `start` up to `stop` (exclusive, as DuckDB's range). -#}
{% macro int_range(start, stop) -%}
    {{ return(adapter.dispatch('int_range')(start, stop)) }}
{%- endmacro %}
{% macro duckdb__int_range(start, stop) -%}
    range({{ start }}, {{ stop }})
{%- endmacro %}
{% macro postgres__int_range(start, stop) -%}
    generate_series({{ start }}, ({{ stop }}) - 1)
{%- endmacro %}

{#- In a select list: one row per integer from `start` up to `stop` (exclusive). -#}
{% macro unnest_int_range(start, stop) -%}
    {{ return(adapter.dispatch('unnest_int_range')(start, stop)) }}
{%- endmacro %}
{% macro duckdb__unnest_int_range(start, stop) -%}
    unnest(range({{ start }}, {{ stop }}))
{%- endmacro %}
{% macro postgres__unnest_int_range(start, stop) -%}
    generate_series({{ start }}, ({{ stop }}) - 1)
{%- endmacro %}

{#- An aggregate: the values of `expr` as a list (array) ordered by `order_by`. -#}
{% macro ordered_list(expr, order_by) -%}
    {{ return(adapter.dispatch('ordered_list')(expr, order_by)) }}
{%- endmacro %}
{% macro duckdb__ordered_list(expr, order_by) -%}
    list({{ expr }} order by {{ order_by }})
{%- endmacro %}
{% macro postgres__ordered_list(expr, order_by) -%}
    array_agg({{ expr }} order by {{ order_by }})
{%- endmacro %}

{#- True when list `list` holds `value`. -#}
{% macro list_contains(list, value) -%}
    {{ return(adapter.dispatch('list_contains')(list, value)) }}
{%- endmacro %}
{% macro duckdb__list_contains(list, value) -%}
    list_contains({{ list }}, {{ value }})
{%- endmacro %}
{% macro postgres__list_contains(list, value) -%}
    ({{ value }} = any({{ list }}))
{%- endmacro %}

{#- A JSON array of strings (text, e.g. '["I1","I2"]') as a list of VARCHAR. -#}
{% macro json_text_list(json) -%}
    {{ return(adapter.dispatch('json_text_list')(json)) }}
{%- endmacro %}
{% macro duckdb__json_text_list(json) -%}
    from_json({{ json }}, '["VARCHAR"]')
{%- endmacro %}
{% macro postgres__json_text_list(json) -%}
    array(select jsonb_array_elements_text(cast({{ json }} as jsonb)))
{%- endmacro %}

{#- An aggregate: `value` at the greatest `by` among the rows where `condition` holds; rows whose
    value or key is NULL are skipped (DuckDB's arg_max). -#}
{% macro arg_max_where(value, by, condition) -%}
    {{ return(adapter.dispatch('arg_max_where')(value, by, condition)) }}
{%- endmacro %}
{% macro duckdb__arg_max_where(value, by, condition) -%}
    arg_max(
            {{ value }},
            {{ by }}
        ) filter (where {{ condition }})
{%- endmacro %}
{% macro postgres__arg_max_where(value, by, condition) -%}
    (array_agg({{ value }} order by {{ by }} desc)
        filter (where ({{ condition }}) and ({{ value }}) is not null and ({{ by }}) is not null))[1]
{%- endmacro %}

{#- ---------- joins ---------- -#}

{#- Join each currency `currencies` (alias c) on each day `days` (alias d) to its latest rate on or
    before that day from `rates` (alias r; columns from_currency, rate_date, fx_rate): the last known
    rate carried forward, NULL before the first. Rates are unique per currency and date. -#}
{% macro carried_rate_join(rates) -%}
    {{ return(adapter.dispatch('carried_rate_join')(rates)) }}
{%- endmacro %}
{% macro duckdb__carried_rate_join(rates) -%}
    asof left join {{ rates }} as r
        on r.from_currency = c.from_currency
        and r.rate_date <= d.date_day
{%- endmacro %}
{% macro postgres__carried_rate_join(rates) -%}
    left join lateral (
        select rr.fx_rate from {{ rates }} as rr
        where rr.from_currency = c.from_currency and rr.rate_date <= d.date_day
        order by rr.rate_date desc
        limit 1
    ) as r on true
{%- endmacro %}

{#- The select of fct_ar_snapshots' `spans`: each interval of `intervals` (alias v; valid_from,
    valid_to, open_amount) with the number of the first snapshot on or after valid_from and of the
    last before valid_to, from `numbered_dates` (snapshot_date, snapshot_number); intervals without
    either are dropped (an inner join). DuckDB does it with two ASOF joins; PostgreSQL looks the
    numbers up once per distinct boundary date and joins on equality. -#}
{% macro snapshot_spans(intervals, numbered_dates) -%}
    {{ return(adapter.dispatch('snapshot_spans')(intervals, numbered_dates)) }}
{%- endmacro %}
{% macro duckdb__snapshot_spans(intervals, numbered_dates) -%}
    select v.*, first_snapshot.snapshot_number as first_number, last_snapshot.snapshot_number as last_number
    from {{ intervals }} as v
    asof inner join {{ numbered_dates }} as first_snapshot on first_snapshot.snapshot_date >= v.valid_from
    asof inner join {{ numbered_dates }} as last_snapshot on last_snapshot.snapshot_date < v.valid_to
    where v.open_amount > 0
{%- endmacro %}
{% macro postgres__snapshot_spans(intervals, numbered_dates) -%}
    select v.*, first_snapshot.snapshot_number as first_number, last_snapshot.snapshot_number as last_number
    from {{ intervals }} as v
    inner join (
        select b.d, (select min(n.snapshot_number) from {{ numbered_dates }} as n where n.snapshot_date >= b.d) as snapshot_number
        from (select distinct valid_from as d from {{ intervals }}) as b
    ) as first_snapshot on first_snapshot.d = v.valid_from
    inner join (
        select b.d, (select max(n.snapshot_number) from {{ numbered_dates }} as n where n.snapshot_date < b.d) as snapshot_number
        from (select distinct valid_to as d from {{ intervals }}) as b
    ) as last_snapshot on last_snapshot.d = v.valid_to
    where v.open_amount > 0
        and first_snapshot.snapshot_number is not null
        and last_snapshot.snapshot_number is not null
{%- endmacro %}
