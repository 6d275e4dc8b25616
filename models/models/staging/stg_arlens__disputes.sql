{#-
  Disputes opened in ARLens, one row per disputed invoice, shaped like the ERP's
  (stg_erp__disputes) so fct_invoices can union them. A dispute names one amount for all its
  invoices: it is allocated over them in invoice-id order, each taking at most its invoice amount
  (the last takes what is left), so the rows add up to the disputed amount exactly. The opened and
  resolved dates are the UTC dates of the store's timestamps.
-#}
with

disputes as (select * from {{ source('arlens', 'collection_disputes') }}),
invoices as (select invoice_id, invoice_amount from {{ ref('stg_erp__invoices') }}),

per_invoice as (
    select
        d.*,
        unnest({{ json_text_list('d.invoice_ids') }}) as invoice_id
    from disputes as d
),

allocated as (
    select
        p.*,
        i.invoice_amount,
        coalesce(
            sum(i.invoice_amount) over (
                partition by p.id order by p.invoice_id rows between unbounded preceding and 1 preceding
            ),
            0
        ) as allocated_before,
        row_number() over (partition by p.id order by p.invoice_id desc) = 1 as is_last
    from per_invoice as p
    left join invoices as i using (invoice_id)
),

renamed as (
    select
        ---------- ids
        'ARLENS-' || id::varchar || '-' || invoice_id as dispute_id,
        invoice_id,
        customer_id,
        ---------- dates
        left(opened_at, 10)::date as opened_date,
        left(resolved_at, 10)::date as resolved_date,
        ---------- amounts
        case
            when is_last then greatest(amount::decimal(18, 2) - allocated_before, 0)
            else least(coalesce(invoice_amount, 0), greatest(amount::decimal(18, 2) - allocated_before, 0))
        end::decimal(18, 2) as disputed_amount,
        nullif(currency_code, '') as currency_code,
        ---------- attributes
        reason as dispute_reason,
        status as dispute_status,
        ---------- lineage
        'arlens' as source_system
    from allocated
)

select * from renamed
