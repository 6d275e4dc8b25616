/**
 * What the dashboard's pickers offer (regions, product lines, currencies, months, credit
 * controllers), read from the marts once per published warehouse generation (every page load asks;
 * the answer only changes when a job publishes). A sales lead is offered their regions only.
 */
import type { SecurityContext } from '../../../auth/tokens.ts';
import type { FilterOptions } from '../filters/filters.ts';
import { tableExists, toCount, type Query } from '../../../warehouse/convert.ts';
import type { AgingConfig } from '../aging/buckets.ts';
import type { Serving } from '../../../warehouse/serving.ts';
import { reportingCurrency, servingWarehouse } from './warehouse';

const EMPTY: FilterOptions = {
  regions: [],
  productLines: [],
  currencies: [],
  controllers: [],
  firstMonth: null,
  lastMonth: null,
  asOf: null,
  reportingCurrency: 'USD',
  aging: { basis: 'due_date', buckets: [] },
};

let cached: { wh: Serving; generation: number; options: Promise<FilterOptions> } | undefined;

export async function filterOptions(user: SecurityContext | null): Promise<FilterOptions> {
  const wh = servingWarehouse();
  if (wh.generation === 0) return EMPTY;
  if (cached?.wh !== wh || cached.generation !== wh.generation) {
    const options = readOptions(wh);
    cached = { wh, generation: wh.generation, options };
    options.catch(() => {
      if (cached?.options === options) cached = undefined;
    });
  }
  const all = await cached.options;
  return user?.role === 'sales_lead'
    ? { ...all, regions: all.regions.filter((x) => user.regions.includes(x)) }
    : all;
}

async function readOptions(wh: Serving): Promise<FilterOptions> {
  const query = wh.query.bind(wh);
  if (!(await tableExists(query, 'marts', 'mart_ar_kpis_monthly'))) return EMPTY;
  const list = async (sql: string) => (await query(sql)).map((r) => String(Object.values(r)[0]));
  const [regions, productLines, currencies, controllers, range] = await Promise.all([
    list('SELECT DISTINCT region FROM marts.dim_customers ORDER BY 1'),
    list('SELECT DISTINCT product_line FROM marts.fct_invoices ORDER BY 1'),
    list('SELECT DISTINCT currency_code FROM marts.fct_invoices ORDER BY 1'),
    list(
      'SELECT DISTINCT credit_controller FROM marts.dim_customers WHERE credit_controller IS NOT NULL ORDER BY 1',
    ),
    query(
      'SELECT min(month_start) AS first, max(month_start) AS last, max(period_end_date) AS as_of FROM marts.mart_ar_kpis_monthly',
    ),
  ]);
  const r = range[0] ?? {};
  return {
    aging: await readAging(query),
    regions,
    productLines,
    currencies,
    controllers,
    firstMonth: (r['first'] as string | null) ?? null,
    lastMonth: (r['last'] as string | null) ?? null,
    asOf: (r['as_of'] as string | null) ?? null,
    reportingCurrency: reportingCurrency(),
  };
}

/** The configured aging buckets in order (intermediate.int_aging_buckets, written by every build). */
export async function readAging(query: Query): Promise<AgingConfig> {
  if (!(await tableExists(query, 'intermediate', 'int_aging_buckets'))) return EMPTY.aging;
  const rows = await query(
    'SELECT aging_bucket_order, aging_bucket, aging_basis FROM intermediate.int_aging_buckets ORDER BY 1',
  );
  return {
    basis: rows[0]?.['aging_basis'] === 'document_date' ? 'document_date' : 'due_date',
    buckets: rows.map((r) => ({
      order: toCount(r['aging_bucket_order']),
      bucket: String(r['aging_bucket']),
    })),
  };
}
