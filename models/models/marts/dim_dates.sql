{#- A calendar from the first invoice date to one year after the as-of date (due dates run ahead). -#}
with

bounds as (
    select min(i.issue_date) as first_date, max(a.as_of_date) + interval 365 day as last_date
    from {{ ref('stg_erp__invoices') }} as i, {{ ref('int_as_of') }} as a
),

days as (
    select cast(d as date) as date_day
    from bounds, range(bounds.first_date, bounds.last_date + interval 1 day, interval 1 day) as t(d)
),

final as (
    select
        date_day,
        year(date_day) as year_number,
        quarter(date_day) as quarter_number,
        month(date_day) as month_number,
        cast(date_trunc('month', date_day) as date) as month_start_date,
        cast(last_day(date_day) as date) as month_end_date,
        cast(date_trunc('quarter', date_day) as date) as quarter_start_date,
        strftime(date_day, '%Y-%m') as year_month,
        isodow(date_day) as iso_day_of_week,
        isodow(date_day) >= 6 as is_weekend,
        date_day = last_day(date_day) as is_month_end,
        day(last_day(date_day)) as days_in_month
    from days
)

select * from final
