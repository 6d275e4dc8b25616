{#-
  What reduces each invoice's open amount, per invoice and day (invoice currency): payments applied,
  credit memos against the invoice, write-offs, with running totals to that day. The aging snapshots
  read the running totals "as of" a date.
-#}
with

applications as (select * from {{ ref('stg_erp__payment_applications') }}),
credit_memos as (select * from {{ ref('stg_erp__credit_memos') }} where invoice_id is not null),
write_offs as (select * from {{ ref('stg_erp__write_offs') }}),

events as (
    select invoice_id, applied_date as event_date, applied_amount as paid, 0 as credited, 0 as written_off
    from applications
    union all
    select invoice_id, memo_date, 0, credit_amount, 0 from credit_memos
    union all
    select invoice_id, write_off_date, 0, 0, write_off_amount from write_offs
),

daily as (
    select
        invoice_id,
        event_date,
        sum(paid)::decimal(18, 2) as paid_amount,
        sum(credited)::decimal(18, 2) as credited_amount,
        sum(written_off)::decimal(18, 2) as written_off_amount
    from events
    group by invoice_id, event_date
),

final as (
    select
        invoice_id,
        event_date,
        paid_amount,
        credited_amount,
        written_off_amount,
        (sum(paid_amount) over w)::decimal(18, 2) as cumulative_paid_amount,
        (sum(credited_amount) over w)::decimal(18, 2) as cumulative_credited_amount,
        (sum(written_off_amount) over w)::decimal(18, 2) as cumulative_written_off_amount
    from daily
    window w as (partition by invoice_id order by event_date rows between unbounded preceding and current row)
)

select * from final
