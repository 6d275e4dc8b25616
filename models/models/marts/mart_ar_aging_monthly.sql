{#-
  AR at each month's end (the as-of date for the as-of month) per region x product line x
  salesperson x aging bucket, in the reporting currency: the aging trend. Buckets as configured
  (int_aging_buckets); a bucket with nothing in it has no row. The month's total over its buckets is
  mart_ar_kpis_monthly's ending AR.
-#}
with

components as (select * from {{ ref('int_ar_monthly_components') }}),
snapshots as (select * from {{ ref('fct_ar_snapshots') }}),

buckets as (
    select
        snapshot_date, region, product_line, salesperson, aging_bucket, aging_bucket_order,
        sum(open_amount_rc) as ar_rc,
        sum(open_invoice_count) as open_invoice_count,
        sum(unconverted_invoice_count) as unconverted_open_count
    from snapshots
    group by all
),

final as (
    select
        c.month_start,
        c.period_end_date,
        c.region,
        c.product_line,
        c.salesperson,
        b.aging_bucket,
        b.aging_bucket_order,
        b.ar_rc::decimal(18, 2) as ending_ar_rc,
        b.open_invoice_count,
        b.unconverted_open_count
    from components as c
    inner join buckets as b
        on b.region = c.region and b.product_line = c.product_line and b.salesperson = c.salesperson
        and b.snapshot_date = c.period_end_date
)

select * from final
