{#- One row per payment applied to an invoice on or before the as-of date (partial payments are
    several rows). Incremental: applications loaded after the last build's watermark, those of changed
    invoices or customers, those dated since the last build's as-of date; all of them when FX rates
    arrived or the as-of date moved back (the post_hook then deletes those dated after it). -#}
with

as_of as (select as_of_date from {{ ref('int_as_of') }}),
applications as (
    select * from {{ ref('stg_erp__payment_applications') }}
    where applied_date <= (select as_of_date from as_of)
),
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
        {{ days_between('a.applied_date', 'i.issue_date') }} as days_from_issue,
        {{ days_between('a.applied_date', 'i.due_date') }} as days_from_due,
        a.applied_date <= i.due_date as is_on_time,
        a.applied_amount < i.invoice_amount as is_partial,
        (select watermark from watermark) as _watermark,
        (select as_of_date from as_of) as _as_of_date
    from applications as a
    inner join invoices as i using (invoice_id)
    {{ fx_join('fx', 'i.currency_code', 'a.applied_date') }}
    {%- if is_incremental() %}
    where a.load_id > {{ previous_watermark() }}
        or a.applied_date > {{ previous_as_of() }}
        or a.invoice_id in (select invoice_id from {{ ref('stg_erp__invoices') }} where load_id > {{ previous_watermark() }})
        or i.customer_id in (select customer_id from {{ ref('stg_erp__customers') }} where load_id > {{ previous_watermark() }})
        or exists (select 1 from {{ ref('stg_erp__fx_rates') }} where load_id > {{ previous_watermark() }})
        or {{ as_of_moved_back() }}
    {%- endif %}
)

select * from final
