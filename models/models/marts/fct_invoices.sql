{#-
  One row per invoice, as of the as-of date: amounts in the document and the reporting currency,
  what was paid, credited and written off, what is open, when it was settled, how late, its aging
  bucket, dunning level and dispute state.

  Incremental: a run recomputes the invoices touched by loads after the last build's watermark (the
  invoice, its customer, payments, credit memos, write-offs or disputes), the invoices of every dispute
  recorded in ARLens, every invoice still open
  when the as-of date moved (its days past due, bucket and dunning level move with it), invoices issued since the
  last build's as-of date, and all of them when FX rates arrived or the as-of date moved back (the
  post_hook then deletes invoices issued after it).
-#}
with

invoices as (select * from {{ ref('stg_erp__invoices') }}),
customers as (select * from {{ ref('stg_erp__customers') }}),
reductions as (select * from {{ ref('int_invoice_reductions') }}),
-- The ERP's disputes and those opened in ARLens (copied from the operational store at each build).
disputes as (
    select *, 'erp' as source_system from {{ ref('stg_erp__disputes') }}
    union all
    select
        dispute_id, invoice_id, customer_id, opened_date, resolved_date, disputed_amount, currency_code,
        dispute_reason, dispute_status, cast(null as varchar) as load_id, source_system
    from {{ ref('stg_arlens__disputes') }}
),
as_of as (select as_of_date from {{ ref('int_as_of') }}),
watermark as (select watermark from {{ ref('int_load_watermark') }}),
{%- if is_incremental() %}

previous as (select {{ previous_watermark() }} as watermark, {{ previous_as_of() }} as as_of_date),

-- Materialized, and applied before the joins (see fct_payments).
scope as materialized (
    select invoice_id from invoices where load_id > (select watermark from previous)
    union
    select i.invoice_id from invoices as i inner join customers as c using (customer_id)
    where c.load_id > (select watermark from previous)
    union
    select invoice_id from {{ ref('stg_erp__payment_applications') }} where load_id > (select watermark from previous)
    union
    select invoice_id from {{ ref('stg_erp__credit_memos') }}
    where invoice_id is not null and load_id > (select watermark from previous)
    union
    select invoice_id from {{ ref('stg_erp__write_offs') }} where load_id > (select watermark from previous)
    union
    select invoice_id from disputes where load_id > (select watermark from previous)
    union
    -- Disputes recorded in ARLens have no load id; they are few: their invoices every build.
    select invoice_id from disputes where source_system = 'arlens'
    union
    -- Open invoices age with the as-of date (days past due, bucket, dunning level): all of them when
    -- it moved, none of them otherwise (re-merging every open invoice on each build cost most of it).
    select invoice_id from {{ this }}
    where open_amount > 0 and (select as_of_date from previous) <> (select as_of_date from {{ ref('int_as_of') }})
    union
    select invoice_id from invoices where issue_date > (select as_of_date from previous)
    union
    select invoice_id from invoices
    where exists (select 1 from {{ ref('stg_erp__fx_rates') }} where load_id > (select watermark from previous))
        or {{ as_of_moved_back() }}
        or {{ aging_changed() }}
),
{%- endif %}

settlement as (
    select
        r.invoice_id,
        sum(r.paid_amount) as paid_amount,
        sum(r.credited_amount) as credited_amount,
        sum(r.written_off_amount) as written_off_amount,
        max(r.event_date) filter (where r.paid_amount > 0) as last_payment_date,
        min(r.event_date) filter (
            where r.cumulative_paid_amount + r.cumulative_credited_amount + r.cumulative_written_off_amount
                >= i.invoice_amount
        ) as settled_date
    from reductions as r
    inner join invoices as i using (invoice_id)
    cross join as_of
    where r.event_date <= as_of.as_of_date
    {%- if is_incremental() %}
        and r.invoice_id in (select invoice_id from scope)
    {%- endif %}
    group by r.invoice_id
),

invoice_disputes as (
    select
        invoice_id,
        count(*) as dispute_count,
        sum(disputed_amount) as disputed_amount,
        bool_or(dispute_status = 'open') as has_open_dispute
    from disputes
    group by invoice_id
),

