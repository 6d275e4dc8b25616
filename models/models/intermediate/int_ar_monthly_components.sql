{#-
  The additive parts every monthly AR KPI is computed from, per month x region x product line x
  salesperson, in the reporting currency. Every group has a row for every month from its first
  invoice to the as-of month (zeros where nothing happened), so "previous month" is always there.
  The as-of month is a partial period: it ends on the as-of date.

  Money never silently becomes 0: an amount is 0 where nothing happened, and null (unknown) where
  documents exist but none of them could be converted (their currency has no FX rate). Where some
  could, the sum covers those, and the unconverted_* counts say how many are missing.
-#}
with

as_of as (select as_of_date from {{ ref('int_as_of') }}),
invoices as (select * from {{ ref('fct_invoices') }}),
snapshots as (select * from {{ ref('fct_ar_snapshots') }}),
applications as (select * from {{ ref('fct_payment_applications') }}),
write_offs as (
    select w.write_off_date, i.region, i.product_line, i.salesperson, (w.write_off_amount * fx.fx_rate) as amount_rc
    from {{ ref('stg_erp__write_offs') }} as w
    inner join invoices as i using (invoice_id)
    {{ fx_join('fx', 'i.currency_code', 'w.write_off_date') }}
),

groups as (
    select region, product_line, salesperson, {{ trunc_date('month', 'min(issue_date)') }} as first_month
    from invoices
    group by region, product_line, salesperson
),

grid as (
    select
        g.region,
        g.product_line,
        g.salesperson,
        cast(m.month_start as date) as month_start,
        least(cast({{ month_last_day('m.month_start') }} as date), a.as_of_date) as period_end_date
    from groups as g
    cross join as_of as a
    cross join {{ date_series('g.first_month', 'a.as_of_date', "interval '1 month'") }} as m(month_start)
),

sales as (
    select region, product_line, salesperson, {{ trunc_date('month', 'issue_date') }} as month_start,
        sum(invoice_amount_rc) as credit_sales_rc, count(*) as invoice_count,
        count(*) filter (where invoice_amount_rc is null) as unconverted_invoice_count
    from invoices
    group by region, product_line, salesperson, month_start
),

balances as (
    select region, product_line, salesperson, snapshot_date,
        sum(open_amount_rc) as ar_rc, sum(current_amount_rc) as current_ar_rc, sum(overdue_amount_rc) as overdue_ar_rc,
        sum(unconverted_invoice_count) as unconverted_open_count,
        sum(open_invoice_count) = sum(unconverted_invoice_count) as all_unconverted
    from snapshots
    group by region, product_line, salesperson, snapshot_date
),

settled as (
    select region, product_line, salesperson, {{ trunc_date('month', 'settled_date') }} as month_start,
        count(*) filter (where not is_written_off) as settled_invoice_count,
        count(*) filter (where is_paid_on_time and not is_written_off) as on_time_invoice_count,
        count(days_to_pay) as paid_invoice_count,
        sum(days_to_pay) as sum_days_to_pay,
        sum(greatest(0, {{ days_between('last_payment_date', 'due_date') }})) filter (where days_to_pay is not null) as sum_days_beyond_terms
    from invoices
    where settled_date is not null
    group by region, product_line, salesperson, month_start
),

collected as (
    select region, product_line, salesperson, {{ trunc_date('month', 'applied_date') }} as month_start,
        sum(applied_amount_rc) as collections_rc
    from applications
    group by region, product_line, salesperson, month_start
),

written_off as (
    select region, product_line, salesperson, {{ trunc_date('month', 'write_off_date') }} as month_start,
        sum(amount_rc) as write_offs_rc
    from write_offs
    group by region, product_line, salesperson, month_start
),

final as (
    select
        g.month_start,
        g.period_end_date,
        g.region,
        g.product_line,
        g.salesperson,
        {{ days_between('g.period_end_date', 'g.month_start') }} + 1 as days_in_period,
        {#- 0 where nothing happened; null where there was something and none of it converted. #}
        (case when s.invoice_count is null then 0 else s.credit_sales_rc end)::decimal(18, 2) as credit_sales_rc,
        coalesce(s.invoice_count, 0) as invoice_count,
        coalesce(s.unconverted_invoice_count, 0) as unconverted_invoice_count,
        (case when lag(b.snapshot_date) over w is null then 0 else lag(b.ar_rc) over w end)::decimal(18, 2)
            as beginning_ar_rc,
        {%- for column in ['ar', 'current_ar', 'overdue_ar'] %}
        (case when b.snapshot_date is null then 0 when b.all_unconverted then null else b.{{ column }}_rc end)
            ::decimal(18, 2) as ending_{{ column }}_rc,
        {%- endfor %}
        coalesce(b.unconverted_open_count, 0) as unconverted_open_count,
        coalesce(c.collections_rc, 0)::decimal(18, 2) as collections_rc,
        coalesce(wo.write_offs_rc, 0)::decimal(18, 2) as write_offs_rc,
        coalesce(st.settled_invoice_count, 0) as settled_invoice_count,
        coalesce(st.on_time_invoice_count, 0) as on_time_invoice_count,
        coalesce(st.paid_invoice_count, 0) as paid_invoice_count,
        coalesce(st.sum_days_to_pay, 0) as sum_days_to_pay,
        coalesce(st.sum_days_beyond_terms, 0) as sum_days_beyond_terms
    from grid as g
    left join sales as s using (region, product_line, salesperson, month_start)
    left join balances as b
        on b.region = g.region and b.product_line = g.product_line and b.salesperson = g.salesperson
        and b.snapshot_date = g.period_end_date
    {%- for alias, parts in [['c', 'collected'], ['wo', 'written_off'], ['st', 'settled']] %}
    left join {{ parts }} as {{ alias }}
        on {{ alias }}.region = g.region and {{ alias }}.product_line = g.product_line
        and {{ alias }}.salesperson = g.salesperson and {{ alias }}.month_start = g.month_start
    {%- endfor %}
    window w as (partition by g.region, g.product_line, g.salesperson order by g.month_start)
)

select * from final
