{#-
  Credit exposure per customer at the as-of date: open AR plus open sales orders, against the credit
  limit (all in the customer's currency; amounts in other currencies converted through the reporting
  currency at the as-of rate). Utilisation is exposure / limit; customers without a limit have none.
-#}
with

as_of as (select as_of_date from {{ ref('int_as_of') }}),
customers as (select * from {{ ref('dim_customers') }}),
invoices as (select * from {{ ref('fct_invoices') }} where open_amount > 0),
orders as (select * from {{ ref('stg_erp__sales_orders') }}),

open_ar as (
    select customer_id, sum(open_amount_rc) as open_ar_rc,
        sum(open_amount_rc) filter (where days_past_due > 0) as overdue_ar_rc
    from invoices
    group by customer_id
),

open_orders as (
    select o.customer_id, sum(o.open_order_amount * fx.fx_rate) as open_orders_rc
    from orders as o
    cross join as_of as a
    {{ fx_join('fx', 'o.currency_code', 'a.as_of_date') }}
    group by o.customer_id
),

customer_rate as (
    select c.customer_id, fx.fx_rate as customer_fx_rate
    from customers as c
    cross join as_of as a
    {{ fx_join('fx', 'c.currency_code', 'a.as_of_date') }}
),

final as (
    select
        c.customer_id,
        c.customer_name,
        c.region,
        c.segment,
        c.salesperson,
        c.credit_controller,
        c.currency_code,
        c.customer_status,
        c.is_credit_blocked,
        a.as_of_date,
        c.credit_limit_amount,
        (c.credit_limit_amount * r.customer_fx_rate)::decimal(18, 2) as credit_limit_amount_rc,
        coalesce(ar.open_ar_rc, 0)::decimal(18, 2) as open_ar_rc,
        coalesce(ar.overdue_ar_rc, 0)::decimal(18, 2) as overdue_ar_rc,
        coalesce(oo.open_orders_rc, 0)::decimal(18, 2) as open_orders_rc,
        (coalesce(ar.open_ar_rc, 0) + coalesce(oo.open_orders_rc, 0))::decimal(18, 2) as exposure_rc,
        {{ kpi_div(
            '(coalesce(ar.open_ar_rc, 0) + coalesce(oo.open_orders_rc, 0))',
            'c.credit_limit_amount * r.customer_fx_rate'
        ) }} as credit_utilisation,
        (c.credit_limit_amount * r.customer_fx_rate - coalesce(ar.open_ar_rc, 0) - coalesce(oo.open_orders_rc, 0))
            ::decimal(18, 2) as credit_headroom_rc,
        c.credit_limit_amount is not null
            and coalesce(ar.open_ar_rc, 0) + coalesce(oo.open_orders_rc, 0) > c.credit_limit_amount * r.customer_fx_rate
            as is_over_limit
    from customers as c
    cross join as_of as a
    left join customer_rate as r using (customer_id)
    left join open_ar as ar using (customer_id)
    left join open_orders as oo using (customer_id)
)

select * from final
