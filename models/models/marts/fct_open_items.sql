{#-
  The customer ledger at the as-of date: every item that makes up what customers owe, signed as an
  AR ledger shows it. Invoices with an open amount are positive; money received and not yet
  applied (the unapplied part of a payment) and credit notes not allocated to an invoice are
  negative. A customer's balance is the sum of their items (net AR); a negative balance is a
  customer in credit. Gross AR is the positive invoice items only.

  Invoices carry their own product line, salesperson and aging; payments and unallocated credits
  are not yet tied to an invoice, so their product line is (unassigned) and they have no aging
  bucket of their own (they are netted at customer level).
-#}
with

as_of as (select as_of_date from {{ ref('int_as_of') }}),
customers as (select * from {{ ref('dim_customers') }}),

invoice_items as (
    select
        invoice_id as item_id,
        'invoice' as item_type,
        customer_id,
        product_line,
        salesperson,
        currency_code,
        issue_date as document_date,
        due_date,
        open_amount,
        open_amount_rc,
        days_past_due,
        aging_bucket
    from {{ ref('fct_invoices') }}
    where open_amount <> 0
),

payment_items as (
    select
        receipt_id as item_id,
        'unapplied_payment' as item_type,
        customer_id,
        '(unassigned)' as product_line,
        salesperson,
        currency_code,
        payment_date as document_date,
        cast(null as date) as due_date,
        -unapplied_amount as open_amount,
        cast(null as decimal(18, 2)) as open_amount_rc,
        cast(null as integer) as days_past_due,
        cast(null as varchar) as aging_bucket
    from {{ ref('fct_payments') }}
    where unapplied_amount <> 0
),

credit_items as (
    select
        m.credit_memo_id as item_id,
        'unallocated_credit' as item_type,
        m.customer_id,
        '(unassigned)' as product_line,
        c.salesperson,
        m.currency_code,
        m.memo_date as document_date,
        cast(null as date) as due_date,
        -m.credit_amount as open_amount,
        cast(null as decimal(18, 2)) as open_amount_rc,
        cast(null as integer) as days_past_due,
        cast(null as varchar) as aging_bucket
    from {{ ref('stg_erp__credit_memos') }} as m
    inner join customers as c using (customer_id)
    where m.invoice_id is null
        and m.memo_date <= (select as_of_date from as_of)
),

unconverted as (
    select * from payment_items
    union all
    select * from credit_items
),

{#- Payments and credits at the as-of date's rate, like open invoices. -#}
converted as (
    select
        u.item_id,
        u.item_type,
        u.customer_id,
        u.product_line,
        u.salesperson,
        u.currency_code,
        u.document_date,
        u.due_date,
        u.open_amount,
        (u.open_amount * fx.fx_rate)::decimal(18, 2) as open_amount_rc,
        u.days_past_due,
        u.aging_bucket
    from unconverted as u
    cross join as_of as a
    {{ fx_join('fx', 'u.currency_code', 'a.as_of_date') }}
),

items as (
    select * from invoice_items
    union all
    select * from converted
),

final as (
    select
        ---------- ids
        i.item_id,
        i.item_type,
        i.customer_id,
        ---------- dimensions
        c.region,
        c.country_code,
        c.segment,
        i.salesperson,
        c.credit_controller,
        i.product_line,
        i.currency_code,
        ---------- dates
        i.document_date,
        i.due_date,
        ---------- amounts (signed: owed to us positive, owed to the customer negative)
        i.open_amount::decimal(18, 2) as open_amount,
        i.open_amount_rc::decimal(18, 2) as open_amount_rc,
        ---------- aging (invoices only)
        i.days_past_due,
        i.aging_bucket,
        ---------- the customer's balance (net AR), on every item of the customer
        (sum(i.open_amount_rc) over (partition by i.customer_id))::decimal(18, 2) as customer_balance_rc,
        ---------- flags
        i.item_type = 'invoice' and i.open_amount > 0 as is_receivable,
        i.open_amount_rc is null as is_unconverted
    from items as i
    inner join customers as c using (customer_id)
)

select * from final
