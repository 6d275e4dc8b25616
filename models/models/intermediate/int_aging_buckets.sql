{#- The aging buckets as configured (macros/aging.sql), in order, with their day ranges. -#}
{%- set due = var('aging_basis') != 'document_date' -%}
{%- set ns = namespace(previous=(0 if due else -1), position=0) -%}
with

buckets (aging_bucket_order, aging_bucket, min_days, max_days) as (
    values
    {%- if due %}
        (0, 'current', cast(null as integer), 0),
        {%- set ns.position = 1 %}
    {%- endif %}
    {%- for bound in var('aging_buckets') %}
        ({{ ns.position }}, '{{ ns.previous + 1 }}-{{ bound }}', {{ ns.previous + 1 }}, {{ bound }}),
        {%- set ns.previous = bound %}
        {%- set ns.position = ns.position + 1 %}
    {%- endfor %}
        ({{ ns.position }}, '{{ ns.previous }}+', {{ ns.previous + 1 }}, cast(null as integer))
),

final as (
    select
        aging_bucket_order,
        aging_bucket,
        min_days,
        max_days,
        '{{ var("aging_basis") }}' as aging_basis
    from buckets
)

select * from final
