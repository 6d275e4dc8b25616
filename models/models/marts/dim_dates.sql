{#- A calendar from the first invoice date to one year after the as-of date (due dates run ahead). -#}
with

bounds as (
    select min(i.issue_date) as first_date, max(a.as_of_date) + interval '365 day' as last_date
    from {{ ref('stg_erp__invoices') }} as i, {{ ref('int_as_of') }} as a
),

days as (
    select cast(d as date) as date_day
    from bounds, {{ date_series('bounds.first_date', 'bounds.last_date', "interval '1 day'") }} as t(d)
),

final as (
    select
        date_day,
        {{ date_part_int('year', 'date_day') }} as year_number,
        {{ date_part_int('quarter', 'date_day') }} as quarter_number,
        {{ date_part_int('month', 'date_day') }} as month_number,
        {{ trunc_date('month', 'date_day') }} as month_start_date,
        cast({{ month_last_day('date_day') }} as date) as month_end_date,
        {{ trunc_date('quarter', 'date_day') }} as quarter_start_date,
        {{ format_year_month('date_day') }} as year_month,
        {{ date_part_int('isodow', 'date_day') }} as iso_day_of_week,
        {{ date_part_int('isodow', 'date_day') }} >= 6 as is_weekend,
        date_day = {{ month_last_day('date_day') }} as is_month_end,
        {{ date_part_int('day', month_last_day('date_day')) }} as days_in_month
    from days
)

select * from final
