/**
 * The pivot table: rows are the values of the dimensions, columns the time buckets or the values of
 * one chosen dimension, cells one measure. Totals only for additive measures (sums and counts; an
 * average or a ratio cannot be added up), money totals exact. Pure.
 */
import type { CubeValue } from '../cube/values.ts';
import { sumDecimals } from './decimal.ts';
import type { ViewMeta } from './meta.ts';
import { timeKey } from './query.ts';
import type { DrillPoint, ExplorerState } from './state.ts';
import { cell, column, resultColumns, type Cell, type Column, type DataTable } from './table.ts';

export interface PivotRow {
  readonly keys: readonly Cell[];
  readonly cells: readonly Cell[];
  /** Sum over the row's cells (additive measures only). */
  readonly total: Cell;
}

export interface Pivot {
  /** What the row headers hold (the dimensions not spread over columns). */
  readonly rowColumns: readonly Column[];
  /** What the column headers hold (time bucket or a dimension). */
  readonly columnColumn: Column;
  /** The measure in the cells. */
  readonly measure: Column;
  readonly additive: boolean;
  /** Column header values, ordered. */
  readonly columns: readonly Cell[];
  readonly rows: readonly PivotRow[];
  /** Sum per column and over everything (additive measures only; else null). */
  readonly totals: readonly Cell[] | null;
  readonly grandTotal: Cell;
}

/** Ascending, chronological for dates; empty values last. */
export function compareCells(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const na = Number(a);
  const nb = Number(b);
  if (
    typeof a === 'string' &&
    typeof b === 'string' &&
    a !== '' &&
    b !== '' &&
    !Number.isNaN(na) &&
    !Number.isNaN(nb)
  )
    return na - nb;
  return String(a) < String(b) ? -1 : 1;
}

function compareKeys(a: readonly Cell[], b: readonly Cell[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareCells(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

function add(values: readonly Cell[], kind: Column['kind']): Cell {
  const present = values.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
  if (present.length === 0) return null;
  const sum = sumDecimals(present);
  return kind === 'money' || kind === 'number' ? sum : Number(sum);
}

const keyOf = (cells: readonly Cell[]) => JSON.stringify(cells);

/** The pivot of Cube `rows` for `state.pivot`, or null when the state has no pivot. */
export function buildPivot(
  rows: readonly Record<string, CubeValue>[],
  state: ExplorerState,
  view: ViewMeta,
  bucketTitle: string,
): Pivot | null {
  const p = state.pivot;
  if (!p) return null;
  const measureMeta = view.measures.find((m) => m.name === p.measure);
  if (!measureMeta) return null;
  const all = resultColumns(state, view, bucketTitle).filter((c) => c.key !== `${view.name}.${p.measure}`);
  const columnKey = p.columns === 'time' ? timeKey(state) : `${view.name}.${p.columns}`;
  const columnColumn = all.find((c) => c.key === columnKey);
  if (!columnColumn) return null;
  const measures = new Set(state.measures.map((m) => `${view.name}.${m}`));
  const rowColumns = all.filter((c) => c !== columnColumn && !measures.has(c.key));
  const measure = column(view.name, measureMeta);
  const additive = measureMeta.additive;

  const columnValues = new Map<string, Cell>();
  const grid = new Map<string, { keys: Cell[]; cells: Map<string, Cell[]> }>();
  for (const r of rows) {
    const keys = rowColumns.map((c) => cell(r[c.key], c.kind));
    const col = cell(r[columnColumn.key], columnColumn.kind);
    const colKey = keyOf([col]);
    columnValues.set(colKey, col);
    const rowKey = keyOf(keys);
    let entry = grid.get(rowKey);
    if (!entry) grid.set(rowKey, (entry = { keys, cells: new Map() }));
    const list = entry.cells.get(colKey) ?? [];
    list.push(cell(r[measure.key], measure.kind));
    entry.cells.set(colKey, list);
  }
  const columns = [...columnValues.values()].sort(compareCells);
  const pivotRows: PivotRow[] = [...grid.values()]
    .sort((a, b) => compareKeys(a.keys, b.keys))
    .map((e) => {
      const cells = columns.map((c) => {
        const list = e.cells.get(keyOf([c])) ?? [];
        return additive ? add(list, measure.kind) : (list[list.length - 1] ?? null);
      });
      return { keys: e.keys, cells, total: additive ? add(cells, measure.kind) : null };
    });
  const totals = additive
    ? columns.map((_, i) =>
        add(
          pivotRows.map((r) => r.cells[i] ?? null),
          measure.kind,
        ),
      )
    : null;
  return {
    rowColumns,
    columnColumn,
    measure,
    additive,
    columns,
    rows: pivotRows,
    totals,
    grandTotal: totals ? add(totals, measure.kind) : null,
  };
}

/** Labels of the pivot's own texts. */
export interface PivotLabels {
  /** A column header value as text (a month, a region). */
  readonly header: (value: Cell, column: Column) => string;
  readonly total: string;
}

/** The pivot as a flat table (row headers, one column per header value, then the total), for export. */
export function pivotTable(pivot: Pivot, labels: PivotLabels): DataTable {
  const valueColumns: Column[] = pivot.columns.map((c, i) => ({
    key: `${pivot.columnColumn.key}#${i}`,
    title: labels.header(c, pivot.columnColumn),
    description: pivot.measure.description,
    kind: pivot.measure.kind,
    additive: false,
  }));
  const totalColumn: Column[] = pivot.additive
    ? [
        {
          key: '#total',
          title: labels.total,
          description: pivot.measure.description,
          kind: pivot.measure.kind,
          additive: false,
        },
      ]
    : [];
  const rowHeaders: Column[] =
    pivot.rowColumns.length > 0
      ? pivot.rowColumns.map((c) => ({ ...c, additive: false }))
      : [{ key: '#row', title: pivot.measure.title, description: '', kind: 'text', additive: false }];
  const rows: Cell[][] = pivot.rows.map((r) => [
    ...(pivot.rowColumns.length > 0 ? r.keys : [pivot.measure.title]),
    ...r.cells,
    ...(pivot.additive ? [r.total] : []),
  ]);
  if (pivot.totals && pivot.rowColumns.length > 0) {
    rows.push([
      labels.total,
      ...pivot.rowColumns.slice(1).map(() => null),
      ...pivot.totals,
      pivot.grandTotal,
    ]);
  }
  return { columns: [...rowHeaders, ...valueColumns, ...totalColumn], rows };
}

/**
 * The drill point of a pivot cell: the row's dimension values and the column's value (a time bucket
 * or a dimension value). `row` or `col` null: a total (that side unconstrained).
 */
export function pivotDrillPoint(
  pivot: Pivot,
  state: ExplorerState,
  row: number | null,
  col: number | null,
): DrillPoint {
  const time = timeKey(state);
  const values: { dimension: string; value: string | null }[] = [];
  let bucket: string | null = null;
  const put = (c: Column, v: Cell) => {
    if (c.key === time) bucket = v === null ? null : String(v);
    else values.push({ dimension: c.key.slice(state.view.length + 1), value: v === null ? null : String(v) });
  };
  if (row !== null) {
    const r = pivot.rows[row];
    if (r) pivot.rowColumns.forEach((c, i) => put(c, r.keys[i] ?? null));
  }
  if (col !== null) put(pivot.columnColumn, pivot.columns[col] ?? null);
  return { measure: pivot.measure.key.slice(state.view.length + 1), values, bucket };
}
