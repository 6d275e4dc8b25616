{#-
  Tasks for credit controllers recorded in ARLens (raised by dunning runs at the configured level, or
  by hand), with the customer's region and credit controller, and whether an open task is overdue at
  the as-of date. Copied from the operational store at each build; the worklist shows them live.
-#}
with

tasks as (select * from {{ ref('stg_arlens__collection_tasks') }}),
customers as (select * from {{ ref('stg_erp__customers') }}),
as_of as (select as_of_date from {{ ref('int_as_of') }}),

final as (
    select
        t.task_id,
        t.customer_id,
        c.region,
        c.credit_controller,
        t.title,
        t.assignee,
        t.task_origin,
        t.task_status,
        t.created_date,
        t.due_date,
        t.completed_date,
        t.created_by,
        t.completed_by,
        t.task_status = 'done' as is_done,
        t.task_status = 'open' and t.due_date < a.as_of_date as is_overdue,
        t.task_status = 'done' and t.completed_date <= t.due_date as is_done_on_time,
        a.as_of_date
    from tasks as t
    inner join customers as c using (customer_id)
    cross join as_of as a
)

select * from final
