/**
 * The Explorer's whole state and how it lives in the URL, so every view is a link. Pure: no Svelte,
 * no fetch. `explorerStateFromUrl` never throws: a parameter it cannot read is ignored and the
 * default is used. Member names are checked for shape here and against the view's members by
 * `sanitizeState` (./sanitize.ts) once the model is known.
 *
 * Parameters (besides the global filters region, pl, cur, from, to):
 *   view=analyst  m=open_amount,count  d=region,product_line
 *   f=region:equals:LATAM,EMEA   (repeated; values separated by ',', a ',' or '\' in a value escaped by '\')
 *   t=issue_date  g=month  tf=2026-01-01  tt=2026-06-30
 *   chart=bar|line|stacked|pie|table   pivot=time|<dimension>  pm=<measure>
 *   drill=<measure>  dv=<dimension>:<value> (repeated)  dn=<dimension> (repeated: value is empty)  db=<bucket start>
 */
import { parseDay } from '../../../core/calendar.ts';
import { filtersFromUrl, filtersToUrl, type GlobalFilters } from '../filters/filters.ts';

export const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const CHART_TYPES = ['bar', 'line', 'stacked', 'pie', 'table'] as const;
export type ChartType = (typeof CHART_TYPES)[number];

export const OPERATORS = ['equals', 'notEquals', 'contains', 'gt', 'lt', 'set', 'notSet'] as const;
export type Operator = (typeof OPERATORS)[number];

/** Operators that take no values. */
export const UNARY: readonly Operator[] = ['set', 'notSet'];

