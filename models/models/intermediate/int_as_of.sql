{#- The date the marts describe: var('as_of_date') when set, else the last business date in the data
    (an invoice, payment, application, credit memo or write-off), else today for an empty ledger.
    A table, so the warehouse records the as-of date (and where it came from) of the build that
    published it: the server and the dashboard show it, and the next build compares with it. -#}
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
        cast('{{ var("as_of_date") }}' as date) as as_of_date,
        'set' as as_of_source
        {%- else %}
        coalesce(d, current_date) as as_of_date,
        case when d is null then 'today (no documents)' else 'last document date' end as as_of_source
        {%- endif %}
    from (select max(d) as d from documents) as latest
)

select * from final
