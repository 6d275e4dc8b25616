with

source as (select * from {{ source('erp', 'fx_rates') }}),

renamed as (
    select
        ---------- dates
        rate_date,
        ---------- currencies
        from_currency,
        to_currency,
        ---------- amounts
        rate as fx_rate
    from source
)

select * from renamed
