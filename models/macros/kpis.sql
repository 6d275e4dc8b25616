{#-
  AR KPI formulas, written once (docs/kpis.md explains each with its source). Arguments are SQL
  expressions; every ratio is NULL when its denominator is zero or NULL (never a division error), and
  a DOUBLE on every engine (kpi_div, macros/portable.sql).
-#}

{#- Standard DSO over a period: ending AR / credit sales of the period x days in the period. -#}
{% macro dso(ending_ar, credit_sales, days) -%}
    {{ kpi_div('(' ~ ending_ar ~ ')', credit_sales) }} * ({{ days }})
{%- endmacro %}

{#- Best possible DSO: only the current (not yet due) part of AR. -#}
{% macro best_possible_dso(current_ar, credit_sales, days) -%}
    {{ kpi_div('(' ~ current_ar ~ ')', credit_sales) }} * ({{ days }})
{%- endmacro %}

{#- Collection effectiveness index, in percent. -#}
{% macro cei(beginning_ar, credit_sales, ending_ar, ending_current_ar) -%}
    {{ kpi_div(
        '100.0 * ((' ~ beginning_ar ~ ') + (' ~ credit_sales ~ ') - (' ~ ending_ar ~ '))',
        '(' ~ beginning_ar ~ ') + (' ~ credit_sales ~ ') - (' ~ ending_current_ar ~ ')'
    ) }}
{%- endmacro %}

{#- Bad-debt rate: amounts written off in the period / credit sales of the period. -#}
{% macro bad_debt_rate(write_offs, credit_sales) -%}
    {{ kpi_div('(' ~ write_offs ~ ')', credit_sales) }}
{%- endmacro %}

{#- A ratio of two counts or sums, NULL when the denominator is zero. -#}
{% macro safe_ratio(numerator, denominator) -%}
    {{ kpi_div('(' ~ numerator ~ ')', denominator) }}
{%- endmacro %}

{#- Join the reporting-currency rate of `currency_expr` on `date_expr` (int_fx_daily), as `alias`. -#}
{% macro fx_join(alias, currency_expr, date_expr) -%}
    left join {{ ref('int_fx_daily') }} as {{ alias }}
        on {{ alias }}.from_currency = {{ currency_expr }}
        and {{ alias }}.rate_date = {{ date_expr }}
{%- endmacro %}

{#- An optional dimension's value, or the explicit member '(unassigned)' when the export left it
    empty: a group that is missing from a join or a GROUP BY would drop its money from every total. -#}
{% macro dimension(column) -%}
    coalesce(nullif(trim({{ column }}), ''), '(unassigned)')
{%- endmacro %}
