/**
 * The portable models compiled for PostgreSQL (docs/plans/postgres-engine.md §2.2, §15), without a
 * server: what the postgres__ macros render, and that no DuckDB-only construct is left. The run on a
 * real server is tests/pg/marts-equal.ts (every relation equal to DuckDB's, cell by cell).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, type CompiledProject } from '../../models/runner/compile.ts';
import { postgresKpiFunctions } from '../../cube/sql-functions.ts';
import { canonicalCell, pgType, postgresBuild } from '../pg/marts-equal.ts';
import { ROOT } from '../helpers.ts';

let pg: CompiledProject;
let duck: CompiledProject;
const models = (p: CompiledProject) => p.nodes.filter((n) => n.kind === 'model');
const sqlOf = (p: CompiledProject, name: string) => models(p).find((n) => n.name === name)?.sql ?? '';

beforeAll(async () => {
  [pg, duck] = await Promise.all([
    compile(join(ROOT, 'models'), {}, 'postgres'),
    compile(join(ROOT, 'models'), {}, 'duckdb'),
  ]);
});

/** DuckDB-only SQL (PostgreSQL 15 rejects it or means something else by it). */
const DUCKDB_ONLY: readonly [string, RegExp][] = [
  ['ASOF join', /\basof\b/i],
  ['range()', /\brange\s*\(/i],
  ['list() aggregate', /\blist\s*\(/i],
  ['list_contains', /\blist_contains\s*\(/i],
  ['from_json', /\bfrom_json\s*\(/i],
  ['arg_max', /\barg_max\s*\(/i],
  ['last_day', /\blast_day\s*\(/i],
  ['to_months', /\bto_months\s*\(/i],
  ['strftime', /\bstrftime\s*\(/i],
  ['year()/month()/quarter()/isodow()/day()', /(?<![\w.])(year|month|quarter|isodow|day)\s*\(/i],
  ['group by all', /group by all/i],
  ['union by name', /by name/i],
  ['* exclude', /\*\s*exclude/i],
  ['unquoted interval', /interval\s+\d/i],
  ['date_trunc on a date (timestamptz in PostgreSQL)', /date_trunc\('\w+', (?!cast\()/i],
  ['bare round() (numeric in PostgreSQL)', /(?<![\w.])round\s*\(/i],
];

describe('models compiled for PostgreSQL', () => {
  it('compile for every model, with no DuckDB-only construct left', () => {
    expect(models(pg).map((n) => n.name)).toEqual(models(duck).map((n) => n.name));
    const found = models(pg).flatMap((n) =>
      DUCKDB_ONLY.filter(([, re]) => re.test(n.sql ?? '')).map(([what]) => `${n.name}: ${what}`),
    );
    expect(found).toEqual([]);
  });

  it('divides only doubles: every / is between two casts to double precision (no integer or numeric division)', () => {
    const bare = models(pg).flatMap((n) =>
      [...(n.sql ?? '').matchAll(/.{0,40}\s\/\s.{0,40}/g)]
        .map(([m]) => m)
        .filter((m) => !/as double precision\) \/ cast\(/.test(m))
        .map((m) => `${n.name}: ${m}`),
    );
    expect(bare).toEqual([]);
    expect(models(pg).some((n) => (n.sql ?? '').includes('as double precision) / cast('))).toBe(true);
  });

  it('the DuckDB text still has the constructs the check looks for (the check can fail)', () => {
    const all = models(duck)
      .map((n) => n.sql)
      .join('\n');
    for (const what of ['ASOF join', 'range()', 'list() aggregate', 'arg_max', 'last_day', 'strftime']) {
      const [, re] = DUCKDB_ONLY.find(([w]) => w === what)!;
      expect(all, what).toMatch(re);
    }
  });

  it('renders the DuckDB semantics in PostgreSQL: bigint day counts, double ratios, DuckDB rounding', () => {
    const invoices = sqlOf(pg, 'fct_invoices');
    expect(invoices).toContain('cast(as_of_date - due_date as bigint) end as days_past_due');
    const kpis = sqlOf(pg, 'mart_ar_kpis_monthly');
    expect(kpis).toContain(
      'arlens.round(cast((c.ending_ar_rc) as double precision) / cast(nullif(c.credit_sales_rc, 0) as double precision) * (c.days_in_period), 2)::decimal(18, 2) as dso_days',
    );
    expect(kpis).toContain(
      'cast((c.on_time_invoice_count) as double precision) / cast(nullif(c.settled_invoice_count, 0) as double precision)',
    );
    expect(kpis).toMatch(/\(array_agg\(\(cumulative_days - back_days\)[\s\S]*order by back_month desc\)/);
    expect(kpis).toContain('generate_series(1, (25) - 1) as b(k)');
    const dates = sqlOf(pg, 'dim_dates');
    expect(dates).toContain(
      "cast(date_trunc('month', cast(date_day as timestamp)) as date) as month_start_date",
    );
    expect(dates).toContain('cast(extract(isodow from date_day) as bigint) as iso_day_of_week');
    expect(sqlOf(pg, 'int_fx_daily')).toContain('left join lateral');
    expect(sqlOf(pg, 'fct_credit_exposure')).toContain(
      'cast(nullif(c.credit_limit_amount * r.customer_fx_rate, 0) as double precision) as credit_utilisation',
    );
  });

  it('builds views and tables in dependency order', async () => {
    const { sql, relations } = await postgresBuild(join(ROOT, 'models'));
    expect(relations.find((r) => r.name === 'stg_erp__invoices')).toMatchObject({ kind: 'view' });
    expect(relations.find((r) => r.name === 'fct_ar_snapshots')).toMatchObject({ kind: 'table' });
    const at = (name: string) => sql.indexOf(`CREATE TABLE "marts"."${name}" AS`);
    expect(at('fct_invoices')).toBeGreaterThan(0);
    expect(at('fct_invoices')).toBeLessThan(at('fct_ar_snapshots'));
    expect(at('fct_ar_snapshots')).toBeLessThan(at('mart_ar_kpis_monthly'));
    expect(sql).toMatch(/^CREATE SCHEMA IF NOT EXISTS/);
  });
});

describe("Cube's KPI functions for PostgreSQL", () => {
  it('are rendered from kpis.sql with numeric arguments and a double division', () => {
    const fns = postgresKpiFunctions();
    expect(fns).toHaveLength(5);
    expect(fns[0]).toBe(
      'CREATE OR REPLACE FUNCTION arlens.kpi_dso(ending_ar numeric, credit_sales numeric, days numeric) ' +
        'RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT cast((ending_ar) as double precision) ' +
        '/ cast(nullif(credit_sales, 0) as double precision) * (days) $$',
    );
    expect(fns.find((f) => f.includes('kpi_cei('))).toContain(
      'cast(100.0 * ((beginning_ar) + (credit_sales) - (ending_ar)) as double precision)',
    );
  });
});

describe('the equality check', () => {
  it('compares money at its scale, doubles as doubles, lists of either engine alike', () => {
    expect(canonicalCell('12.50', false)).not.toBe(canonicalCell('12.5', false));
    expect(canonicalCell('0.0', true)).toBe(canonicalCell('0', true));
    expect(canonicalCell('51.67', true)).not.toBe(canonicalCell('51.669999999999995', true));
    expect(canonicalCell('[1.00, 2.00]', false)).toBe(canonicalCell('{1.00,2.00}', false));
    expect(canonicalCell('[1.00, 2.00]', false)).not.toBe(canonicalCell('{1.00,2.01}', false));
    expect(canonicalCell(null, false)).not.toBe(canonicalCell('', false));
    expect(canonicalCell('true', false)).toBe(canonicalCell('true', false));
  });

  it('maps the raw contract types and refuses one it does not know', () => {
    expect(pgType('DECIMAL(18,2)')).toBe('numeric(18,2)');
    expect(pgType('VARCHAR')).toBe('varchar');
    expect(pgType('TIMESTAMP')).toBe('timestamp');
    expect(() => pgType('HUGEINT')).toThrow('no PostgreSQL type for DuckDB HUGEINT');
  });
});
