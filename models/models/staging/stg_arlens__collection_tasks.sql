{#- Tasks recorded in ARLens (raised by dunning runs or by hand), typed. -#}
with

source as (select * from {{ source('arlens', 'collection_tasks') }}),

renamed as (
    select
        ---------- ids
        id as task_id,
        customer_id,
        ---------- dates
        due_date::date as due_date,
        left(created_at, 10)::date as created_date,
        left(completed_at, 10)::date as completed_date,
        ---------- attributes
        title,
        assignee,
        status as task_status,
        case when source like 'manual:%' then 'manual' else 'dunning' end as task_origin,
        created_by,
        completed_by
    from source
)

select * from renamed
