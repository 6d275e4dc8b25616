{#- The latest load an incremental model's rows were built from; '' when the table is empty (a first
    run that found no data), so that every load id compares greater than it, never NULL. -#}
{% macro previous_watermark() -%}
    coalesce((select max(_watermark) from {{ this }}), '')
{%- endmacro %}

{#- The as-of date an incremental model's rows were last built for (1900-01-01 when none). -#}
{% macro previous_as_of() -%}
    coalesce((select max(_as_of_date) from {{ this }}), date '1900-01-01')
{%- endmacro %}

{#- True when this build's as-of date is earlier than the last one: rows dated after it must go (the
    model's post_hook deletes them) and every row is recomputed. -#}
{% macro as_of_moved_back() -%}
    ((select as_of_date from {{ ref('int_as_of') }}) < {{ previous_as_of() }})
{%- endmacro %}
