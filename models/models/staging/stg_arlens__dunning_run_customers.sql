{#- The customers (per currency) each ARLens dunning run proposed to dun, with the run's state. -#}
with

run_customers as (select * from {{ source('arlens', 'dunning_run_customers') }}),
runs as (select * from {{ source('arlens', 'dunning_runs') }}),

renamed as (
    select
        ---------- ids
        rc.run_id,
        rc.customer_id,
        ---------- dates
        r.run_date::date as run_date,
        left(r.approved_at, 10)::date as approved_date,
        ---------- attributes
        rc.currency_code,
        rc.level::integer as dunning_level,
        r.status as run_status,
        r.created_by as proposed_by,
        r.approved_by
    from run_customers as rc
    inner join runs as r on r.id = rc.run_id
)

select * from renamed
