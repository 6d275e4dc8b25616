/**
 * Text and flags from Cube rows for the customers and collections pages. Numbers, money and dates go
 * through web/lib/cube/values.ts; these two cover what it does not (string dimensions, booleans, which
 * Cube sends as JSON booleans or, from some drivers and rollups, as 'true'/'false').
 */
import type { CubeValue } from '../cube/values.ts';

/** A string dimension, or null when empty. */
export function text(v: CubeValue): string | null {
  if (v === null || v === undefined || v === '') return null;
  return String(v);
}

/** A boolean dimension: true only for true / 'true' / 1. */
export function flag(v: CubeValue): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

/** A Cube row: member name → value. */
export type CubeRow = Readonly<Record<string, CubeValue>>;
