{#- The date the marts describe: var('as_of_date') when set, else the last business date in the data
    (an invoice, payment, application, credit memo or write-off), else today for an empty ledger. -#}
with

documents as (
    select max(issue_date) as d from {{ ref('stg_erp__invoices') }}
    union all
    select max(payment_date) from {{ ref('stg_erp__payments') }}
    union all
    select max(applied_date) from {{ ref('stg_erp__payment_applications') }}
    union all
    select max(memo_date) from {{ ref('stg_erp__credit_memos') }}
    union all
    select max(write_off_date) from {{ ref('stg_erp__write_offs') }}
),

final as (
    select
        {%- if var('as_of_date', none) %}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {%- else %}
        coalesce(d, current_date) as as_of_date
        {%- endif %}
    from (select max(d) as d from documents)
)

select * from final
