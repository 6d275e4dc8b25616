/**
 * KPI tiles from the monthly KPI rows: the last month's value and its change from the month
 * before. Pure. Whether a rise is good depends on the KPI (CEI up is good, DSO up is bad).
 */
import { toDate, toNumber, type CubeValue } from '../../cube/values.ts';
import { KPI_TILE_MEASURES } from './kpi-tiles.query.ts';

export type TileKey = (typeof KPI_TILE_MEASURES)[number];

export interface Tile {
  readonly key: TileKey;
  readonly value: number | null;
  /** Exact money string for AR tiles. */
  readonly money: string | null;
  readonly previous: number | null;
  readonly change: number | null;
  /** 'good', 'bad' or 'flat' for the change's colour and words. */
  readonly trend: 'good' | 'bad' | 'flat' | null;
  readonly month: string | null;
  readonly previousMonth: string | null;
}

/** +1: higher is better; -1: lower is better. */
const DIRECTION: Record<TileKey, 1 | -1> = {
  total_ar: -1,
  overdue_ratio: -1,
  dso: -1,
  best_possible_dso: -1,
  cei: 1,
  bad_debt_rate: -1,
};

export function kpiTiles(rows: Record<string, CubeValue>[]): Tile[] {
  const last = rows.at(-1);
  const prev = rows.length > 1 ? rows.at(-2) : undefined;
  return KPI_TILE_MEASURES.map((key) => {
    const member = `cfo_overview.${key}`;
    const value = toNumber(last?.[member]);
    const previous = toNumber(prev?.[member]);
    const change = value !== null && previous !== null ? value - previous : null;
    const trend =
      change === null
        ? null
        : Math.abs(change) < 1e-9
          ? 'flat'
          : change * DIRECTION[key] > 0
            ? 'good'
            : 'bad';
    return {
      key,
      value,
      money: key === 'total_ar' && last ? ((last[member] as string | null) ?? null) : null,
      previous,
      change,
      trend,
      month: toDate(last?.['cfo_overview.month.month']),
      previousMonth: toDate(prev?.['cfo_overview.month.month']),
    };
  });
}
