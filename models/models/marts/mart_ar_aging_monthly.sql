{#-
  AR at each month's end (the as-of date for the as-of month) per region x product line x
  salesperson x aging bucket, in the reporting currency: the aging trend. Buckets as configured
  (int_aging_buckets). Every configured bucket has a row in every month of every region x product
  line x salesperson (0.00 when nothing is in it): a quarter's or year's AR is its last period end's,
  and a bucket emptied by then must read 0 there, not the last month it had a balance. The month's
  total over its buckets is mart_ar_kpis_monthly's ending AR.
-#}
with

components as (select * from {{ ref('int_ar_monthly_components') }}),
snapshots as (select * from {{ ref('fct_ar_snapshots') }}),
configured as (select * from {{ ref('int_aging_buckets') }}),

buckets as (
    select
        snapshot_date, region, product_line, salesperson, aging_bucket, aging_bucket_order,
        sum(open_amount_rc) as ar_rc,
        sum(open_invoice_count) as open_invoice_count,
        sum(unconverted_invoice_count) as unconverted_open_count
    from snapshots
    group by snapshot_date, region, product_line, salesperson, aging_bucket, aging_bucket_order
),

final as (
    select
        c.month_start,
        c.period_end_date,
        c.region,
        c.product_line,
        c.salesperson,
        g.aging_bucket,
        g.aging_bucket_order,
        -- An empty bucket holds 0.00; a bucket whose every item lacks an FX rate stays NULL (unknown).
        (case when b.aging_bucket is null then 0 else b.ar_rc end)::decimal(18, 2) as ending_ar_rc,
        coalesce(b.open_invoice_count, 0) as open_invoice_count,
        coalesce(b.unconverted_open_count, 0) as unconverted_open_count
    from components as c
    cross join configured as g
    left join buckets as b
        on b.region = c.region and b.product_line = c.product_line and b.salesperson = c.salesperson
        and b.snapshot_date = c.period_end_date and b.aging_bucket = g.aging_bucket
)

select * from final
