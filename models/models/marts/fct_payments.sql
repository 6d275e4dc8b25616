{#- One row per payment: amounts in the document and reporting currency, applied and unapplied.
    Incremental: payments loaded after the last build's watermark, payments with new applications, and
    the payments of changed customers. -#}
with

payments as (select * from {{ ref('stg_erp__payments') }}),
customers as (select * from {{ ref('stg_erp__customers') }}),
watermark as (select watermark from {{ ref('int_load_watermark') }}),
{%- if is_incremental() %}

scope as (
    select receipt_id from payments where load_id > (select max(_watermark) from {{ this }})
    union
    select receipt_id from {{ ref('stg_erp__payment_applications') }} where load_id > (select max(_watermark) from {{ this }})
    union
    select p.receipt_id from payments as p inner join customers as c using (customer_id)
    where c.load_id > (select max(_watermark) from {{ this }})
),
{%- endif %}

applications as (
    select receipt_id, sum(applied_amount) as applied_amount, count(*) as invoices_settled
    from {{ ref('stg_erp__payment_applications') }}
    {%- if is_incremental() %}
    where receipt_id in (select receipt_id from scope)
    {%- endif %}
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
        (p.payment_amount * fx.fx_rate)::decimal(18, 2) as payment_amount_rc,
        (select watermark from watermark) as _watermark
    from payments as p
    inner join customers as c using (customer_id)
    left join applications as a using (receipt_id)
    {{ fx_join('fx', 'p.currency_code', 'p.payment_date') }}
    {%- if is_incremental() %}
    where p.receipt_id in (select receipt_id from scope)
    {%- endif %}
)

select * from final
