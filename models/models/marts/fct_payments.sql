{#- One row per payment received on or before the as-of date: amounts in the document and reporting
    currency, applied and unapplied (applications dated after the as-of date do not count yet).
    Incremental: payments loaded after the last build's watermark, payments with new applications,
    the payments of changed customers, payments and applications dated since the last build's as-of
    date; all of them when FX rates arrived or the as-of date moved back (the post_hook then deletes
    payments dated after it). -#}
with

as_of as (select as_of_date from {{ ref('int_as_of') }}),
payments as (
    select * from {{ ref('stg_erp__payments') }}
    where payment_date <= (select as_of_date from as_of)
),
customers as (select * from {{ ref('stg_erp__customers') }}),
watermark as (select watermark from {{ ref('int_load_watermark') }}),
{%- if is_incremental() %}

-- Materialized, and applied before the joins: left to the planner, the filter came last, after
-- every payment was joined to its customer, applications and rate (4 s of a 1M-invoice build).
scope as materialized (
    select receipt_id from payments where load_id > {{ previous_watermark() }}
    union
    select receipt_id from {{ ref('stg_erp__payment_applications') }} where load_id > {{ previous_watermark() }}
    union
    select p.receipt_id from payments as p inner join customers as c using (customer_id)
    where c.load_id > {{ previous_watermark() }}
    union
    select receipt_id from payments where payment_date > {{ previous_as_of() }}
    union
    select receipt_id from {{ ref('stg_erp__payment_applications') }} where applied_date > {{ previous_as_of() }}
    union
    select receipt_id from payments
    where exists (select 1 from {{ ref('stg_erp__fx_rates') }} where load_id > {{ previous_watermark() }})
        or {{ as_of_moved_back() }}
),
{%- endif %}

applications as (
    select receipt_id, sum(applied_amount) as applied_amount, count(*) as invoices_settled
    from {{ ref('stg_erp__payment_applications') }}
    where applied_date <= (select as_of_date from as_of)
    {%- if is_incremental() %}
        and receipt_id in (select receipt_id from scope)
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
        (select watermark from watermark) as _watermark,
        (select as_of_date from as_of) as _as_of_date
    {%- if is_incremental() %}
    from (select * from payments where receipt_id in (select receipt_id from scope)) as p
    {%- else %}
    from payments as p
    {%- endif %}
    inner join customers as c using (customer_id)
    left join applications as a using (receipt_id)
    {{ fx_join('fx', 'p.currency_code', 'p.payment_date') }}
)

select * from final
