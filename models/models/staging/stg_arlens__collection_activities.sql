{#-
  Collection activities recorded in ARLens (the worklist and dunning runs), shaped like the ERP's
  (stg_erp__collection_activities) so the marts can union them. A promise to pay is an activity of
  kind 'promise' pointing at its payment_promises row: its date, amount and invoices come from there.
  A promise on several invoices keeps them all (promise_invoice_ids; invoice_id is the first); one
  on the whole account has neither. A cancelled promise stays in the history as
  'promise_cancelled', not as a promise.
-#}
with

activities as (select * from {{ source('arlens', 'collection_activities') }}),
promises as (select * from {{ source('arlens', 'payment_promises') }}),

renamed as (
    select
        ---------- ids
        'ARLENS-' || a.id::varchar as activity_id,
        a.customer_id,
        a.invoice_id,
        ---------- dates
        a.activity_date::date as activity_date,
        p.promised_date::date as promised_date,
        ---------- amounts
        p.amount::decimal(18, 2) as promised_amount,
        nullif(p.currency_code, '') as currency_code,
        ---------- attributes
        a.kind as activity_type,
        a.user_name as collector,
        case when p.status = 'cancelled' then 'promise_cancelled' else a.outcome end as outcome,
        a.note,
        case
            when p.invoice_ids is null or p.invoice_ids = '[]' then null
            else {{ json_text_list('p.invoice_ids') }}
        end as promise_invoice_ids,
        ---------- lineage
        'arlens' as source_system
    from activities as a
    left join promises as p on a.kind = 'promise' and p.id = a.ref_id
)

select * from renamed
