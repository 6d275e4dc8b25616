{#- The latest ingest load in the warehouse (load ids sort in load order). Incremental models store it
    with their rows, and their next run processes only what arrived after it. -#}
with

loads as (
    {%- for entity in ['customers', 'invoices', 'payments', 'payment_applications', 'credit_memos', 'write_offs',
                       'disputes', 'collection_activities', 'sales_orders', 'fx_rates'] %}
    select max(load_id) as load_id from {{ ref('stg_erp__' ~ entity) }}
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}
),

final as (select coalesce(max(load_id), '') as watermark from loads)

select * from final
