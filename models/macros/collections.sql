{#- True when a payment to `invoice_id` counts towards the promise to pay `act`: an ERP promise names
    one invoice or none (the whole account); one recorded in ARLens may name several
    (promise_invoice_ids). -#}
{% macro promise_covers(act, invoice_id) -%}
    (
        ({{ act }}.promise_invoice_ids is null and ({{ act }}.invoice_id is null or {{ act }}.invoice_id = {{ invoice_id }}))
        or {{ list_contains(act ~ '.promise_invoice_ids', invoice_id) }}
    )
{%- endmacro %}
