with

source as (select * from {{ source('erp', 'write_offs') }}),

renamed as (
    select
        ---------- ids
        write_off_id,
        invoice_id,
        customer_id,
        ---------- dates
        write_off_date,
        ---------- amounts
        amount as write_off_amount,
        currency as currency_code,
        ---------- attributes
        reason as write_off_reason,
        ---------- lineage
        _load_id as load_id
    from source
)

select * from renamed
