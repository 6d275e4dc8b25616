{#-
  ARLens dunning runs, one row per run, customer and currency it proposed to dun: the run's date,
  state (proposed, approved, cancelled) and the level, with the customer's region and credit
  controller (so runs can be counted per region and controller under row-level security).
  Copied from the operational store at each build.
-#}
with

run_customers as (select * from {{ ref('stg_arlens__dunning_run_customers') }}),
customers as (select * from {{ ref('stg_erp__customers') }}),

final as (
    select
        rc.run_id || '-' || rc.customer_id || '-' || rc.currency_code as run_customer_id,
        rc.run_id,
        rc.customer_id,
        c.region,
        c.credit_controller,
        rc.currency_code,
        rc.run_date,
        rc.approved_date,
        rc.run_status,
        rc.dunning_level,
        rc.proposed_by,
        rc.approved_by
    from run_customers as rc
    inner join customers as c using (customer_id)
)

select * from final
