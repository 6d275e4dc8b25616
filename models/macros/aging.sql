{#-
  Aging, as configured: var('aging_basis') (due_date or document_date) and var('aging_buckets') (the
  buckets' upper bounds in days, ascending). With the due-date basis the first bucket is 'current'
  (not yet due), then '1-30', '31-60', … ; with the document-date basis '0-30', '31-60', … . The last
  bucket is open: '180+'. Labels are the same everywhere (marts, Cube, dashboard): int_aging_buckets
  lists them in order.
-#}

{#- The days an item has aged at `as_of_date`, on the configured basis. -#}
{% macro aging_days(due_date, document_date, as_of_date) -%}
    {%- if var('aging_basis') == 'document_date' -%}
        ({{ days_between(as_of_date, document_date) }})
    {%- else -%}
        ({{ days_between(as_of_date, due_date) }})
    {%- endif -%}
{%- endmacro %}

{#- The bucket of an item aged `days` (its label, or with order=true its position, 0 first). -#}
{% macro aging_bucket(days, order=false) -%}
    {%- set due = var('aging_basis') != 'document_date' -%}
    {%- set ns = namespace(previous=(0 if due else -1), position=0) -%}
    case
    {%- if due %}
        when {{ days }} <= 0 then {{ 0 if order else "'current'" }}
        {%- set ns.position = 1 %}
    {%- endif %}
    {%- for bound in var('aging_buckets') %}
        when {{ days }} <= {{ bound }} then {{ ns.position if order else "'" ~ (ns.previous + 1) ~ '-' ~ bound ~ "'" }}
        {%- set ns.previous = bound %}
        {%- set ns.position = ns.position + 1 %}
    {%- endfor %}
        else {{ ns.position if order else "'" ~ ns.previous ~ "+'" }}
    end
{%- endmacro %}

{#- The aging configuration as text: incremental models keep it per row and rebuild every row when it
    changes (the buckets of rows built before would be the old ones). -#}
{% macro aging_signature() -%}
    '{{ var("aging_basis") }}:{{ var("aging_buckets") | join(",") }}'
{%- endmacro %}

{#- True when this model's rows were built with another aging configuration. -#}
{% macro aging_changed() -%}
    (coalesce((select max(_aging) from {{ this }}), '') <> {{ aging_signature() }})
{%- endmacro %}
