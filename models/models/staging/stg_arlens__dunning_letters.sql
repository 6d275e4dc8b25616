{#- Dunning letters and statements written by approved runs in ARLens, with their run, typed. -#}
with

letters as (select * from {{ source('arlens', 'dunning_letters') }}),
runs as (select * from {{ source('arlens', 'dunning_runs') }}),

renamed as (
    select
        ---------- ids
        l.id as letter_id,
        l.run_id,
        l.customer_id,
        ---------- dates
        l.run_date::date as run_date,
        left(l.sent_at, 10)::date as sent_date,
        ---------- amounts
        l.total_amount::decimal(18, 2) as total_amount,
        l.fee_amount::decimal(18, 2) as fee_amount,
        l.interest_amount::decimal(18, 2) as interest_amount,
        l.currency_code,
        ---------- attributes
        l.level::integer as dunning_level,
        l.kind as letter_kind,
        l.channel,
        l.language,
        l.status as letter_status,
        l.attempts::integer as attempts,
        r.approved_by
    from letters as l
    left join runs as r on r.id = l.run_id
)

select * from renamed
