{#-
  Reminder letters and statements written by approved ARLens dunning runs, one row per letter, with
  the customer's region and credit controller and whether it went out (sent by email, or printed).
  Copied from the operational store at each build.
-#}
with

letters as (select * from {{ ref('stg_arlens__dunning_letters') }}),
customers as (select * from {{ ref('stg_erp__customers') }}),

final as (
    select
        l.letter_id,
        l.run_id,
        l.customer_id,
        c.region,
        c.credit_controller,
        l.run_date,
        l.sent_date,
        l.dunning_level,
        l.letter_kind,
        l.channel,
        l.language,
        l.letter_status,
        l.attempts,
        l.currency_code,
        l.total_amount,
        l.fee_amount,
        l.interest_amount,
        l.approved_by,
        l.letter_status in ('sent', 'printed') as is_sent
    from letters as l
    inner join customers as c using (customer_id)
)

select * from final
