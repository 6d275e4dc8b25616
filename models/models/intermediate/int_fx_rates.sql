{#- Rates into the reporting currency, plus the identity rate for the reporting currency itself. -#}
with

rates as (
    select rate_date, from_currency, fx_rate
    from {{ ref('stg_erp__fx_rates') }}
    where to_currency = '{{ var("reporting_currency") }}'
),

identity as (
    select date '1900-01-01' as rate_date, '{{ var("reporting_currency") }}' as from_currency,
        cast(1 as decimal(18, 8)) as fx_rate
),

final as (
    select * from rates
    union all
    select * from identity
)

select * from final
