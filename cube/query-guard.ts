/**
 * Every Cube query is checked here, field by field, before Cube sees it. Cube 0.35 trusts its input
 * more than it should: it writes `timezone` verbatim into SQL (`AT TIME ZONE '<timezone>'`), accepts
 * SQL member expressions, and lets unknown keys through. So nothing passes that is not on a list:
 *
 * - keys: only those of Cube's REST query format that ARLens clients use (unknown keys: 400);
 * - members: names from the compiled model's views that the caller's role may query, each where its
 *   type belongs (a measure in `measures`, a time dimension in `timeDimensions`, …);
 * - timezone: a name from the IANA list this runtime knows (Intl), nothing else;
 * - filters: known operators, values plain scalars (dates as ISO dates for date operators), bounded
 *   depth and count; dateRange: two ISO dates or one of a few relative phrases;
 * - limit, offset, number of queries, values and text lengths: bounded.
 *
 * A query that fails is answered 400 with the field's path and what to send instead; members of
 * views outside the role are 403 (the role check of cube/security.ts repeats it after Cube parses).
 */

/** Members of one view, from the compiled model. */
export interface ViewMembers {
  readonly measures: ReadonlySet<string>;
  /** Dimension name -> Cube type (`string`, `number`, `time`, `boolean`). */
  readonly dimensions: ReadonlyMap<string, string>;
  readonly segments: ReadonlySet<string>;
}

export type MemberCatalog = ReadonlyMap<string, ViewMembers>;

interface MetaMember {
  name: string;
  type?: string;
}
interface MetaConfig {
  config: {
    name: string;
    type?: string;
    measures?: MetaMember[];
    dimensions?: MetaMember[];
    segments?: MetaMember[];
  };
}

/** The views of a compiled model (Cube's `metaConfig`), member by member. Cubes are left out. */
export function catalogFromMeta(meta: readonly MetaConfig[]): MemberCatalog {
  const out = new Map<string, ViewMembers>();
  for (const { config } of meta) {
    if (config.type !== 'view') continue;
    out.set(config.name, {
      measures: new Set((config.measures ?? []).map((m) => m.name)),
      dimensions: new Map((config.dimensions ?? []).map((d) => [d.name, d.type ?? 'string'])),
      segments: new Set((config.segments ?? []).map((s) => s.name)),
    });
  }
  return out;
}

/** A query the guard refused: `status` 400 (malformed) or 403 (a view outside the role). */
export class QueryRejected extends Error {
  constructor(
    readonly status: 400 | 403,
    message: string,
  ) {
    super(message);
    this.name = 'QueryRejected';
  }
}

export const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'] as const;

export const FILTER_OPERATORS = [
  'equals',
  'notEquals',
  'contains',
  'notContains',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
  'gt',
  'gte',
  'lt',
  'lte',
  'set',
  'notSet',
  'inDateRange',
  'notInDateRange',
  'beforeDate',
  'beforeOrOnDate',
  'afterDate',
  'afterOrOnDate',
] as const;
const DATE_OPERATORS: ReadonlySet<string> = new Set(
  FILTER_OPERATORS.filter((o) => o.endsWith('Date') || o.endsWith('DateRange')),
);
const NO_VALUE_OPERATORS = new Set(['set', 'notSet']);

export const LIMITS = {
  /** Rows one query may ask for (Cube's own default cap is 10,000; 50,000 is its maximum). */
  rows: 50_000,
  offset: 10_000_000,
  /** Queries in one request (Cube's multi-query / blending form). */
  queries: 10,
  members: 100,
  filters: 100,
  filterDepth: 6,
  values: 5_000,
  valueLength: 1_000,
} as const;

const TIME_ZONES: ReadonlySet<string> = new Set([
  ...Intl.supportedValuesOf('timeZone'),
  'UTC',
  'Etc/UTC',
  'GMT',
]);

