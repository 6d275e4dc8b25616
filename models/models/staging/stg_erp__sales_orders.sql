with

source as (select * from {{ source('erp', 'sales_orders') }}),

renamed as (
    select
        ---------- ids
        sales_order_id,
        customer_id,
        ---------- dates
        order_date,
        requested_delivery_date,
        ---------- amounts
        open_amount as open_order_amount,
        currency as currency_code,
        ---------- attributes
        {{ dimension('product_line') }} as product_line,
        status as order_status,
        ---------- lineage
        _load_id as load_id
    from source
)

select * from renamed
