/**
 * The one boundary where PostgreSQL values become JavaScript values: the twin of warehouse/convert.ts,
 * with the same `Row`/`Cell` contract, so code above it cannot tell the engines apart.
 *
 * - numeric and bigint (and numeric[] / bigint[] elements) stay strings (exact; money stays a string).
 * - date stays 'YYYY-MM-DD' and timestamp 'YYYY-MM-DD HH:MM:SS[.ffffff]': the server's text (the session
 *   sets DateStyle ISO), never a JS Date that the process's time zone could shift a day.
 * - smallint, integer, real and double precision become numbers; boolean a boolean.
 * - Everything else (text, json, interval, uuid, time, timestamptz, …) is the server's text, as DuckDB's
 *   JSON conversion gives it for VARCHAR and JSON.
 *
 * Nothing else parses PostgreSQL values: every client the warehouse opens takes `PG_TYPES`.
 */
import pg from 'pg';
import type { CustomTypesConfig } from 'pg';

const { builtins, getTypeParser } = pg.types;

const text = (value: string): string => value;
const parseInteger = (value: string): number => Number.parseInt(value, 10);
/**
 * DuckDB's JSON gives doubles as numbers; PostgreSQL's text for them round-trips exactly. NaN and
 * ±Infinity stay text ('NaN', 'Infinity', '-Infinity'), as DuckDB's JSON gives them: a JS NaN would
 * become null in the JSON a client receives.
 */
const parseFloat8 = (value: string): number | string => {
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
};
const parseBool = (value: string): boolean => value === 't' || value === 'true';
/** Any one-dimensional array's text ('{a,"b c",NULL}') as its elements' text (pg's own parser). */
const parseTextArray = (getTypeParser as (oid: number) => (value: string) => (string | null)[])(1015);
const parseIntArray = (value: string): (number | null)[] =>
  parseTextArray(value).map((v) => (v === null ? null : Number.parseInt(v, 10)));
const parseFloatArray = (value: string): (number | string | null)[] =>
  parseTextArray(value).map((v) => (v === null ? null : parseFloat8(v)));

const ARRAY = { int2: 1005, int4: 1007, int8: 1016, float4: 1021, float8: 1022, bool: 1000 } as const;

const PARSERS = new Map<number, (value: string) => unknown>([
  [builtins.INT2, parseInteger],
  [builtins.INT4, parseInteger],
  [builtins.FLOAT4, parseFloat8],
  [builtins.FLOAT8, parseFloat8],
  [builtins.BOOL, parseBool],
  [ARRAY.int2, parseIntArray],
  [ARRAY.int4, parseIntArray],
  [ARRAY.float4, parseFloatArray],
  [ARRAY.float8, parseFloatArray],
  [ARRAY.bool, (v) => parseTextArray(v).map((e) => (e === null ? null : parseBool(e)))],
]);

/** Array types whose elements stay text: numeric[], bigint[], date[], timestamp[], text[], varchar[]. */
const TEXT_ARRAYS = new Set<number>([1231, ARRAY.int8, 1182, 1115, 1009, 1015]);

/** The type parsers of every warehouse client (`new pg.Client({ types: PG_TYPES })`). */
export const PG_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format === 'binary') return getTypeParser(oid, 'binary');
    return PARSERS.get(oid) ?? (TEXT_ARRAYS.has(oid) ? parseTextArray : text);
  }) as CustomTypesConfig['getTypeParser'],
};
