/**
 * Drill-down: the invoices behind a chart element or pivot cell. The element's dimension values, its
 * time bucket (as a date range) and every filter of the Explorer and the dashboard narrow the
 * invoice list; a second query counts them and totals the measure, so the list can say
 * "showing 500 of 1,234" and its amounts add up to the element's value. Pure.
 */
import type { Filter, Query } from '@cubejs-client/core';
import { viewFilters } from '../filters/filters.ts';
import type { ViewMeta } from './meta.ts';
import { cubeFilters, timeDimensions, timeKey } from './query.ts';
import type { DrillPoint, ExplorerState } from './state.ts';
import { column, type Cell, type Column } from './table.ts';
import { bucketRange } from './time.ts';

/** The invoice columns of the drill list, in order. */
export const DRILL_COLUMNS = [
  'invoice_id',
  'customer_name',
  'issue_date',
  'due_date',
  'currency',
  'invoice_amount',
  'open_amount_document',
  'days_past_due',
  'aging_bucket',
] as const;

/** Views with one row per invoice (and every drill column). */
const DRILL_VIEWS = ['analyst', 'collections'];

/** Rows the drill list shows at most. */
export const DRILL_LIMIT = 500;

/** The time dimension the global dates apply to when the Explorer has none chosen. */
const DEFAULT_TIME = 'issue_date';

export function canDrill(view: string): boolean {
  return DRILL_VIEWS.includes(view);
}

export interface DrillQueries {
  /** The invoices, biggest contribution to the measure first. */
  readonly rows: Query;
  /** One row: how many invoices, and the measure's total over them. */
  readonly total: Query;
}

/** The queries for the invoices behind `clicked`, or null when the view has no invoice rows. */
export function drillQuery(
  state: ExplorerState,
  clicked: DrillPoint,
  limit = DRILL_LIMIT,
): DrillQueries | null {
  if (!canDrill(state.view)) return null;
  const v = state.view;
  const bucket =
    clicked.bucket && state.time?.granularity
      ? bucketRange(clicked.bucket, state.time.granularity)
      : undefined;
  const filters: Filter[] = [
    ...cubeFilters(v, state.filters),
    ...viewFilters(v, state.global, ['region', 'product_line', 'currency']),
    ...clicked.values.map((c): Filter =>
      c.value === null
        ? { member: `${v}.${c.dimension}`, operator: 'notSet' }
        : { member: `${v}.${c.dimension}`, operator: 'equals', values: [c.value] },
    ),
  ];
  const time = timeDimensions(state, DEFAULT_TIME, bucket, false);
  const measure = `${v}.${clicked.measure}`;
  return {
    rows: {
      measures: [measure],
      dimensions: DRILL_COLUMNS.map((c) => `${v}.${c}`),
      timeDimensions: time,
      filters,
      order: [
        [measure, 'desc'],
        [`${v}.invoice_id`, 'asc'],
      ],
      limit,
    },
    total: {
      measures: [...new Set([`${v}.count`, measure])],
      timeDimensions: time,
      filters,
    },
  };
}

/** The drill list's columns: the invoice fields, then the measure that was clicked. */
export function drillColumns(view: ViewMeta, measure: string): Column[] {
  const all = [...view.dimensions, ...view.timeDimensions];
  const out: Column[] = [];
  for (const name of DRILL_COLUMNS) {
    const m = all.find((x) => x.name === name);
    if (m) out.push(column(view.name, m));
  }
  const m = view.measures.find((x) => x.name === measure);
  if (m) out.push(column(view.name, m));
  return out;
}

/**
 * The drill point of a result row: `cells` are the row's values of `columns` (its dimensions and
 * time bucket), `measure` the measure clicked.
 */
export function drillPoint(
  state: ExplorerState,
  measure: string,
  columns: readonly Column[],
  cells: readonly Cell[],
): DrillPoint {
  const time = timeKey(state);
  const values: { dimension: string; value: string | null }[] = [];
  let bucket: string | null = null;
  columns.forEach((c, i) => {
    const v = cells[i] ?? null;
    const text = v === null ? null : String(v);
    if (c.key === time) bucket = text;
    else values.push({ dimension: c.key.slice(state.view.length + 1), value: text });
  });
  return { measure, values, bucket };
}

function isDrillPoint(x: unknown): x is DrillPoint {
  if (typeof x !== 'object' || x === null) return false;
  const d = x as Record<string, unknown>;
  return (
    typeof d['measure'] === 'string' &&
    (d['bucket'] === null || typeof d['bucket'] === 'string') &&
    Array.isArray(d['values']) &&
    d['values'].every(
      (v: unknown) =>
        typeof v === 'object' &&
        v !== null &&
        typeof (v as Record<string, unknown>)['dimension'] === 'string' &&
        ((v as Record<string, unknown>)['value'] === null ||
          typeof (v as Record<string, unknown>)['value'] === 'string'),
    )
  );
}

/** The drill point a chart element carries (./option.ts puts it on every data item), if any. */
export function clickedFromChart(data: unknown): DrillPoint | null {
  if (typeof data !== 'object' || data === null) return null;
  const drill = (data as { drill?: unknown }).drill;
  return isDrillPoint(drill) ? drill : null;
}
