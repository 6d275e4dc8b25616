/**
 * Cube rows as a typed table: the columns (title, description, kind of value) and the cells,
 * converted at the Cube boundary (web/lib/cube/values.ts). The same table is shown on screen and
 * written to CSV and XLSX, so a file always says what the screen says. Pure.
 */
import { toDate, toMoney, toNumber, type CubeValue } from '../cube/values.ts';
import { sumDecimals } from './decimal.ts';
import type { MemberMeta, ValueKind, ViewMeta } from './meta.ts';
import { timeKey } from './query.ts';
import type { ExplorerState } from './state.ts';

export interface Column {
  /** Key of the value in Cube's rows. */
  readonly key: string;
  readonly title: string;
  readonly description: string;
  readonly kind: ValueKind;
  /** A measure whose values add up (sums, counts): the column has a total. */
  readonly additive: boolean;
}

/**
 * A converted value: money and numeric dimensions as exact decimal strings, counts and ratios as
 * numbers, dates as 'YYYY-MM-DD', text as text.
 */
export type Cell = string | number | boolean | null;

export interface DataTable {
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly Cell[])[];
}

/** One Cube value as a cell of `kind`. */
export function cell(value: CubeValue, kind: ValueKind): Cell {
  switch (kind) {
    case 'money':
    case 'number':
      return typeof value === 'number' ? value : toMoney(value);
    case 'count':
    case 'decimal':
    case 'percent':
      return toNumber(value);
    case 'date':
      return toDate(value);
    case 'boolean':
      if (value === null || value === undefined || value === '') return null;
      return value === true || value === 'true' || value === 1;
    case 'text':
      return value === null || value === undefined ? null : String(value);
  }
}

export function column(view: string, m: MemberMeta, key = `${view}.${m.name}`): Column {
  return { key, title: m.title, description: m.description, kind: m.kind, additive: m.additive };
}

/** The columns of the Explorer's result: time bucket, dimensions, measures. */
export function resultColumns(state: ExplorerState, view: ViewMeta, bucketTitle: string): Column[] {
  const out: Column[] = [];
  const time = timeKey(state);
  const timeMeta = view.timeDimensions.find((t) => t.name === state.time?.dimension);
  if (time && timeMeta) out.push({ ...column(view.name, timeMeta, time), title: bucketTitle });
  for (const d of state.dimensions) {
    const m = view.dimensions.find((x) => x.name === d);
    if (m) out.push(column(view.name, m));
  }
  for (const name of state.measures) {
    const m = view.measures.find((x) => x.name === name);
    if (m) out.push(column(view.name, m));
  }
  return out;
}

export function tableFromRows(
  rows: readonly Record<string, CubeValue>[],
  columns: readonly Column[],
): DataTable {
  return { columns, rows: rows.map((r) => columns.map((c) => cell(r[c.key], c.kind))) };
}

/** The exact sum of each additive column over all rows (null for the other columns). */
export function columnTotals(table: DataTable): Cell[] {
  return table.columns.map((c, i) => {
    if (!c.additive) return null;
    const sum = sumDecimals(
      table.rows.map((r) => r[i] ?? null).filter((v) => typeof v === 'string' || typeof v === 'number'),
    );
    return sum === null || c.kind === 'money' || c.kind === 'number' ? sum : Number(sum);
  });
}
