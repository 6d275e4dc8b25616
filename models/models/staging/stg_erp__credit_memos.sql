with

source as (select * from {{ source('erp', 'credit_memos') }}),

renamed as (
    select
        ---------- ids
        credit_memo_id,
        customer_id,
        invoice_id,
        ---------- dates
        memo_date,
        ---------- amounts
        amount as credit_amount,
        currency as currency_code,
        ---------- attributes
        reason as credit_reason,
        ---------- lineage
        _load_id as load_id
    from source
)

select * from renamed
