/**
 * SQL functions the Cube model calls, created as DuckDB macros on the server's in-memory instance
 * (ServingWarehouse `setup`). Two kinds:
 *
 * - The KPI formulas, rendered from the dbt project's macros/kpis.sql, so a ratio is written once
 *   for the marts and the semantic layer alike: kpi_dso, kpi_best_possible_dso, kpi_cei,
 *   kpi_bad_debt_rate, kpi_safe_ratio.
 * - Aggregates that make balances and countback DSO correct at any time granularity:
 *   ar_last_sum(date, amount) adds up `amount` over the rows at the group's latest date (a balance at
 *   the period end, not a sum over the months in it); ar_first_sum at the earliest date;
 *   ar_last_list_sum adds the countback lists element-wise at the latest date; ar_countback_days
 *   walks them (docs/cube.md explains the identity with the mart's walk).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Jinja, type AdapterType, type JinjaContext } from '../models/runner/jinja.ts';

const MACROS_DIR = fileURLToPath(new URL('../models/macros/', import.meta.url));

/** Months of history in mart_ar_kpis_monthly.back_sales_rc (countback looks back this far). */
export const COUNTBACK_MONTHS = 24;

const KPI_FUNCTIONS: Record<string, readonly string[]> = {
  dso: ['ending_ar', 'credit_sales', 'days'],
  best_possible_dso: ['current_ar', 'credit_sales', 'days'],
  cei: ['beginning_ar', 'credit_sales', 'ending_ar', 'ending_current_ar'],
  bad_debt_rate: ['write_offs', 'credit_sales'],
  safe_ratio: ['numerator', 'denominator'],
};

/** A macro call outside any model: the KPI formulas read no relation and no var. */
function formulaContext(adapterType: AdapterType): JinjaContext {
  const none = (what: string) => () => {
    throw new Error(`a KPI formula cannot use ${what}`);
  };
  return {
    ref: none('ref()'),
    source: none('source()'),
    config: () => undefined,
    isIncremental: () => false,
    thisRelation: '',
    vars: {},
    profile: 'arlens',
    adapterType,
  };
}

/**
 * The KPI formulas of macros/kpis.sql rendered for `adapterType` over the named arguments, by the
 * runner's Jinja with every project macro (the formulas dispatch per engine through
 * macros/portable.sql): the same text the marts are built with.
 */
export function kpiFormulas(adapterType: AdapterType = 'duckdb'): Record<string, string> {
  const files = readdirSync(MACROS_DIR)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({ path: `macros/${f}`, text: readFileSync(join(MACROS_DIR, f), 'utf8') }));
  const jinja = new Jinja(files);
  const ctx = formulaContext(adapterType);
  return Object.fromEntries(
    Object.entries(KPI_FUNCTIONS).map(([name, args]) => [
      name,
      jinja.callMacro(name, args, {}, ctx, `macros/kpis.sql (${name})`).trim(),
    ]),
  );
}

function kpiMacros(): string[] {
  const formulas = kpiFormulas('duckdb');
  return Object.entries(KPI_FUNCTIONS).map(
    ([name, args]) => `CREATE OR REPLACE MACRO kpi_${name}(${args.join(', ')}) AS ${formulas[name]}`,
  );
}

const AGGREGATE_MACROS = [
  `CREATE OR REPLACE MACRO ar_last_sum(d, v) AS
     coalesce(list_sum([x.v for x in list(struct_pack(d := d, v := v)) if x.d = max(d)]), 0)`,
  `CREATE OR REPLACE MACRO ar_first_sum(d, v) AS
     coalesce(list_sum([x.v for x in list(struct_pack(d := d, v := v)) if x.d = min(d)]), 0)`,
  `CREATE OR REPLACE MACRO ar_last_list_sum(d, l) AS
     [coalesce(list_sum([x.l[k] for x in list(struct_pack(d := d, l := l)) if x.d = max(d)]), 0)
      for k in range(1, ${COUNTBACK_MONTHS + 1})]`,
  // Month k of the walk contributes its days times the share of its sales still needed to cover
  // the AR left after the months before it (clamped to 0..1); a month without sales counts fully
  // while AR is left. NULL when the history does not cover the AR (as the mart's walk).
  `CREATE OR REPLACE MACRO ar_countback_days(ar, sales, days) AS
     CASE
       WHEN ar <= 0 THEN 0
       WHEN list_sum(sales) < ar THEN NULL
       ELSE list_sum([
         days[k] * greatest(0, least(1,
           CASE
             WHEN sales[k] > 0 THEN (ar - coalesce(list_sum(sales[1:k - 1]), 0)) / sales[k]
             WHEN ar - coalesce(list_sum(sales[1:k - 1]), 0) > 0 THEN 1
             ELSE 0
           END))
         for k in range(1, len(sales) + 1)])
     END`,
];