amounts as (
    select
        i.*,
        c.region,
        c.country_code,
        c.segment,
        c.industry,
        c.credit_controller,
        c.payment_terms_days,
        coalesce(i.invoice_salesperson, c.salesperson) as salesperson,
        coalesce(s.paid_amount, 0)::decimal(18, 2) as paid_amount,
        coalesce(s.credited_amount, 0)::decimal(18, 2) as credited_amount,
        coalesce(s.written_off_amount, 0)::decimal(18, 2) as written_off_amount,
        s.last_payment_date,
        s.settled_date,
        coalesce(d.dispute_count, 0) > 0 as has_dispute,
        coalesce(d.has_open_dispute, false) as has_open_dispute,
        coalesce(d.disputed_amount, 0)::decimal(18, 2) as disputed_amount,
        as_of.as_of_date
    {%- if is_incremental() %}
    from (select * from invoices where invoice_id in (select invoice_id from scope)) as i
    {%- else %}
    from invoices as i
    {%- endif %}
    inner join customers as c using (customer_id)
    cross join as_of
    left join settlement as s using (invoice_id)
    left join invoice_disputes as d using (invoice_id)
    where i.issue_date <= as_of.as_of_date
),

measured as (
    select
        *,
        (invoice_amount - paid_amount - credited_amount - written_off_amount)::decimal(18, 2) as open_amount,
        written_off_amount > 0 as is_written_off,
        settled_date is not null as is_settled,
        case when settled_date is not null then {{ days_between('settled_date', 'issue_date') }} end as days_to_settle,
        case
            when settled_date is not null and written_off_amount = 0 and paid_amount > 0
                then {{ days_between('last_payment_date', 'issue_date') }}
        end as days_to_pay,
        greatest(0, {{ days_between('coalesce(settled_date, as_of_date)', 'due_date') }}) as days_late,
        case when settled_date is null then {{ days_between('as_of_date', 'due_date') }} end as days_past_due
    from amounts
),

final as (
    select
        ---------- ids
        m.invoice_id,
        m.customer_id,
        m.sales_order_id,
        m.shipment_batch,
        ---------- dimensions
        m.region,
        m.country_code,
        m.segment,
        m.industry,
        m.salesperson,
        m.credit_controller,
        m.product_line,
        m.currency_code,
        ---------- dates
        m.issue_date,
        m.due_date,
        m.settled_date,
        m.last_payment_date,
        ---------- document-currency amounts
        m.invoice_amount,
        m.paid_amount,
        m.credited_amount,
        m.written_off_amount,
        m.open_amount,
        m.disputed_amount,
        ---------- reporting-currency amounts (issue-date rate; open amount at the as-of rate)
        (m.invoice_amount * fx_issue.fx_rate)::decimal(18, 2) as invoice_amount_rc,
        (m.paid_amount * fx_issue.fx_rate)::decimal(18, 2) as paid_amount_rc,
        (m.credited_amount * fx_issue.fx_rate)::decimal(18, 2) as credited_amount_rc,
        (m.written_off_amount * fx_issue.fx_rate)::decimal(18, 2) as written_off_amount_rc,
        (m.open_amount * fx_now.fx_rate)::decimal(18, 2) as open_amount_rc,
        (m.disputed_amount * fx_now.fx_rate)::decimal(18, 2) as disputed_amount_rc,
        ---------- timing
        m.payment_terms_days,
        m.days_to_settle,
        m.days_to_pay,
        m.days_late,
        m.days_past_due,
        case when m.is_settled then m.settled_date <= m.due_date end as is_paid_on_time,
        case when m.open_amount > 0 then {{ aging_bucket(aging_days('m.due_date', 'm.issue_date', 'm.as_of_date')) }} end
            as aging_bucket,
        case when m.open_amount > 0 then {{ aging_bucket(aging_days('m.due_date', 'm.issue_date', 'm.as_of_date'), order=true) }} end
            as aging_bucket_order,
        case
            when m.open_amount <= 0 then 0
            when m.days_past_due >= {{ var('dunning_escalation_days') }} then 4
            when m.days_past_due >= {{ var('dunning_collection_days') }} then 3
            when m.days_past_due >= {{ var('dunning_mild_days') }} then 2
            when m.days_past_due >= -{{ var('dunning_reminder_days_before_due') }} then 1
            else 0
        end as dunning_level,
        ---------- flags
        m.is_settled,
        m.is_written_off,
        m.has_dispute,
        m.has_open_dispute,
        (select watermark from watermark) as _watermark,
        m.as_of_date as _as_of_date,
        {{ aging_signature() }} as _aging
    from measured as m
    {{ fx_join('fx_issue', 'm.currency_code', 'm.issue_date') }}
    {{ fx_join('fx_now', 'm.currency_code', 'm.as_of_date') }}
)

select * from final
