with

source as (select * from {{ source('erp', 'disputes') }}),

renamed as (
    select
        ---------- ids
        dispute_id,
        invoice_id,
        customer_id,
        ---------- dates
        opened_date,
        resolved_date,
        ---------- amounts
        disputed_amount,
        currency as currency_code,
        ---------- attributes
        reason as dispute_reason,
        status as dispute_status,
        ---------- lineage
        _load_id as load_id
    from source
)

select * from renamed
