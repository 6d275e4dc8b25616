{#- The reporting-currency rate of every currency on every calendar day (last known rate carried
    forward), so that conversions are plain equality joins (fx_join macro). -#}
with

days as (select date_day from {{ ref('dim_dates') }}),
rates as (select * from {{ ref('int_fx_rates') }}),
currencies as (select distinct from_currency from rates),

final as (
    select d.date_day as rate_date, c.from_currency, r.fx_rate
    from days as d
    cross join currencies as c
    {{ carried_rate_join('rates') }}
)

select * from final