export interface ExplorerFilter {
  /** Member of the view, without the view prefix ('region'). */
  readonly member: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export interface TimeChoice {
  readonly dimension: string;
  /** null: the range filters, no time buckets. */
  readonly granularity: Granularity | null;
  /** Inclusive business dates 'YYYY-MM-DD'. */
  readonly from: string | null;
  readonly to: string | null;
}

export interface PivotChoice {
  /** 'time' (the time buckets) or one of the chosen dimensions. */
  readonly columns: string;
  /** The measure in the cells. */
  readonly measure: string;
}

/** The chart element or pivot cell whose invoices are listed. */
export interface DrillPoint {
  readonly measure: string;
  /** Dimension values of the element; null for an empty value. */
  readonly values: readonly { readonly dimension: string; readonly value: string | null }[];
  /** Start of the element's time bucket ('YYYY-MM-DD'), when the query has one. */
  readonly bucket: string | null;
}

export interface ExplorerState {
  readonly view: string;
  readonly measures: readonly string[];
  readonly dimensions: readonly string[];
  readonly filters: readonly ExplorerFilter[];
  readonly time: TimeChoice | null;
  readonly chart: ChartType;
  readonly pivot: PivotChoice | null;
  /** The dashboard's global filters (region, product line, currency, dates). */
  readonly global: GlobalFilters;
  readonly drill: DrillPoint | null;
}

export const DEFAULT_VIEW = 'analyst';
export const MAX_MEASURES = 8;
export const MAX_DIMENSIONS = 4;
export const MAX_FILTERS = 12;

/** What an Explorer opened without parameters shows: open AR by region. */
export const DEFAULT_STATE: ExplorerState = {
  view: DEFAULT_VIEW,
  measures: ['open_amount'],
  dimensions: ['region'],
  filters: [],
  time: null,
  chart: 'bar',
  pivot: null,
  global: {},
  drill: null,
};

const NAME = /^[a-z_][a-z0-9_]{0,63}$/;

export function isName(s: string): boolean {
  return NAME.test(s);
}

/** A real calendar date 'YYYY-MM-DD' (not 2026-02-30). */
export function isDate(s: string): boolean {
  try {
    parseDay(s);
    return true;
  } catch {
    return false;
  }
}

function oneOf<T extends string>(list: readonly T[], v: string | null): T | null {
  return v !== null && (list as readonly string[]).includes(v) ? (v as T) : null;
}

function names(raw: string, max: number): string[] {
  const out: string[] = [];
  for (const part of raw.split(',')) {
    const n = part.trim();
    if (isName(n) && !out.includes(n) && out.length < max) out.push(n);
  }
  return out;
}

/** Split on ',' not escaped by '\'; '\,' and '\\' become ',' and '\'. */
export function splitValues(raw: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      cur += raw[++i];
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out;
}

export function joinValues(values: readonly string[]): string {
  return values.map((v) => v.replace(/[\\,]/g, (c) => `\\${c}`)).join(',');
}

function parseFilter(raw: string): ExplorerFilter | null {
  const first = raw.indexOf(':');
  if (first < 0) return null;
  const member = raw.slice(0, first);
  const rest = raw.slice(first + 1);
  const second = rest.indexOf(':');
  const operator = oneOf(OPERATORS, second < 0 ? rest : rest.slice(0, second));
  if (!isName(member) || operator === null) return null;
  if (UNARY.includes(operator)) return { member, operator, values: [] };
  const values = second < 0 ? [] : splitValues(rest.slice(second + 1));
  return { member, operator, values: [...new Set(values)].slice(0, 100) };
}

function formatFilter(f: ExplorerFilter): string {
  return UNARY.includes(f.operator) || f.values.length === 0
    ? `${f.member}:${f.operator}`
    : `${f.member}:${f.operator}:${joinValues(f.values)}`;
}

function parseTime(params: URLSearchParams): TimeChoice | null {
  const dimension = params.get('t');
  if (dimension === null || !isName(dimension)) return null;
  const date = (name: string) => {
    const v = params.get(name);
    return v !== null && isDate(v) ? v : null;
  };
  return {
    dimension,
    granularity: oneOf(GRANULARITIES, params.get('g')),
    from: date('tf'),
    to: date('tt'),
  };
}

function parseDrill(params: URLSearchParams): DrillPoint | null {
  const measure = params.get('drill');
  if (measure === null || !isName(measure)) return null;
  const values: { dimension: string; value: string | null }[] = [];
  const seen = new Set<string>();
  for (const raw of params.getAll('dv')) {
    const at = raw.indexOf(':');
    const dimension = at < 0 ? '' : raw.slice(0, at);
    if (!isName(dimension) || seen.has(dimension)) continue;
    seen.add(dimension);
    values.push({ dimension, value: raw.slice(at + 1) });
  }
  for (const dimension of params.getAll('dn')) {
    if (!isName(dimension) || seen.has(dimension)) continue;
    seen.add(dimension);
    values.push({ dimension, value: null });
  }
  const bucket = params.get('db');
  return { measure, values, bucket: bucket !== null && isDate(bucket) ? bucket : null };
}

/** The Explorer state a URL holds. Never throws; what it cannot read falls back to the default. */
export function explorerStateFromUrl(params: URLSearchParams): ExplorerState {
  const viewParam = params.get('view');
  const view = viewParam !== null && isName(viewParam) ? viewParam : DEFAULT_VIEW;
  const isDefaultView = view === DEFAULT_VIEW;
  const m = params.get('m');
  const d = params.get('d');
  const pivotColumns = params.get('pivot');
  const pivotMeasure = params.get('pm');
  const filters: ExplorerFilter[] = [];
  for (const raw of params.getAll('f')) {
    const f = parseFilter(raw);
    if (f && filters.length < MAX_FILTERS) filters.push(f);
  }
  const measures = m === null ? (isDefaultView ? [...DEFAULT_STATE.measures] : []) : names(m, MAX_MEASURES);
  const cellMeasure = pivotMeasure !== null && isName(pivotMeasure) ? pivotMeasure : measures[0];
  return {
    view,
    measures,
    dimensions: d === null ? (isDefaultView ? [...DEFAULT_STATE.dimensions] : []) : names(d, MAX_DIMENSIONS),
    filters,
    time: parseTime(params),
    chart: oneOf(CHART_TYPES, params.get('chart')) ?? DEFAULT_STATE.chart,
    pivot:
      pivotColumns !== null && isName(pivotColumns) && cellMeasure !== undefined
        ? { columns: pivotColumns, measure: cellMeasure }
        : null,
    global: filtersFromUrl(params),
    drill: parseDrill(params),
  };
}

/** The URL parameters holding `state` (global filters included). */
export function explorerStateToUrl(state: ExplorerState): URLSearchParams {
  const p = filtersToUrl(state.global);
  p.set('view', state.view);
  p.set('m', state.measures.join(','));
  p.set('d', state.dimensions.join(','));
  for (const f of state.filters) p.append('f', formatFilter(f));
  if (state.time) {
    p.set('t', state.time.dimension);
    if (state.time.granularity) p.set('g', state.time.granularity);
    if (state.time.from) p.set('tf', state.time.from);
    if (state.time.to) p.set('tt', state.time.to);
  }
  p.set('chart', state.chart);
  if (state.pivot) {
    p.set('pivot', state.pivot.columns);
    p.set('pm', state.pivot.measure);
  }
  if (state.drill) {
    p.set('drill', state.drill.measure);
    for (const v of state.drill.values) {
      if (v.value === null) p.append('dn', v.dimension);
      else p.append('dv', `${v.dimension}:${v.value}`);
    }
    if (state.drill.bucket) p.set('db', state.drill.bucket);
  }
  return p;
}
