/**
 * The Cube query behind an Explorer state: the chosen measures and dimensions of the view, the
 * Explorer's filters and the dashboard's global filters (for the dimensions the view has), the
 * time dimension with its range and buckets. Pure.
 */
import type { Filter, Query, TimeDimension } from '@cubejs-client/core';
import { viewFilters } from '../filters/filters.ts';
import type { ViewMeta } from './meta.ts';
import { UNARY, type ExplorerState, type ExplorerFilter } from './state.ts';
import { queryRange, type DateRange } from './time.ts';

/** Rows the Explorer asks for at most (the page says when a result was cut there). */
export const RESULT_LIMIT = 5000;

/** The key of a time bucket in Cube's rows ('analyst.issue_date.month'), or null without buckets. */
export function timeKey(state: ExplorerState): string | null {
  return state.time?.granularity ? `${state.view}.${state.time.dimension}.${state.time.granularity}` : null;
}

/** Cube filters for the Explorer's own filters (a value-less filter that needs values is left out). */
export function cubeFilters(view: string, filters: readonly ExplorerFilter[]): Filter[] {
  return filters.flatMap((f): Filter[] => {
    const member = `${view}.${f.member}`;
    if (UNARY.includes(f.operator)) return [{ member, operator: f.operator as 'set' | 'notSet' }];
    if (f.values.length === 0) return [];
    return [
      {
        member,
        operator: f.operator as Exclude<ExplorerFilter['operator'], 'set' | 'notSet'>,
        values: [...f.values],
      },
    ];
  });
}

/**
 * The time dimension entry: the chosen one (with its buckets), or, when only the global dates are
 * set, the view's first time dimension as a range filter. `bucket` narrows the range (drill-down).
 */
export function timeDimensions(
  state: ExplorerState,
  defaultDimension: string | undefined,
  bucket?: DateRange,
  withGranularity = true,
): TimeDimension[] {
  const range = queryRange(state, bucket);
  const dimension = state.time?.dimension ?? (range ? defaultDimension : undefined);
  if (!dimension) return [];
  const granularity = withGranularity ? state.time?.granularity : null;
  if (!granularity && !range) return [];
  return [
    {
      dimension: `${state.view}.${dimension}`,
      ...(granularity ? { granularity } : {}),
      ...(range ? { dateRange: [range[0], range[1]] as [string, string] } : {}),
    },
  ];
}

/** The query for `state` on `view`, or null when nothing is chosen. */
export function explorerQuery(state: ExplorerState, view: ViewMeta, limit = RESULT_LIMIT): Query | null {
  if (state.measures.length === 0 && state.dimensions.length === 0 && !state.time?.granularity) return null;
  const v = state.view;
  const time = timeKey(state);
  const firstMeasure = state.measures[0];
  const order: Record<string, 'asc' | 'desc'> = {};
  if (time) order[`${v}.${state.time!.dimension}`] = 'asc';
  if (firstMeasure) order[`${v}.${firstMeasure}`] = 'desc';
  else if (state.dimensions[0]) order[`${v}.${state.dimensions[0]}`] = 'asc';
  return {
    measures: state.measures.map((m) => `${v}.${m}`),
    dimensions: state.dimensions.map((d) => `${v}.${d}`),
    timeDimensions: timeDimensions(state, view.timeDimensions[0]?.name),
    filters: [
      ...cubeFilters(v, state.filters),
      ...viewFilters(
        v,
        state.global,
        view.dimensions.map((d) => d.name),
      ),
    ],
    order,
    limit,
  };
}
