/**
 * The warehouse's tables as PostgreSQL DDL, and their Citus layout (issue 21, Deliver 6): what
 * `arlens warehouse ddl [--citus]` prints, read from the tables of a built DuckDB warehouse so it never
 * drifts from the models. docs/scale-out.md explains the layout; this file is its one statement.
 *
 * Types map as the PostgreSQL path does (docs/plans/postgres-engine.md §2.3): DECIMAL(p,s) → numeric,
 * HUGEINT (sums of counts) → numeric(38,0), VARCHAR → text COLLATE "C" (DuckDB orders text by bytes;
 * so does the C collation), lists → arrays. A type with no mapping is an error naming the column.
 *
 * The Citus layout: every table with a customer_id is distributed by it in one co-location group
 * anchored on raw.customers, so the per-customer joins and windows of the marts run shard-local;
 * small tables every fact joins (calendar, FX, aging buckets, the monthly marts) are reference tables
 * (a copy on every worker); bookkeeping (meta, Cube's rollups) stays on the coordinator. Two tables
 * have no customer_id (raw.payment_applications, intermediate.int_invoice_reductions): they are
 * distributed by invoice_id on their own and their joins to invoices repartition — listed in
 * `CITUS_GAPS` and the docs with the fix (carry customer_id).
 */
import type { Query } from './convert.ts';
import { ident } from './duckdb.ts';

export interface TableShape {
  readonly schema: string;
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: string }[];
}

/** The schemas whose tables make up the warehouse (views are created by the build, not here). */
export const WAREHOUSE_SCHEMAS = [
  'raw',
  'worklist',
  'staging',
  'intermediate',
  'marts',
  'ml',
  'meta',
] as const;

