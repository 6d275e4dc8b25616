with

source as (select * from {{ source('erp', 'collection_activities') }}),

renamed as (
    select
        ---------- ids
        activity_id,
        customer_id,
        invoice_id,
        ---------- dates
        activity_date,
        promised_date,
        ---------- amounts
        promised_amount,
        currency as currency_code,
        ---------- attributes
        activity_type,
        owner as collector,
        outcome,
        note,
        ---------- lineage
        _load_id as load_id
    from source
)

select * from renamed
