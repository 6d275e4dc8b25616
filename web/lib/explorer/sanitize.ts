/**
 * An Explorer state checked against the model: members the view does not have, filters whose
 * operator does not fit the member, a pivot or drill that refers to something not chosen, are
 * dropped. A link from an older model or a hand-edited URL therefore still opens. Pure.
 */
import { canDrill } from './drill.ts';
import type { MemberMeta, ViewMeta } from './meta.ts';
import {
  DEFAULT_STATE,
  DEFAULT_VIEW,
  UNARY,
  type ExplorerFilter,
  type ExplorerState,
  type Operator,
} from './state.ts';

/** The operators that make sense for a member of this kind. */
export function operatorsFor(member: MemberMeta): readonly Operator[] {
  switch (member.kind) {
    case 'text':
      return ['equals', 'notEquals', 'contains', 'set', 'notSet'];
    case 'boolean':
      return ['equals', 'notEquals', 'set', 'notSet'];
    default:
      return ['equals', 'notEquals', 'gt', 'lt', 'set', 'notSet'];
  }
}

const NUMBER = /^-?\d+(\.\d+)?$/;

function cleanFilter(f: ExplorerFilter, view: ViewMeta): ExplorerFilter | null {
  const member = view.dimensions.find((d) => d.name === f.member);
  if (!member || !operatorsFor(member).includes(f.operator)) return null;
  if (UNARY.includes(f.operator)) return { ...f, values: [] };
  let values = f.values;
  if (member.kind === 'boolean') values = values.filter((v) => v === 'true' || v === 'false');
  else if (member.kind !== 'text') values = values.filter((v) => NUMBER.test(v));
  if (f.operator === 'gt' || f.operator === 'lt') values = values.slice(0, 1);
  return { ...f, values };
}

/** The measures and dimensions a view starts with when it is chosen. */
export function viewDefaults(view: ViewMeta): Pick<ExplorerState, 'measures' | 'dimensions'> {
  if (view.name === DEFAULT_VIEW)
    return { measures: DEFAULT_STATE.measures, dimensions: DEFAULT_STATE.dimensions };
  return { measures: view.measures.slice(0, 1).map((m) => m.name), dimensions: [] };
}

export interface Sanitized {
  readonly state: ExplorerState;
  readonly view: ViewMeta;
}

/** `state` with everything `views` cannot answer removed; null when the model has no views. */
export function sanitizeState(state: ExplorerState, views: readonly ViewMeta[]): Sanitized | null {
  const found = views.find((v) => v.name === state.view);
  const view = found ?? views.find((v) => v.name === DEFAULT_VIEW) ?? views[0];
  if (!view) return null;
  const base = found ? state : { ...state, view: view.name, ...viewDefaults(view), filters: [], time: null };

  const measures = base.measures.filter((m) => view.measures.some((x) => x.name === m));
  const dimensions = base.dimensions.filter((d) => view.dimensions.some((x) => x.name === d));
  if (measures.length === 0 && dimensions.length === 0 && view.measures[0])
    measures.push(view.measures[0].name);

  const filters = base.filters.flatMap((f) => cleanFilter(f, view) ?? []);
  const time =
    base.time && view.timeDimensions.some((t) => t.name === base.time?.dimension) ? base.time : null;

  let pivot = base.pivot;
  if (pivot) {
    const measure = measures.includes(pivot.measure) ? pivot.measure : measures[0];
    const columnsOk = pivot.columns === 'time' ? !!time?.granularity : dimensions.includes(pivot.columns);
    pivot = measure !== undefined && columnsOk ? { columns: pivot.columns, measure } : null;
  }

  let drill = base.drill;
  if (drill) {
    const ok =
      canDrill(view.name) &&
      measures.includes(drill.measure) &&
      drill.values.every((v) => dimensions.includes(v.dimension)) &&
      (drill.bucket === null || !!time?.granularity);
    drill = ok ? drill : null;
  }

  return { view, state: { ...base, measures, dimensions, filters, time, pivot, drill } };
}
