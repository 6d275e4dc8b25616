{#- The date the marts describe: var('as_of_date') when set, else the last business date in the data. -#}
with

invoices as (select max(issue_date) as d from {{ ref('stg_erp__invoices') }}),
payments as (select max(payment_date) as d from {{ ref('stg_erp__payments') }}),

final as (
    select
        {%- if var('as_of_date', none) %}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {%- else %}
        greatest(invoices.d, coalesce(payments.d, invoices.d)) as as_of_date
        {%- endif %}
    from invoices, payments
)

select * from final