/** Whether `tz` is an IANA time zone name this runtime knows (and nothing that could be SQL). */
export function isTimeZone(tz: unknown): tz is string {
  return typeof tz === 'string' && /^[A-Za-z0-9_/+-]{1,64}$/.test(tz) && TIME_ZONES.has(tz);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?$/;
const RELATIVE_RANGE =
  /^(today|yesterday|tomorrow|(this|last|next) (week|month|quarter|year)|last \d{1,4} (days|weeks|months|quarters|years))$/;

function isIsoDate(v: unknown): v is string {
  if (typeof v !== 'string' || !ISO_DATE.test(v)) return false;
  const d = new Date(`${v.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v.slice(0, 10);
}

const QUERY_KEYS = new Set([
  'measures',
  'dimensions',
  'segments',
  'timeDimensions',
  'filters',
  'order',
  'limit',
  'offset',
  'timezone',
  'total',
  'renewQuery',
  'responseFormat',
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Shown in messages: a client's value cut short and with its type, never echoed whole. */
function shown(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

interface Context {
  readonly catalog: MemberCatalog;
  readonly mayQuery: (view: string) => boolean;
}

class Checker {
  constructor(private readonly ctx: Context) {}

  fail(path: string, message: string): never {
    throw new QueryRejected(400, `${path}: ${message}`);
  }

  /** A member name `view.member` (or `view.time_dimension.granularity` where `granularity` is allowed). */
  member(
    path: string,
    v: unknown,
    kinds: readonly ('measure' | 'dimension' | 'time' | 'segment')[],
    granularity = false,
  ): string {
    if (typeof v !== 'string') this.fail(path, `a member name ("view.member") is expected, not ${shown(v)}.`);
    const parts = v.split('.');
    const [view = '', name = '', grain] = parts;
    if (parts.length < 2 || parts.length > (granularity ? 3 : 2) || !/^[a-z_][a-z0-9_]*$/.test(view)) {
      this.fail(path, `${shown(v)} is not a member of this model.`);
    }
    const members = this.ctx.catalog.get(view);
    if (!members) {
      // Cubes are never queried directly; a name that is no view is refused like a view of another role.
      throw new QueryRejected(
        403,
        `${path}: ${shown(v)} is not in a view you may query (query the views: ${[...this.ctx.catalog.keys()]
          .filter((name) => this.ctx.mayQuery(name))
          .sort()
          .join(', ')}).`,
      );
    }
    if (!this.ctx.mayQuery(view))
      throw new QueryRejected(403, `${path}: your role cannot query the view ${view}.`);
    const full = `${view}.${name}`;
    const isTime = members.dimensions.get(full) === 'time';
    if (grain !== undefined && !(isTime && (GRANULARITIES as readonly string[]).includes(grain))) {
      this.fail(
        path,
        `${shown(v)}: a granularity (${GRANULARITIES.join(', ')}) goes after a time dimension only.`,
      );
    }
    const ok =
      (kinds.includes('measure') && members.measures.has(full)) ||
      (kinds.includes('dimension') && members.dimensions.has(full)) ||
      (kinds.includes('time') && isTime) ||
      (kinds.includes('segment') && members.segments.has(full));
    if (!ok) this.fail(path, `${shown(v)} is not a ${kinds.join(' or ')} of the view ${view}.`);
    return v;
  }

  list(path: string, v: unknown, max: number): unknown[] {
    if (!Array.isArray(v)) this.fail(path, `a list is expected, not ${shown(v)}.`);
    if (v.length > max) this.fail(path, `at most ${max} entries (got ${v.length}).`);
    return v;
  }

  int(path: string, v: unknown, max: number): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
      this.fail(path, `a whole number from 0 to ${max.toLocaleString('en')} is expected, not ${shown(v)}.`);
    }
    return v;
  }

  bool(path: string, v: unknown): boolean {
    if (typeof v !== 'boolean') this.fail(path, `true or false is expected, not ${shown(v)}.`);
    return v;
  }

  keys(path: string, o: Obj, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.fail(`${path}.${k}`, `unknown field (allowed: ${allowed.join(', ')}).`);
    }
  }

  filterValue(path: string, v: unknown, dateOperator: boolean): Json {
    if (dateOperator) {
      if (!isIsoDate(v)) this.fail(path, `a date as YYYY-MM-DD is expected, not ${shown(v)}.`);
      return v;
    }
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'boolean') return v;
    if (typeof v !== 'string') this.fail(path, `text, a number or true/false is expected, not ${shown(v)}.`);
    if (v.length > LIMITS.valueLength) this.fail(path, `at most ${LIMITS.valueLength} characters.`);
    return v;
  }

  filters(path: string, v: unknown, depth: number, count: { n: number }): Json[] {
    if (depth > LIMITS.filterDepth) this.fail(path, `filters nest at most ${LIMITS.filterDepth} deep.`);
    return this.list(path, v, LIMITS.filters).map((f, i) => {
      const p = `${path}[${i}]`;
      if (++count.n > LIMITS.filters) this.fail(p, `at most ${LIMITS.filters} filters in a query.`);
      if (!isObject(f)) this.fail(p, `a filter object is expected, not ${shown(f)}.`);
      if ('and' in f || 'or' in f) {
        this.keys(p, f, ['and', 'or']);
        if ('and' in f && 'or' in f) this.fail(p, 'a filter has "and" or "or", not both.');
        const op = 'and' in f ? 'and' : 'or';
        return { [op]: this.filters(`${p}.${op}`, f[op], depth + 1, count) };
      }
      this.keys(p, f, ['member', 'dimension', 'operator', 'values']);
      if ('member' in f && 'dimension' in f)
        this.fail(p, 'a filter names "member" or "dimension", not both.');
      const key = 'dimension' in f ? 'dimension' : 'member';
      const member = this.member(`${p}.${key}`, f[key], ['measure', 'dimension']);
      const operator = f['operator'];
      if (typeof operator !== 'string' || !(FILTER_OPERATORS as readonly string[]).includes(operator)) {
        this.fail(
          `${p}.operator`,
          `one of ${FILTER_OPERATORS.join(', ')} is expected, not ${shown(operator)}.`,
        );
      }
      const out: Obj = { member, operator };
      if (NO_VALUE_OPERATORS.has(operator)) {
        if (f['values'] !== undefined && !(Array.isArray(f['values']) && f['values'].length === 0)) {
          this.fail(`${p}.values`, `${operator} takes no values.`);
        }
        return out as Json;
      }
      const values = this.list(`${p}.values`, f['values'], LIMITS.values);
      if (values.length === 0) this.fail(`${p}.values`, `${operator} needs at least one value.`);
      out['values'] = values.map((x, j) =>
        this.filterValue(`${p}.values[${j}]`, x, DATE_OPERATORS.has(operator)),
      );
      return out as Json;
    });
  }

  timeDimension(path: string, v: unknown): Json {
    if (!isObject(v)) this.fail(path, `an object is expected, not ${shown(v)}.`);
    this.keys(path, v, ['dimension', 'granularity', 'dateRange']);
    const out: Obj = { dimension: this.member(`${path}.dimension`, v['dimension'], ['time']) };
    const g = v['granularity'];
    if (g !== undefined && g !== null) {
      if (typeof g !== 'string' || !(GRANULARITIES as readonly string[]).includes(g)) {
        this.fail(`${path}.granularity`, `one of ${GRANULARITIES.join(', ')} is expected, not ${shown(g)}.`);
      }
      out['granularity'] = g;
    }
    const r = v['dateRange'];
    if (r !== undefined) {
      if (typeof r === 'string') {
        if (!RELATIVE_RANGE.test(r)) {
          this.fail(
            `${path}.dateRange`,
            `two dates ["YYYY-MM-DD", "YYYY-MM-DD"] or a phrase like "last 30 days" is expected, not ${shown(r)}.`,
          );
        }
      } else {
        const range = this.list(`${path}.dateRange`, r, 2);
        if (range.length !== 2 || !range.every(isIsoDate)) {
          this.fail(
            `${path}.dateRange`,
            `two dates ["YYYY-MM-DD", "YYYY-MM-DD"] are expected, not ${shown(r)}.`,
          );
        }
      }
      out['dateRange'] = r as Json;
    }
    return out as Json;
  }

  order(path: string, v: unknown): Json {
    const dir = (p: string, d: unknown) => {
      if (d !== 'asc' && d !== 'desc') this.fail(p, `"asc" or "desc" is expected, not ${shown(d)}.`);
      return d;
    };
    const kinds = ['measure', 'dimension'] as const;
    if (Array.isArray(v)) {
      return this.list(path, v, LIMITS.members).map((pair, i) => {
        const p = `${path}[${i}]`;
        if (!Array.isArray(pair) || pair.length !== 2) this.fail(p, `[member, "asc" | "desc"] is expected.`);
        return [this.member(`${p}[0]`, pair[0], kinds, true), dir(`${p}[1]`, pair[1])];
      });
    }
    if (!isObject(v)) this.fail(path, `an object { member: "asc" | "desc" } or a list of pairs is expected.`);
    const entries = Object.entries(v);
    if (entries.length > LIMITS.members) this.fail(path, `at most ${LIMITS.members} entries.`);
    return Object.fromEntries(
      entries.map(([m, d]) => [this.member(`${path}.${m}`, m, kinds, true), dir(`${path}.${m}`, d)]),
    );
  }

  query(path: string, q: unknown): Obj {
    if (!isObject(q)) this.fail(path, `a query object is expected, not ${shown(q)}.`);
    for (const k of Object.keys(q)) {
      if (!QUERY_KEYS.has(k))
        this.fail(`${path}.${k}`, `unknown field (allowed: ${[...QUERY_KEYS].join(', ')}).`);
    }
    const out: Obj = {};
    const members = (
      key: string,
      kinds: readonly ('measure' | 'dimension' | 'time' | 'segment')[],
      grain = false,
    ) => {
      if (q[key] === undefined) return;
      out[key] = this.list(`${path}.${key}`, q[key], LIMITS.members).map((m, i) =>
        this.member(`${path}.${key}[${i}]`, m, kinds, grain),
      );
    };
    members('measures', ['measure']);
    members('dimensions', ['dimension'], true);
    members('segments', ['segment']);
    if (q['timeDimensions'] !== undefined) {
      out['timeDimensions'] = this.list(`${path}.timeDimensions`, q['timeDimensions'], 10).map((t, i) =>
        this.timeDimension(`${path}.timeDimensions[${i}]`, t),
      );
    }
    if (q['filters'] !== undefined)
      out['filters'] = this.filters(`${path}.filters`, q['filters'], 1, { n: 0 });
    if (q['order'] !== undefined) out['order'] = this.order(`${path}.order`, q['order']);
    if (q['limit'] !== undefined) out['limit'] = this.int(`${path}.limit`, q['limit'], LIMITS.rows);
    if (q['offset'] !== undefined) out['offset'] = this.int(`${path}.offset`, q['offset'], LIMITS.offset);
    if (q['total'] !== undefined) out['total'] = this.bool(`${path}.total`, q['total']);
    if (q['renewQuery'] !== undefined) out['renewQuery'] = this.bool(`${path}.renewQuery`, q['renewQuery']);
    if (q['responseFormat'] !== undefined) {
      if (q['responseFormat'] !== 'default' && q['responseFormat'] !== 'compact') {
        this.fail(`${path}.responseFormat`, `"default" or "compact" is expected.`);
      }
      out['responseFormat'] = q['responseFormat'];
    }
    if (q['timezone'] !== undefined) {
      if (!isTimeZone(q['timezone'])) {
        this.fail(
          `${path}.timezone`,
          `a time zone from the IANA list (e.g. "Asia/Tokyo", "Europe/Berlin", "UTC") is expected, not ${shown(q['timezone'])}.`,
        );
      }
      out['timezone'] = q['timezone'];
    }
    return out;
  }
}

/**
 * Check a query as a client sent it (one query or a list of them). Returns the query rebuilt from
 * the checked fields only; throws QueryRejected otherwise.
 */
export function checkQuery(
  query: unknown,
  catalog: MemberCatalog,
  mayQuery: (view: string) => boolean,
): Obj | Obj[] {
  const c = new Checker({ catalog, mayQuery });
  if (Array.isArray(query)) {
    if (query.length === 0) c.fail('query', 'at least one query is expected.');
    return c.list('query', query, LIMITS.queries).map((q, i) => c.query(`query[${i}]`, q));
  }
  return c.query('query', query);
}

/**
 * The query of an HTTP request to /v1/load, /v1/sql or /v1/dry-run: `?query=<json>` (GET) or a JSON
 * body `{ "query": … }` (POST), with an optional `queryType: "multi"`. Anything else is refused.
 */
export function requestQuery(method: string, params: Obj, body: unknown): unknown {
  const source = method === 'POST' ? body : params;
  if (!isObject(source)) throw new QueryRejected(400, 'The request needs a query: { "query": { … } }.');
  for (const k of Object.keys(source)) {
    if (k !== 'query' && k !== 'queryType') {
      throw new QueryRejected(400, `${k}: unknown parameter (send "query", and optionally "queryType").`);
    }
  }
  const qt = source['queryType'];
  if (qt !== undefined && qt !== 'multi')
    throw new QueryRejected(400, 'queryType: only "multi" is accepted.');
  let query = source['query'];
  if (query === undefined) throw new QueryRejected(400, 'query: missing (send a Cube query as JSON).');
  if (typeof query === 'string') {
    if (query.length > 200_000) throw new QueryRejected(400, 'query: too long.');
    try {
      query = JSON.parse(query) as unknown;
    } catch {
      throw new QueryRejected(400, 'query: not valid JSON.');
    }
  }
  return query;
}
