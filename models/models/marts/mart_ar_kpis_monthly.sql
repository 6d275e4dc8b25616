{#-
  Monthly AR KPIs per region x product line x salesperson (reporting currency). The additive parts
  come from int_ar_monthly_components; the formulas are the macros in macros/kpis.sql, documented with
  their sources in docs/kpis.md. Aggregating across groups must recompute ratios from the parts (the
  semantic layer does), never average the ratios.
-#}
with

components as (select * from {{ ref('int_ar_monthly_components') }}),

{#- Countback DSO: walk back month by month from the period end, consuming each month's credit sales
    until the ending AR is used up; the days walked (the last month pro rata) are the DSO. -#}
walk as (
    select
        c.region, c.product_line, c.salesperson, c.month_start, c.ending_ar_rc,
        p.month_start as back_month,
        p.credit_sales_rc as back_sales,
        p.days_in_period as back_days,
        sum(p.credit_sales_rc) over back as cumulative_sales,
        sum(p.days_in_period) over back as cumulative_days
    from components as c
    inner join components as p
        on p.region = c.region and p.product_line = c.product_line and p.salesperson = c.salesperson
        and p.month_start <= c.month_start
        and p.month_start > c.month_start - interval '24 month'
    window back as (
        partition by c.region, c.product_line, c.salesperson, c.month_start
        order by p.month_start desc rows between unbounded preceding and current row
    )
),

countback as (
    select
        region, product_line, salesperson, month_start,
        {{ arg_max_where(
            '(cumulative_days - back_days)
                + ' ~ float_div('(ending_ar_rc - (cumulative_sales - back_sales))', 'back_sales') ~ ' * back_days',
            'back_month',
            'cumulative_sales >= ending_ar_rc and back_sales > 0'
        ) }} as countback_dso
    from walk
    group by region, product_line, salesperson, month_start
),

{#- The same walk, kept as parts the semantic layer can add up across groups: the credit sales and
    days of this month and the 23 before it (index 1 = this month), zero before the group's first
    month. Countback DSO for any set of groups is then countback_dso_days(sum of ending AR, element-wise
    sum of back_sales_rc, back_days); see cube/sql-functions.ts. -#}
back as (
    select
        c.region, c.product_line, c.salesperson, c.month_start,
        {{ ordered_list('coalesce(p.credit_sales_rc, 0)::decimal(18, 2)', 'b.k') }}::decimal(18, 2)[] as back_sales_rc,
        {{ ordered_list(
            'coalesce(p.days_in_period, cast(' ~ month_last_day(months_before('c.month_start', 'b.k - 1')) ~ ' as date)
                - cast(' ~ months_before('c.month_start', 'b.k - 1') ~ ' as date) + 1)',
            'b.k'
        ) }}::integer[] as back_days
    from components as c
    cross join {{ int_range(1, 25) }} as b(k)
    left join components as p
        on p.region = c.region and p.product_line = c.product_line and p.salesperson = c.salesperson
        and p.month_start = {{ months_before('c.month_start', 'b.k - 1') }}
    group by c.region, c.product_line, c.salesperson, c.month_start
),

final as (
    select
        c.*,
        bk.back_sales_rc,
        bk.back_days,
        {{ round_as_duckdb(dso('c.ending_ar_rc', 'c.credit_sales_rc', 'c.days_in_period'), 2) }}::decimal(18, 2) as dso_days,
        {{ round_as_duckdb('case when c.ending_ar_rc <= 0 then 0 else cb.countback_dso end', 2) }}::decimal(18, 2) as countback_dso_days,
        {{ round_as_duckdb(best_possible_dso('c.ending_current_ar_rc', 'c.credit_sales_rc', 'c.days_in_period'), 2) }}
            ::decimal(18, 2) as best_possible_dso_days,
        {{ round_as_duckdb(
            dso('c.ending_ar_rc', 'c.credit_sales_rc', 'c.days_in_period')
            ~ ' - ' ~ best_possible_dso('c.ending_current_ar_rc', 'c.credit_sales_rc', 'c.days_in_period'),
            2
        ) }}::decimal(18, 2) as average_days_delinquent,
        {{ round_as_duckdb(cei('c.beginning_ar_rc', 'c.credit_sales_rc', 'c.ending_ar_rc', 'c.ending_current_ar_rc'), 2) }}
            ::decimal(18, 2) as cei_percent,
        {{ round_as_duckdb(bad_debt_rate('c.write_offs_rc', 'c.credit_sales_rc'), 6) }}::decimal(18, 6) as bad_debt_rate,
        {{ round_as_duckdb(safe_ratio('c.on_time_invoice_count', 'c.settled_invoice_count'), 6) }}::decimal(18, 6) as on_time_ratio,
        {{ round_as_duckdb(safe_ratio('c.sum_days_to_pay', 'c.paid_invoice_count'), 2) }}::decimal(18, 2) as average_days_to_pay,
        {{ round_as_duckdb(safe_ratio('c.sum_days_beyond_terms', 'c.paid_invoice_count'), 2) }}::decimal(18, 2)
            as average_days_beyond_terms
    from components as c
    left join countback as cb using (region, product_line, salesperson, month_start)
    left join back as bk using (region, product_line, salesperson, month_start)
)

select * from final
