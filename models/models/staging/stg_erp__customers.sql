with

source as (select * from {{ source('erp', 'customers') }}),

renamed as (
    select
        ---------- ids
        customer_id,
        ---------- descriptors
        customer_name,
        {{ dimension('region') }} as region,
        {{ dimension('country') }} as country_code,
        {{ dimension('segment') }} as segment,
        {{ dimension('industry') }} as industry,
        {{ dimension('salesperson') }} as salesperson,
        {{ dimension('credit_controller') }} as credit_controller,
        ---------- credit terms
        credit_limit as credit_limit_amount,
        payment_terms_days,
        currency as currency_code,
        ---------- status
        status as customer_status,
        status in ('blocked', 'blacklisted') as is_credit_blocked,
        status = 'blacklisted' as is_blacklisted,
        ---------- lineage
        _load_id as load_id
    from source
)

select * from renamed
