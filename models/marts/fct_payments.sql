{#- One row per payment: amounts in the document and reporting currency, applied and unapplied. -#}
with

payments as (select * from {{ ref('stg_erp__payments') }}),
customers as (select * from {{ ref('stg_erp__customers') }}),
applications as (
    select receipt_id, sum(applied_amount) as applied_amount, count(*) as invoices_settled
    from {{ ref('stg_erp__payment_applications') }}
    group by receipt_id
),

final as (
    select
        p.receipt_id,
        p.customer_id,
        c.region,
        c.country_code,
        c.segment,
        c.salesperson,
        c.credit_controller,
        p.payment_date,
        p.payment_method,
        p.bank_reference,
        p.currency_code,
        p.payment_amount,
        coalesce(a.applied_amount, 0)::decimal(18, 2) as applied_amount,
        (p.payment_amount - coalesce(a.applied_amount, 0))::decimal(18, 2) as unapplied_amount,
        coalesce(a.invoices_settled, 0) as invoices_settled,
        (p.payment_amount * fx.fx_rate)::decimal(18, 2) as payment_amount_rc
    from payments as p
    inner join customers as c using (customer_id)
    left join applications as a using (receipt_id)
    {{ fx_join('fx', 'p.currency_code', 'p.payment_date') }}
)

select * from final