/** The base tables of a built warehouse, ordered by schema (as WAREHOUSE_SCHEMAS) and name. */
export async function readShapes(query: Query): Promise<TableShape[]> {
  const rows = await query(
    `SELECT c.table_schema, c.table_name, c.column_name, c.data_type
     FROM information_schema.columns AS c
     JOIN information_schema.tables AS t USING (table_catalog, table_schema, table_name)
     WHERE t.table_type = 'BASE TABLE' AND c.table_schema IN (${WAREHOUSE_SCHEMAS.map(() => '?').join(', ')})
       AND t.table_catalog = current_database()
     ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
    [...WAREHOUSE_SCHEMAS],
  );
  const tables = new Map<
    string,
    { schema: string; name: string; columns: { name: string; type: string }[] }
  >();
  for (const r of rows) {
    const schema = String(r['table_schema']);
    const name = String(r['table_name']);
    const key = `${schema}.${name}`;
    let t = tables.get(key);
    if (!t) tables.set(key, (t = { schema, name, columns: [] }));
    t.columns.push({ name: String(r['column_name']), type: String(r['data_type']) });
  }
  const order = (s: string) => (WAREHOUSE_SCHEMAS as readonly string[]).indexOf(s);
  return [...tables.values()].sort((a, b) => order(a.schema) - order(b.schema) || (a.name < b.name ? -1 : 1));
}

const SCALARS: Readonly<Record<string, string>> = {
  VARCHAR: 'text COLLATE "C"',
  BIGINT: 'bigint',
  INTEGER: 'integer',
  SMALLINT: 'smallint',
  HUGEINT: 'numeric(38, 0)',
  DOUBLE: 'double precision',
  FLOAT: 'real',
  BOOLEAN: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  JSON: 'jsonb',
  BLOB: 'bytea',
};

/** A DuckDB column type as PostgreSQL writes it, or an error naming what has no mapping. */
export function pgType(duckType: string): string {
  const t = duckType.trim().toUpperCase();
  if (t.endsWith('[]')) return `${pgType(t.slice(0, -2)).replace(' COLLATE "C"', '')}[]`;
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return `numeric(${dec[1]}, ${dec[2]})`;
  const s = SCALARS[t];
  if (s === undefined) throw new Error(`No PostgreSQL type for the DuckDB type ${duckType}.`);
  return s;
}

export type Placement =
  | { readonly kind: 'distributed'; readonly column: string; readonly colocateWith: string }
  | { readonly kind: 'reference' }
  | { readonly kind: 'local' };

/** The co-location anchor: customers, distributed by their id. */
export const ANCHOR = 'raw.customers';

/** Tables without a customer_id that grow with the ledger, distributed by invoice_id on their own. */
export const CITUS_GAPS: Readonly<Record<string, string>> = {
  'raw.payment_applications':
    'no customer_id in the ERP contract: its joins to invoices repartition; carry customer_id at ingest (looked up from raw.invoices) to co-locate it',
  'intermediate.int_invoice_reductions':
    'keyed by invoice_id: its join to fct_invoices repartitions; carry customer_id in the model to co-locate it',
};

export function placement(t: TableShape): Placement {
  const key = `${t.schema}.${t.name}`;
  if (t.schema === 'meta') return { kind: 'local' };
  if (key === ANCHOR) return { kind: 'distributed', column: 'customer_id', colocateWith: 'default' };
  if (CITUS_GAPS[key] !== undefined)
    return { kind: 'distributed', column: 'invoice_id', colocateWith: 'none' };
  if (t.columns.some((c) => c.name === 'customer_id')) {
    return { kind: 'distributed', column: 'customer_id', colocateWith: ANCHOR };
  }
  return { kind: 'reference' };
}

const rel = (t: { schema: string; name: string }) => `${ident(t.schema)}.${ident(t.name)}`;
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** CREATE SCHEMA / CREATE TABLE for every table; with `citus`, the distribution of each. */
export function renderDdl(shapes: readonly TableShape[], o: { citus: boolean }): string {
  const out: string[] = [
    `-- ARLens warehouse tables for PostgreSQL${o.citus ? ' with Citus' : ''}, from the built warehouse's own tables.`,
    '-- Views (staging, some intermediates) are created by `arlens build`; docs/scale-out.md explains the layout.',
    '',
  ];
  for (const schema of [...new Set(shapes.map((t) => t.schema))])
    out.push(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)};`);
  out.push('');
  for (const t of shapes) {
    const cols = t.columns.map((c) => {
      try {
        return `  ${ident(c.name)} ${pgType(c.type)}`;
      } catch (e) {
        throw new Error(`${t.schema}.${t.name}.${c.name}: ${(e as Error).message}`, { cause: e });
      }
    });
    out.push(`CREATE TABLE IF NOT EXISTS ${rel(t)} (\n${cols.join(',\n')}\n);`);
  }
  if (o.citus) {
    out.push('', '-- Citus: the anchor first, then its co-located tables, then reference tables.');
    const placed = shapes.map((t) => ({ t, p: placement(t) }));
    const anchorFirst = [...placed].sort(
      (a, b) =>
        Number(`${b.t.schema}.${b.t.name}` === ANCHOR) - Number(`${a.t.schema}.${a.t.name}` === ANCHOR),
    );
    for (const { t, p } of anchorFirst) {
      const key = `${t.schema}.${t.name}`;
      if (p.kind === 'distributed') {
        const gap = CITUS_GAPS[key];
        if (gap) out.push(`-- ${key}: ${gap}.`);
        const colocate =
          p.colocateWith === ANCHOR ? rel({ schema: 'raw', name: 'customers' }) : p.colocateWith;
        out.push(
          `SELECT create_distributed_table(${literal(rel(t))}, ${literal(p.column)}, colocate_with => ${literal(colocate)});`,
        );
      } else if (p.kind === 'reference') {
        out.push(`SELECT create_reference_table(${literal(rel(t))});`);
      } else {
        out.push(`-- ${key}: stays on the coordinator (bookkeeping, written once per job).`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}
