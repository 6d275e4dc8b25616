/** A small dbt project in portable SQL and its raw data, for the runner tests on both engines. */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Row } from '../../warehouse/convert.ts';
import type { SqlSession } from '../../warehouse/session.ts';
import { tempDir } from '../helpers.ts';

/** Portable SQL only: both engines run these files unchanged. */
export const PROJECT: Record<string, string> = {
  'dbt_project.yml': [
    'name: twin',
    'profile: twin',
    "version: '1.0.0'",
    'config-version: 2',
    "model-paths: ['models']",
    "macro-paths: ['macros']",
    "test-paths: ['tests']",
    'models:',
    '  twin:',
    '    +materialized: view',
    '    staging:',
    '      +schema: staging',
    '    marts:',
    '      +materialized: table',
    '      +schema: marts',
  ].join('\n'),
  'macros/generate_schema_name.sql': [
    '{% macro generate_schema_name(custom_schema_name, node) -%}',
    '  {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}',
    '{%- endmacro %}',
  ].join('\n'),
  'models/staging/__sources.yml': [
    'version: 2',
    'sources:',
    '  - name: erp',
    '    schema: raw',
    '    tables:',
    '      - name: customers',
    '        columns:',
    '          - name: customer_id',
    '            data_tests: [unique, not_null]',
    '      - name: invoices',
  ].join('\n'),
  'models/staging/stg_customers.sql': `
select customer_id, trim(name) as customer_name, upper(region) as region
from {{ source('erp', 'customers') }}`,
  'models/staging/stg_invoices.sql': `
select
    invoice_id,
    customer_id,
    cast(amount as decimal(18, 2)) as invoice_amount,
    issue_date,
    due_date,
    updated_at
from {{ source('erp', 'invoices') }}`,
  'models/marts/dim_customers.sql': `
select
    c.customer_id,
    c.customer_name,
    c.region,
    count(i.invoice_id) as invoice_count,
    cast(coalesce(sum(i.invoice_amount), 0) as decimal(18, 2)) as total_amount,
    min(i.issue_date) as first_issue_date
from {{ ref('stg_customers') }} as c
left join {{ ref('stg_invoices') }} as i on i.customer_id = c.customer_id
group by c.customer_id, c.customer_name, c.region`,
  'models/marts/fct_invoices.sql': `
{{ config(materialized='incremental', unique_key='invoice_id') }}
select
    i.invoice_id,
    i.customer_id,
    c.region,
    i.invoice_amount,
    cast(i.invoice_amount as float8) / 3 as third_of_amount,
    i.issue_date,
    i.due_date,
    cast(i.due_date - i.issue_date as bigint) as terms_days,
    i.due_date + 30 as dunning_date,
    i.updated_at
from {{ ref('stg_invoices') }} as i
join {{ ref('stg_customers') }} as c on c.customer_id = i.customer_id
{% if is_incremental() %}
where i.updated_at > (select max(updated_at) from {{ this }})
{% endif %}`,
  'models/marts/_marts.yml': [
    'version: 2',
    'models:',
    '  - name: fct_invoices',
    '    columns:',
    '      - name: invoice_id',
    '        data_tests: [unique, not_null]',
    '      - name: region',
    '        data_tests:',
    '          - accepted_values:',
    "              values: ['EMEA', 'APAC', \"O'HARA\"]",
    '  - name: dim_customers',
    '    columns:',
    '      - name: customer_id',
    '        data_tests:',
    '          - relationships:',
    "              to: ref('stg_customers')",
    '              field: customer_id',
    'unit_tests:',
    '  - name: dim_customers_adds_up',
    '    model: dim_customers',
    '    given:',
    "      - input: ref('stg_customers')",
    '        rows:',
    '          - { customer_id: C1, customer_name: Acme, region: EMEA }',
    '          - { customer_id: C2, customer_name: Bento, region: APAC }',
    "      - input: ref('stg_invoices')",
    '        rows:',
    "          - { invoice_id: I1, customer_id: C1, invoice_amount: 10.5, issue_date: '2024-01-31' }",
    "          - { invoice_id: I2, customer_id: C1, invoice_amount: 4.55, issue_date: '2024-02-29' }",
    '    expect:',
    '      rows:',
    "          - { customer_id: C1, invoice_count: 2, total_amount: 15.05, first_issue_date: '2024-01-31' }",
    '          - { customer_id: C2, invoice_count: 0, total_amount: 0, first_issue_date: null }',
  ].join('\n'),
  'tests/assert_no_negative_invoices.sql': `
select invoice_id from {{ ref('fct_invoices') }} where invoice_amount < 0`,
};

export const RAW = [
  'CREATE SCHEMA raw',
  'CREATE TABLE raw.customers (customer_id VARCHAR, name VARCHAR, region VARCHAR)',
  `INSERT INTO raw.customers VALUES ('C1', ' Acme ', 'emea'), ('C2', 'Bento', 'apac'), ('C"3', 'O''Hara; --', 'o''hara')`,
  `CREATE TABLE raw.invoices (
     invoice_id VARCHAR, customer_id VARCHAR, amount DECIMAL(18, 2), issue_date DATE, due_date DATE, updated_at TIMESTAMP)`,
  `INSERT INTO raw.invoices VALUES
     ('I1', 'C1', 100.10, DATE '2024-01-01', DATE '2024-01-31', TIMESTAMP '2024-01-01 09:00:00'),
     ('I2', 'C1', 0.01, DATE '2024-02-29', DATE '2024-03-30', TIMESTAMP '2024-02-29 23:59:59.999999'),
     ('I3', 'C2', 12345678901234.57, DATE '1999-12-31', DATE '2000-01-30', TIMESTAMP '1999-12-31 15:00:00'),
     ('I4', 'C"3', 33.33, DATE '2024-12-31', DATE '2025-01-30', TIMESTAMP '2024-12-31 00:00:00')`,
];

/** The next day's exports: I2 changed (amount and date), I5 new, an old I1 row re-sent unchanged. */
export const NEXT_DAY = [
  `UPDATE raw.invoices SET amount = 0.02, due_date = DATE '2024-04-15', updated_at = TIMESTAMP '2025-01-02 08:00:00'
    WHERE invoice_id = 'I2'`,
  `INSERT INTO raw.invoices VALUES ('I5', 'C2', 7.00, DATE '2025-01-02', DATE '2025-02-01', TIMESTAMP '2025-01-02 09:00:00')`,
];

export const RELATIONS = [
  'staging.stg_customers',
  'staging.stg_invoices',
  'marts.dim_customers',
  'marts.fct_invoices',
];

/** Every row of `relation` in a fixed order (all columns), with its column names in order. */
export async function contents(s: SqlSession, relation: string): Promise<{ columns: string[]; rows: Row[] }> {
  const columns = (await s.describe(relation)).map((c) => c.name);
  const order = columns.map((_, i) => i + 1).join(', ');
  const rows = await s.rows(`SELECT * FROM ${relation} ORDER BY ${order}`);
  return { columns, rows };
}

/** The project's files in a new temporary directory. */
export async function writeTwinProject(files: Record<string, string> = PROJECT): Promise<string> {
  const dir = await tempDir('arlens-twin-');
  for (const [path, text] of Object.entries(files)) {
    await fs.mkdir(join(dir, path, '..'), { recursive: true });
    await fs.writeFile(join(dir, path), text, 'utf8');
  }
  return dir;
}
