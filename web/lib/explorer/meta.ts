/**
 * The views the Explorer offers, read from Cube's /v1/meta: each member's short title, description
 * (shown as its tooltip) and what kind of value it holds, which decides how it is formatted and
 * exported. Pure.
 */
import type { Cube } from '@cubejs-client/core';

/**
 * money: exact decimal string in the reporting currency; percent: a ratio (0.25 = 25 %);
 * count: whole numbers; decimal: a measure with one decimal (days, DSO); number: a numeric
 * dimension; date: a business date 'YYYY-MM-DD'.
 */
export type ValueKind = 'money' | 'percent' | 'count' | 'decimal' | 'number' | 'text' | 'date' | 'boolean';

export interface MemberMeta {
  /** Name inside the view ('open_amount'). */
  readonly name: string;
  /** Full Cube member ('analyst.open_amount'). */
  readonly member: string;
  readonly title: string;
  readonly description: string;
  readonly kind: ValueKind;
  /** Sums of cells are meaningful (pivot totals): sums and counts, not averages or ratios. */
  readonly additive: boolean;
}

export interface ViewMeta {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly measures: readonly MemberMeta[];
  /** Dimensions that are not time dimensions. */
  readonly dimensions: readonly MemberMeta[];
  readonly timeDimensions: readonly MemberMeta[];
}

const COUNTS = ['count', 'countDistinct', 'countDistinctApprox'];

function measureKind(format: string | undefined, aggType: string): ValueKind {
  if (format === 'currency') return 'money';
  if (format === 'percent') return 'percent';
  if (COUNTS.includes(aggType) || aggType === 'sum') return 'count';
  return 'decimal';
}

function dimensionKind(type: string): ValueKind {
  switch (type) {
    case 'number':
      return 'number';
    case 'time':
      return 'date';
    case 'boolean':
      return 'boolean';
    default:
      return 'text';
  }
}

function shortName(member: string): string {
  return member.slice(member.indexOf('.') + 1);
}

/** Every public view of the model with its members, in the order Cube lists them. */
export function viewsFromMeta(cubes: readonly Cube[]): ViewMeta[] {
  return cubes
    .filter((c) => c.type === 'view' && c.public !== false)
    .map((c) => {
      const visible = <T extends { public?: boolean }>(list: readonly T[]) =>
        list.filter((m) => m.public !== false);
      const member = (
        m: { name: string; shortTitle: string; title: string; description?: string },
        kind: ValueKind,
        additive: boolean,
      ): MemberMeta => ({
        name: shortName(m.name),
        member: m.name,
        title: m.shortTitle || m.title,
        description: m.description ?? '',
        kind,
        additive,
      });
      const dims = visible(c.dimensions);
      return {
        name: c.name,
        title: c.title,
        description: c.description ?? '',
        measures: visible(c.measures).map((m) => {
          // Cube's types name only 'count' | 'number'; the server also sends 'sum', 'avg', ...
          const aggType = String(m.aggType);
          const kind = measureKind(m.format, aggType);
          return member(m, kind, COUNTS.includes(aggType) || aggType === 'sum');
        }),
        dimensions: dims.filter((d) => d.type !== 'time').map((d) => member(d, dimensionKind(d.type), false)),
        timeDimensions: dims.filter((d) => d.type === 'time').map((d) => member(d, 'date', false)),
      };
    });
}

/** A member of `view` by name, measure or dimension (time dimensions included). */
export function findMember(view: ViewMeta, name: string): MemberMeta | undefined {
  return (
    view.measures.find((m) => m.name === name) ??
    view.dimensions.find((m) => m.name === name) ??
    view.timeDimensions.find((m) => m.name === name)
  );
}
