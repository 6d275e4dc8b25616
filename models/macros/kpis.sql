{#-
  AR KPI formulas, written once (docs/kpis.md explains each with its source). Arguments are SQL
  expressions; every ratio is NULL when its denominator is zero or NULL (never a division error).
-#}

{#- Standard DSO over a period: ending AR / credit sales of the period x days in the period. -#}
{% macro dso(ending_ar, credit_sales, days) -%}
    ({{ ending_ar }}) / nullif({{ credit_sales }}, 0) * ({{ days }})
{%- endmacro %}

{#- Best possible DSO: only the current (not yet due) part of AR. -#}
{% macro best_possible_dso(current_ar, credit_sales, days) -%}
    ({{ current_ar }}) / nullif({{ credit_sales }}, 0) * ({{ days }})
{%- endmacro %}

{#- Collection effectiveness index, in percent. -#}
{% macro cei(beginning_ar, credit_sales, ending_ar, ending_current_ar) -%}
    100.0 * (({{ beginning_ar }}) + ({{ credit_sales }}) - ({{ ending_ar }}))
        / nullif(({{ beginning_ar }}) + ({{ credit_sales }}) - ({{ ending_current_ar }}), 0)
{%- endmacro %}

{#- Bad-debt rate: amounts written off in the period / credit sales of the period. -#}
{% macro bad_debt_rate(write_offs, credit_sales) -%}
    ({{ write_offs }}) / nullif({{ credit_sales }}, 0)
{%- endmacro %}

{#- A ratio of two counts or sums, NULL when the denominator is zero. -#}
{% macro safe_ratio(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
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