/**
 * The KPI formulas as PostgreSQL functions in schema `arlens` (the aggregates and `round` are in
 * warehouse/pg/functions.sql). Arguments are numeric, so sums and differences of money stay exact
 * until the formula divides in double precision, as the DuckDB macros (text substitution) do; counts
 * pass as numeric and are divided as doubles too.
 */
export function postgresKpiFunctions(): string[] {
  const formulas = kpiFormulas('postgres');
  return Object.entries(KPI_FUNCTIONS).map(
    ([name, args]) =>
      `CREATE OR REPLACE FUNCTION arlens.kpi_${name}(${args.map((a) => `${a} numeric`).join(', ')}) ` +
      `RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ${formulas[name]} $$`,
  );
}

const FUNCTIONS_SQL = fileURLToPath(new URL('../warehouse/pg/functions.sql', import.meta.url));

/**
 * arg_max(text, timestamp) for the server's own reads on PostgreSQL (credit/facts.ts and
 * alerts/facts.ts pick the latest risk band): the value at the greatest key, rows with a NULL value
 * or key skipped, as DuckDB's arg_max. Dates passed in widen to timestamp.
 */
const PG_ARG_MAX_TEXT = [
  `DO $$ BEGIN CREATE TYPE arlens.argmax_text AS (k timestamp, v text);
   EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
  `CREATE OR REPLACE FUNCTION arlens.argmax_text_step(st arlens.argmax_text, v text, k timestamp)
   RETURNS arlens.argmax_text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
   $$ SELECT CASE WHEN v IS NULL OR k IS NULL THEN st
                  WHEN st IS NULL OR k > st.k THEN ROW(k, v)::arlens.argmax_text ELSE st END $$`,
  `CREATE OR REPLACE FUNCTION arlens.argmax_text_final(st arlens.argmax_text) RETURNS text
   LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT st.v $$`,
  `CREATE OR REPLACE AGGREGATE arlens.arg_max(text, timestamp) (SFUNC = arlens.argmax_text_step,
   STYPE = arlens.argmax_text, FINALFUNC = arlens.argmax_text_final)`,
];

/**
 * DuckDB names the server's own readers use on the warehouse (collections/ledger.ts,
 * collections/effectiveness.ts), as `arlens` functions and an operator: `hash(text)` (a 64-bit hash;
 * its values differ from DuckDB's, which only groups rows into chunks), integer division `//`, and
 * `string_split(text, text)`.
 */
const PG_DUCKDB_NAMES = [
  `CREATE OR REPLACE FUNCTION arlens.hash(v text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
   AS $$ SELECT hashtextextended(v, 0) $$`,
  `CREATE OR REPLACE FUNCTION arlens.int_div(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE
   STRICT PARALLEL SAFE AS $$ SELECT a / b $$`,
  `DO $$ BEGIN CREATE OPERATOR arlens.// (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = arlens.int_div);
   EXCEPTION WHEN duplicate_function THEN NULL; END $$`,
  `CREATE OR REPLACE FUNCTION arlens.string_split(v text, sep text) RETURNS text[] LANGUAGE sql IMMUTABLE
   PARALLEL SAFE AS $$ SELECT string_to_array(v, sep) $$`,
];

/** A PLACEHOLDER_VIEWS query as a PostgreSQL query (DuckDB's DOUBLE is PostgreSQL's double precision). */
function postgresPlaceholder(sql: string): string {
  return sql.replace(/::DOUBLE\b/g, '::double precision');
}

/**
 * What a server serving a PostgreSQL warehouse runs once at start (warehouse/pg-serving.ts `setup`),
 * all idempotent: the `arlens` functions (warehouse/pg/functions.sql: round, the Cube aggregates;
 * the KPI functions; arg_max over text), and the tables of PLACEHOLDER_VIEWS a job has not written
 * yet, as empty tables (a view there would stand in the way of the job that creates the table).
 */
export function postgresServingSetup(): string[] {
  const placeholders = Object.entries(PLACEHOLDER_VIEWS).flatMap(([name, sql]) => {
    const [schema = '', table = ''] = name.split('.');
    return [
      `CREATE SCHEMA IF NOT EXISTS "${schema}"`,
      `CREATE TABLE IF NOT EXISTS "${schema}"."${table}" AS ${postgresPlaceholder(sql)} WITH NO DATA`,
    ];
  });
  return [
    readFileSync(FUNCTIONS_SQL, 'utf8'),
    ...postgresKpiFunctions(),
    ...PG_ARG_MAX_TEXT,
    ...PG_DUCKDB_NAMES,
    ...placeholders,
  ];
}

/** The statements to run once on the serving instance before Cube queries it. */
export function cubeSqlFunctions(): string[] {
  return [...kpiMacros(), ...AGGREGATE_MACROS];
}

/** Tables the model reads that a warehouse may not have yet: served empty until a job writes them. */
export const PLACEHOLDER_VIEWS: Readonly<Record<string, string>> = {
  'ml.customer_risk_scores': `SELECT NULL::VARCHAR AS customer_id, NULL::DATE AS as_of_date,
      NULL::DOUBLE AS probability_of_default, NULL::VARCHAR AS risk_band,
      NULL::DECIMAL(18, 2) AS exposure_amount, NULL::DECIMAL(18, 2) AS expected_loss_amount,
      NULL::VARCHAR AS model_version, NULL::VARCHAR AS top_features, NULL::TIMESTAMP AS scored_at
    WHERE false`,
  'ml.cash_forecast_intervals': `SELECT NULL::VARCHAR AS grouping, NULL::VARCHAR AS group_value,
      NULL::VARCHAR AS region, NULL::VARCHAR AS credit_controller, NULL::VARCHAR AS grain,
      NULL::DATE AS period_start, NULL::DATE AS period_end, NULL::DECIMAL(18, 2) AS expected_amount_rc,
      NULL::DECIMAL(18, 2) AS low_amount_rc, NULL::DECIMAL(18, 2) AS high_amount_rc,
      NULL::DECIMAL(18, 2) AS expected_amount_doc, NULL::DECIMAL(18, 2) AS low_amount_doc,
      NULL::DECIMAL(18, 2) AS high_amount_doc, NULL::VARCHAR AS document_currency, NULL::DATE AS as_of_date
    WHERE false`,
  'ml.cash_forecast_items': `SELECT NULL::VARCHAR AS invoice_id, NULL::VARCHAR AS customer_id,
      NULL::VARCHAR AS customer_name, NULL::VARCHAR AS region, NULL::VARCHAR AS credit_controller,
      NULL::VARCHAR AS currency_code, NULL::VARCHAR AS product_line, NULL::DATE AS due_date,
      NULL::DECIMAL(18, 2) AS open_amount, NULL::DECIMAL(18, 2) AS open_amount_rc,
      NULL::DOUBLE AS probability_paid_13w, NULL::DOUBLE AS probability_never, NULL::DATE AS expected_payment_date,
      NULL::DECIMAL(18, 2) AS expected_amount_13w, NULL::DECIMAL(18, 2) AS expected_amount_13w_rc,
      NULL::DATE AS as_of_date, NULL::VARCHAR AS method, NULL::TIMESTAMP AS forecast_at
    WHERE false`,
  'ml.cash_forecast_evaluation': `SELECT NULL::VARCHAR AS method, NULL::VARCHAR AS metric, NULL::DOUBLE AS value,
      NULL::INTEGER AS origins, NULL::DATE AS first_origin, NULL::DATE AS last_origin,
      NULL::TIMESTAMP AS evaluated_at
    WHERE false`,
};
