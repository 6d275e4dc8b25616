{#- Rates into the reporting currency, plus the identity rate for the reporting currency itself.
    The rate is DECIMAL(38, 8), not the export's (18, 8): DuckDB multiplies two DECIMAL(18) in 64 bits,
    so amount * rate overflowed once the converted amount passed 10^8 (a USD 1,000,000 invoice in a
    JPY-reporting warehouse failed the build); a 38-digit operand makes the product 128-bit. -#}
with

rates as (
    select rate_date, from_currency, cast(fx_rate as decimal(38, 8)) as fx_rate
    from {{ ref('stg_erp__fx_rates') }}
    where to_currency = '{{ var("reporting_currency") }}'
),

identity as (
    select date '1900-01-01' as rate_date, '{{ var("reporting_currency") }}' as from_currency,
        cast(1 as decimal(38, 8)) as fx_rate
),

final as (
    select * from rates
    union all
    select * from identity
)

select * from final
