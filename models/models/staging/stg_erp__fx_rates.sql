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
        rate as fx_rate,
        ---------- lineage
        _load_id as load_id
    from source
)

select * from renamed
