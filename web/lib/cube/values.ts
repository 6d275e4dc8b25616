/**
 * Cube's answers, converted at one boundary: measures arrive as strings (DECIMAL money, counts) or
 * numbers (ratios); time dimensions as 'YYYY-MM-DDTHH:mm:ss.SSS' with no zone. Money stays a string
 * (exact) until it is formatted; chart coordinates take `toNumber`.
 */
export type CubeValue = string | number | boolean | null | undefined;

/** A number for charts and arithmetic, or null. Throws on text that is not a number. */
export function toNumber(v: CubeValue): number | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = Number(v);
  if (Number.isNaN(n)) throw new Error(`not a number from Cube: ${v}`);
  return n;
}

/** An exact decimal string for money ('1234.50'), or null. */
export function toMoney(v: CubeValue): string | null {
  if (v === null || v === undefined || v === '') return null;
  return typeof v === 'number' ? String(v) : String(v);
}

/** The business date of a Cube time value: 'YYYY-MM-DD' (no zone, never shifted). */
export function toDate(v: CubeValue): string | null {
  if (v === null || v === undefined || v === '') return null;
  const m = /^(\d{4}-\d{2}-\d{2})/.exec(String(v));
  if (!m) throw new Error(`not a date from Cube: ${String(v)}`);
  return m[1]!;
}

/** A string dimension, or null when empty. */
export function toText(v: CubeValue): string | null {
  if (v === null || v === undefined || v === '') return null;
  return String(v);
}

/**
 * A boolean dimension: true only for true / 'true' / 1. Cube sends JSON booleans, or from some
 * drivers and rollups the text 'true' / 'false'.
 */
export function toBoolean(v: CubeValue): boolean {
  return v === true || v === 'true' || v === 1 || v === '1';
}

/** A Cube row: member name → value. */
export type CubeRow = Readonly<Record<string, CubeValue>>;
