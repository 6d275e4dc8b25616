{#- One row per customer: master data plus credit terms and status flags. -#}
with

customers as (select * from {{ ref('stg_erp__customers') }}),

final as (
    select
        customer_id,
        customer_name,
        region,
        country_code,
        segment,
        industry,
        salesperson,
        credit_controller,
        currency_code,
        credit_limit_amount,
        payment_terms_days,
        customer_status,
        is_credit_blocked,
        is_blacklisted
    from customers
)

select * from final
