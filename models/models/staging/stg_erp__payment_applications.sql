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
        applied_amount,
        ---------- lineage
        _load_id as load_id
    from source
)

select * from renamed
