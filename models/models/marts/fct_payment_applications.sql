{#- One row per payment applied to an invoice (partial payments are several rows).
    Incremental: applications loaded after the last build's watermark, and those of changed invoices. -#}
with

applications as (select * from {{ ref('stg_erp__payment_applications') }}),
invoices as (select * from {{ ref('fct_invoices') }}),
watermark as (select watermark from {{ ref('int_load_watermark') }}),

final as (
    select
        a.receipt_id,
        a.invoice_id,
        i.customer_id,
        i.region,
        i.product_line,
        i.salesperson,
        i.currency_code,
        a.applied_date,
        i.issue_date,
        i.due_date,
        a.applied_amount,
        (a.applied_amount * fx.fx_rate)::decimal(18, 2) as applied_amount_rc,
        a.applied_date - i.issue_date as days_from_issue,
        a.applied_date - i.due_date as days_from_due,
        a.applied_date <= i.due_date as is_on_time,
        a.applied_amount < i.invoice_amount as is_partial,
        (select watermark from watermark) as _watermark
    from applications as a
    inner join invoices as i using (invoice_id)
    {{ fx_join('fx', 'i.currency_code', 'a.applied_date') }}
    {%- if is_incremental() %}
    where a.load_id > (select max(_watermark) from {{ this }})
        or a.invoice_id in (select invoice_id from {{ ref('stg_erp__invoices') }} where load_id > (select max(_watermark) from {{ this }}))
    {%- endif %}
)

select * from final
