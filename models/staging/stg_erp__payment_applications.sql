with

source as (select * from {{ source('erp', 'payment_applications') }}),

renamed as (
    select
        ---------- ids
        receipt_id,
        invoice_id,
        ---------- dates
        applied_date,
        ---------- amounts
        applied_amount
    from source
)

select * from renamed
