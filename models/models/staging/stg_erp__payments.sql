with

source as (select * from {{ source('erp', 'payments') }}),

renamed as (
    select
        ---------- ids
        receipt_id,
        customer_id,
        ---------- dates
        payment_date,
        ---------- amounts
        amount as payment_amount,
        currency as currency_code,
        ---------- attributes
        method as payment_method,
        bank_reference,
        ---------- lineage
        _load_id as load_id
    from source
)

select * from renamed
