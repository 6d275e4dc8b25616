{#-
  What reduces each invoice's open amount, per invoice and day (invoice currency): payments applied,
  credit memos against the invoice, write-offs, with running totals to that day. The aging snapshots
  read the running totals "as of" a date.

  Incremental: an invoice's rows are recomputed (all of them: running totals) when any of its
  payments, credit memos or write-offs arrived in a load after the last build's watermark.
-#}
with

applications as (select * from {{ ref('stg_erp__payment_applications') }}),
credit_memos as (select * from {{ ref('stg_erp__credit_memos') }} where invoice_id is not null),
write_offs as (select * from {{ ref('stg_erp__write_offs') }}),
watermark as (select watermark from {{ ref('int_load_watermark') }}),
{%- if is_incremental() %}

affected as (
    select invoice_id from applications where load_id > {{ previous_watermark() }}
    union
    select invoice_id from credit_memos where load_id > {{ previous_watermark() }}
    union
    select invoice_id from write_offs where load_id > {{ previous_watermark() }}
),
{%- endif %}

events as (
    select invoice_id, applied_date as event_date, applied_amount as paid, 0 as credited, 0 as written_off
    from applications
    union all
    select invoice_id, memo_date, 0, credit_amount, 0 from credit_memos
    union all
    select invoice_id, write_off_date, 0, 0, write_off_amount from write_offs
),

scoped as (
    select * from events
    {%- if is_incremental() %}
    where invoice_id in (select invoice_id from affected)
    {%- endif %}
),

daily as (
    select
        invoice_id,
        event_date,
        sum(paid)::decimal(18, 2) as paid_amount,
        sum(credited)::decimal(18, 2) as credited_amount,
        sum(written_off)::decimal(18, 2) as written_off_amount
    from scoped
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
        (sum(written_off_amount) over w)::decimal(18, 2) as cumulative_written_off_amount,
        (select watermark from watermark) as _watermark
    from daily
    window w as (partition by invoice_id order by event_date rows between unbounded preceding and current row)
)

select * from final
