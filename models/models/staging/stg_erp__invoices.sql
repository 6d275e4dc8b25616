with

source as (select * from {{ source('erp', 'invoices') }}),

renamed as (
    select
        ---------- ids
        invoice_id,
        customer_id,
        sales_order_id,
        shipment_batch,
        ---------- dates
        issue_date,
        due_date,
        ---------- amounts
        amount as invoice_amount,
        currency as currency_code,
        ---------- attributes
        {{ dimension('product_line') }} as product_line,
        nullif(trim(salesperson), '') as invoice_salesperson,
        ---------- lineage
        _load_id as load_id
    from source
)

select * from renamed
