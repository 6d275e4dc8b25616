{#-
  Collection activities, with the outcome of each promise to pay: kept when payments applied to the
  invoice (or, for an account-level promise, to any of the customer's invoices) between the contact
  and the promised date reach the promised amount; broken when the promised date has passed without
  that; pending while it has not. A promise recorded in ARLens on several invoices counts payments to
  any of them.

  The ERP's activities and those recorded in ARLens (stg_arlens__collection_activities: the worklist's
  contacts and promises, dunning letters), told apart by source_system.

  Only what happened on or before the as-of date counts: later activities are not in the mart, later
  payments do not keep a promise yet.

  Incremental: activities loaded after the last build's watermark, every promise still pending,
  promises whose window holds a newly loaded application, the activities of customers with changed
  master data, activities dated since
  the last build's as-of date; all of them when the as-of date moved back (the post_hook then deletes
  activities dated after it).
-#}
with

as_of as (select as_of_date from {{ ref('int_as_of') }}),
-- The ERP's activities and those recorded in ARLens (copied from the operational store at each build).
all_activities as (
    select * from (
        select *, null::varchar[] as promise_invoice_ids, 'erp' as source_system
        from {{ ref('stg_erp__collection_activities') }}
        union all
        select
            activity_id, customer_id, invoice_id, activity_date, promised_date, promised_amount, currency_code,
            activity_type, collector, outcome, note, cast(null as varchar) as load_id, promise_invoice_ids,
            source_system
        from {{ ref('stg_arlens__collection_activities') }}
    ) as unioned
    where activity_date <= (select as_of_date from as_of)
),
customers as (select * from {{ ref('stg_erp__customers') }}),
watermark as (select watermark from {{ ref('int_load_watermark') }}),

activities as (
    select * from all_activities
    {%- if is_incremental() %}
    where load_id > {{ previous_watermark() }}
        or activity_id in (select activity_id from {{ this }} where promise_status = 'pending')
        or activity_id in (
            -- Promises whose window a newly loaded application falls in (only a promise's outcome
            -- depends on payments; re-merging every activity of every customer who paid cost most of
            -- an incremental build).
            select act.activity_id from all_activities as act
            inner join (
                -- The new applications first, with their customer: joined on the customer, the
                -- window is a range condition inside a hash join (on the date alone it took 25 s at
                -- 1M invoices).
                select i.customer_id, a.invoice_id, a.applied_date
                from {{ ref('stg_erp__payment_applications') }} as a
                inner join {{ ref('stg_erp__invoices') }} as i on i.invoice_id = a.invoice_id
                where a.load_id > {{ previous_watermark() }}
            ) as a
                on a.customer_id = act.customer_id
                and a.applied_date between act.activity_date and act.promised_date
                and {{ promise_covers('act', 'a.invoice_id') }}
            where act.outcome = 'promise_to_pay'
        )
        or customer_id in (select customer_id from customers where load_id > {{ previous_watermark() }})
        or activity_date > {{ previous_as_of() }}
        -- Recorded in ARLens: no load id, few rows; all of them every build.
        or source_system = 'arlens'
        or {{ as_of_moved_back() }}
    {%- endif %}
),
applications as (
    select a.invoice_id, i.customer_id, a.applied_date, a.applied_amount
    from {{ ref('stg_erp__payment_applications') }} as a
    inner join {{ ref('stg_erp__invoices') }} as i using (invoice_id)
    where a.applied_date <= (select as_of_date from as_of)
),

promises as (
    select
        act.activity_id,
        sum(app.applied_amount) as paid_by_promised_date
    from activities as act
    inner join applications as app
        on app.customer_id = act.customer_id
        and {{ promise_covers('act', 'app.invoice_id') }}
        and app.applied_date between act.activity_date and act.promised_date
    where act.outcome = 'promise_to_pay'
    group by act.activity_id
),

final as (
    select
        act.activity_id,
        act.customer_id,
        act.invoice_id,
        c.region,
        c.credit_controller,
        act.collector,
        act.activity_date,
        act.activity_type,
        act.outcome,
        act.promised_date,
        act.promised_amount,
        act.currency_code,
        act.note,
        act.source_system,
        act.outcome = 'promise_to_pay' as is_promise,
        coalesce(p.paid_by_promised_date, 0)::decimal(18, 2) as paid_by_promised_date,
        case
            when act.outcome <> 'promise_to_pay' then null
            when coalesce(p.paid_by_promised_date, 0) >= coalesce(act.promised_amount, 0.01) then 'kept'
            when act.promised_date < a.as_of_date then 'broken'
            else 'pending'
        end as promise_status,
        (select watermark from watermark) as _watermark,
        a.as_of_date as _as_of_date
    from activities as act
    inner join customers as c using (customer_id)
    cross join as_of as a
    left join promises as p using (activity_id)
)

select * from final
