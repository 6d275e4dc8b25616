{#-
  Open AR at each snapshot date per customer, product line, salesperson, currency and aging bucket
  (as configured: macros/aging.sql, int_aging_buckets), with the part not yet due (current) and the
  part past due (overdue) by due date whatever the aging basis. Snapshot dates: every month-end of the history, and every day of the last
  var('daily_snapshot_days') days up to the as-of date.

  Rule for partly settled invoices: an invoice's open amount at date D is its amount less the
  payments applied, credit memos against it and write-offs dated on or before D; that remainder stays
  in the invoice's own bucket (by D minus its due date). Payments are never re-allocated FIFO across
  invoices, and unapplied cash and unallocated credit memos are not in the buckets.

  Incremental (delete+insert by snapshot_date): a run rebuilds the snapshot dates from the earliest
  date that loads after the last build's watermark touch (an invoice's issue date, a payment, credit
  memo or write-off date, an FX rate date, the first invoice of a customer whose master data changed)
  and every snapshot date after the last one built; all of them when the as-of date moved back. The
  post_hook deletes what a full rebuild would not have: snapshots after the as-of date, and daily
  snapshots that have left the daily window (month-ends stay).
-#}
with

as_of as (select as_of_date from {{ ref('int_as_of') }}),
invoices as (select * from {{ ref('fct_invoices') }}),
reductions as (select * from {{ ref('int_invoice_reductions') }}),
dates as (select * from {{ ref('dim_dates') }}),
watermark as (select watermark from {{ ref('int_load_watermark') }}),
{%- if is_incremental() %}

previous as (
    select
        {{ previous_watermark() }} as watermark,
        coalesce(max(snapshot_date), date '1900-01-01') as last_snapshot
    from {{ this }}
),

changed_dates as (
    select issue_date as d from {{ ref('stg_erp__invoices') }} where load_id > (select watermark from previous)
    union all
    select applied_date from {{ ref('stg_erp__payment_applications') }} where load_id > (select watermark from previous)
    union all
    select memo_date from {{ ref('stg_erp__credit_memos') }} where load_id > (select watermark from previous)
    union all
    select write_off_date from {{ ref('stg_erp__write_offs') }} where load_id > (select watermark from previous)
    union all
    select rate_date from {{ ref('stg_erp__fx_rates') }} where load_id > (select watermark from previous)
    union all
    select min(i.issue_date) from {{ ref('stg_erp__invoices') }} as i
    inner join {{ ref('stg_erp__customers') }} as c using (customer_id)
    where c.load_id > (select watermark from previous)
    union all
    select last_snapshot + 1 from previous
    union all
    select date '1900-01-01' where {{ as_of_moved_back() }} or {{ aging_changed() }}
),

rebuild_from as (select min(d) as first_date from changed_dates),

{#- Only invoices that can be open on a rebuilt date. #}
open_invoices as (
    select i.*
    from invoices as i
    cross join rebuild_from as rf
    where i.settled_date is null or i.settled_date >= rf.first_date
),
{%- endif %}

snapshot_dates as (
    select d.date_day as snapshot_date, bool_or(d.is_month_end) as is_month_end
    from dates as d
    cross join as_of as a
    {%- if is_incremental() %}
    cross join rebuild_from as rf
    {%- endif %}
    where d.date_day <= a.as_of_date
        and (d.is_month_end or d.date_day > a.as_of_date - {{ var('daily_snapshot_days') }})
        {%- if is_incremental() %}
        and d.date_day >= rf.first_date
        {%- endif %}
    group by d.date_day
),

{#- Each invoice's open amount is constant between two reduction days: one interval per stretch,
    [valid_from, valid_to). A snapshot then only has to find the interval it falls in. -#}
intervals as (
    select
        i.invoice_id, i.customer_id, i.region, i.product_line, i.salesperson, i.currency_code, i.due_date, i.issue_date,
        i.issue_date as valid_from,
        coalesce(min(r.event_date), date '9999-12-31') as valid_to,
        i.invoice_amount as open_amount
    from {{ 'open_invoices' if is_incremental() else 'invoices' }} as i
    left join reductions as r using (invoice_id)
    group by
        i.invoice_id, i.customer_id, i.region, i.product_line, i.salesperson, i.currency_code, i.due_date, i.issue_date,
        i.invoice_amount
    union all
    select
        i.invoice_id, i.customer_id, i.region, i.product_line, i.salesperson, i.currency_code, i.due_date, i.issue_date,
        r.event_date as valid_from,
        coalesce(lead(r.event_date) over (partition by r.invoice_id order by r.event_date), date '9999-12-31') as valid_to,
        (i.invoice_amount - r.cumulative_paid_amount - r.cumulative_credited_amount - r.cumulative_written_off_amount)
            ::decimal(18, 2) as open_amount
    from reductions as r
    inner join {{ 'open_invoices' if is_incremental() else 'invoices' }} as i using (invoice_id)
),

{#- Number the snapshot dates, find each interval's first and last snapshot with two ASOF joins, and
    expand the interval to those snapshots: far cheaper than a range join of every date with every
    interval. -#}
numbered_dates as (
    select snapshot_date, is_month_end, row_number() over (order by snapshot_date) as snapshot_number
    from snapshot_dates
),

spans as (
    {{ snapshot_spans('intervals', 'numbered_dates') }}
),

open_items as (
    select
        s.snapshot_date,
        s.is_month_end,
        v.invoice_id,
        v.customer_id,
        v.region,
        v.product_line,
        v.salesperson,
        v.currency_code,
        v.open_amount,
        {{ days_between('s.snapshot_date', 'v.due_date') }} as days_past_due,
        {{ aging_days('v.due_date', 'v.issue_date', 's.snapshot_date') }} as aging_days
    from (
        select *, {{ unnest_int_range('first_number', 'last_number + 1') }} as snapshot_number
        from spans
        where first_number <= last_number
    ) as v
    inner join numbered_dates as s using (snapshot_number)
),

converted as (
    select
        o.*,
        {{ aging_bucket('o.aging_days') }} as aging_bucket,
        {{ aging_bucket('o.aging_days', order=true) }} as aging_bucket_order,
        (o.open_amount * fx.fx_rate)::decimal(18, 2) as open_amount_rc
    from open_items as o
    {{ fx_join('fx', 'o.currency_code', 'o.snapshot_date') }}
),

final as (
    select
        snapshot_date,
        is_month_end,
        customer_id,
        region,
        product_line,
        salesperson,
        currency_code,
        aging_bucket,
        aging_bucket_order,
        count(*) as open_invoice_count,
        sum(open_amount)::decimal(18, 2) as open_amount,
        sum(open_amount_rc)::decimal(18, 2) as open_amount_rc,
        coalesce(sum(open_amount_rc) filter (where days_past_due <= 0), 0)::decimal(18, 2) as current_amount_rc,
        coalesce(sum(open_amount_rc) filter (where days_past_due > 0), 0)::decimal(18, 2) as overdue_amount_rc,
        count(*) filter (where open_amount_rc is null) as unconverted_invoice_count,
        (select watermark from watermark) as _watermark,
        (select as_of_date from as_of) as _as_of_date,
        {{ aging_signature() }} as _aging
    from converted
    group by
        snapshot_date, is_month_end, customer_id, region, product_line, salesperson, currency_code, aging_bucket,
        aging_bucket_order
)

select * from final
