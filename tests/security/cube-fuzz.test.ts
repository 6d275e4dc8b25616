/**
 * A query fuzzer against the running ARLens server: hostile values in every field of a Cube query,
 * sent to /v1/load, /v1/sql and /v1/dry-run (GET and POST) as every role. Whatever comes back must
 * hold no row of another region or portfolio, no file content, no server internals (stack traces,
 * DuckDB error texts), and no SQL that carries the payload as code. Seeded: the same cases every run.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, type SecurityContext } from '../../cube/security.ts';
import { SeededRandom } from '../../core/random.ts';
import { ROOT, TEST_SECRET } from '../helpers.ts';
import { startCubeHarness, type CubeHarness } from '../cube/harness.ts';

const CANARY_TEXT = 'arlens-fuzz-canary-51c2';
let h: CubeHarness;
let canary: string;
let portfolio: string;
/** Invoices each restricted role may see: no count in an answer may exceed it. */
const ownCount = new Map<string, number>();

beforeAll(async () => {
  h = await startCubeHarness();
  canary = join(h.root, 'arlens.secret');
  await fs.writeFile(canary, `${CANARY_TEXT}\n`);
  const [top] = await h.sql(
    `SELECT credit_controller AS c, count(*) AS n FROM marts.fct_invoices GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`,
  );
  portfolio = String(top!['c']);
  ownCount.set('collector', Number(top!['n']));
  const [latam] = await h.sql(`SELECT count(*) AS n FROM marts.fct_invoices WHERE region = 'LATAM'`);
  ownCount.set('sales_lead', Number(latam!['n']));
}, 240_000);
afterAll(async () => {
  await h?.close();
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values an attacker tries, in any field. Strings carry SQL, paths, markup, and sheer size. */
function payloads(file: string): Json[] {
  return [
    `UTC')) "analyst__issue_date_year", (SELECT count(*) FROM marts.fct_invoices) "analyst__count" --`,
    `UTC')) "x", (SELECT content FROM read_text('${file}')) "analyst__count" --`,
    `' OR 1=1 --`,
    `LATAM' OR region <> 'LATAM`,
    `"; DROP TABLE marts.fct_invoices; --`,
    `analyst.count") FROM marts.fct_invoices --`,
    `$1`,
    `?`,
    `{{ 7 * 7 }}`,
    `\u0000`,
    `EMEA`,
    `../../../../etc/passwd`,
    `<img src=x onerror=alert(1)>`,
    'x'.repeat(5000),
    'invoices.count',
    'cfo_overview.total_ar',
    'analyst.region',
    '__proto__',
    'constructor',
    -1,
    1e12,
    3.5,
    true,
    null,
    {},
    [],
    [[]],
    { expression: "SELECT content FROM read_text('/etc/passwd')", cubeName: 'analyst', name: 'x' },
    { sql: `(SELECT count(*) FROM marts.fct_invoices)` },
    { __proto__: { polluted: true } } as unknown as Json,
  ];
}

/** A valid query per role: the fuzzer replaces one field (or adds one) at a time. */
function baseQuery(role: SecurityContext['role']): Record<string, Json> {
  const v = role === 'collector' ? 'collections' : 'analyst';
  return {
    measures: [`${v}.count`, `${v}.open_amount`],
    dimensions: [`${v}.region`, `${v}.credit_controller`],
    timeDimensions: [
      { dimension: `${v}.issue_date`, granularity: 'month', dateRange: ['2026-01-01', '2026-06-30'] },
    ],
    filters: [{ member: `${v}.product_line`, operator: 'equals', values: ['Services'] }],
    order: { [`${v}.count`]: 'desc' },
    limit: 500,
    timezone: 'UTC',
  };
}

/** Where a payload can go: a function that puts `p` into a copy of the query. */
const PLACES: [string, (q: Record<string, Json>, p: Json) => Json][] = [
  ['timezone', (q, p) => ({ ...q, timezone: p })],
  ['measures[0]', (q, p) => ({ ...q, measures: [p, ...(q['measures'] as Json[]).slice(1)] })],
  ['measures', (q, p) => ({ ...q, measures: p })],
  ['dimensions[1]', (q, p) => ({ ...q, dimensions: [(q['dimensions'] as Json[])[0]!, p] })],
  ['segments', (q, p) => ({ ...q, segments: [p] })],
  ['timeDimensions[0].dimension', (q, p) => ({ ...q, timeDimensions: [{ ...td(q), dimension: p }] })],
  ['timeDimensions[0].granularity', (q, p) => ({ ...q, timeDimensions: [{ ...td(q), granularity: p }] })],
  ['timeDimensions[0].dateRange', (q, p) => ({ ...q, timeDimensions: [{ ...td(q), dateRange: p }] })],
  [
    'timeDimensions[0].dateRange[1]',
    (q, p) => ({ ...q, timeDimensions: [{ ...td(q), dateRange: ['2026-01-01', p] }] }),
  ],
  [
    'timeDimensions[0].compareDateRange',
    (q, p) => ({ ...q, timeDimensions: [{ ...td(q), compareDateRange: p }] }),
  ],
  ['filters[0].member', (q, p) => ({ ...q, filters: [{ ...f0(q), member: p }] })],
  ['filters[0].operator', (q, p) => ({ ...q, filters: [{ ...f0(q), operator: p }] })],
  ['filters[0].values[0]', (q, p) => ({ ...q, filters: [{ ...f0(q), values: [p] }] })],
  ['filters[0].values', (q, p) => ({ ...q, filters: [{ ...f0(q), values: p }] })],
  ['filters[0].or', (q, p) => ({ ...q, filters: [{ or: [f0(q), p] }] })],
  ['filters[0].and (deep)', (q, p) => ({ ...q, filters: [nest(f0(q), p, 12)] })],
  [
    'filters (dateRange operator)',
    (q, p) => ({
      ...q,
      filters: [{ member: td(q)['dimension']!, operator: 'inDateRange', values: ['2026-01-01', p] }],
    }),
  ],
  ['order key', (q, p) => ({ ...q, order: { [String(p)]: 'asc' } })],
  ['order direction', (q, p) => ({ ...q, order: { [(q['measures'] as string[])[0]!]: p } })],
  ['order pairs', (q, p) => ({ ...q, order: [[p, 'asc']] })],
  ['limit', (q, p) => ({ ...q, limit: p })],
  ['offset', (q, p) => ({ ...q, offset: p })],
  ['ungrouped', (q, p) => ({ ...q, ungrouped: p })],
  ['an unknown key', (q, p) => ({ ...q, sql: p })],
  ['the whole query', (_q, p) => p],
  ['a list of queries', (q, p) => [q, p]],
];

function td(q: Record<string, Json>): Record<string, Json> {
  return (q['timeDimensions'] as Record<string, Json>[])[0]!;
}
function f0(q: Record<string, Json>): Record<string, Json> {
  return (q['filters'] as Record<string, Json>[])[0]!;
}
function nest(inner: Json, p: Json, depth: number): Json {
  let f: Json = { and: [inner, p] };
  for (let i = 0; i < depth; i++) f = { and: [f] };
  return f;
}

const ROLES: SecurityContext[] = [
  { role: 'cfo' },
  { role: 'analyst' },
  { role: 'sales_lead', regions: ['LATAM'] },
  { role: 'collector', portfolio: 'set in beforeAll' },
];
const ENDPOINTS = ['load', 'sql', 'dry-run'] as const;

interface Answer {
  status: number;
  text: string;
}

async function send(
  endpoint: string,
  method: 'GET' | 'POST',
  token: string,
  query: Json,
  extra: Record<string, string> = {},
): Promise<Answer> {
  const url = new URL(`${h.server.url}cubejs-api/v1/${endpoint}`);
  const init: RequestInit = { method, headers: { authorization: token } };
  if (method === 'GET') {
    url.searchParams.set('query', JSON.stringify(query));
    for (const [k, v] of Object.entries(extra)) url.searchParams.append(k, v);
  } else {
    init.headers = { authorization: token, 'content-type': 'application/json' };
    init.body = JSON.stringify({ query, ...extra });
  }
  const res = await fetch(url, init);
  return { status: res.status, text: await res.text() };
}

/** Server internals: DuckDB's error texts, stack traces, the server's own paths (the repository). */
const INTERNALS = new RegExp(
  [
    'Binder Error',
    'Catalog Error',
    'Parser Error',
    'Conversion Error',
    'Permission Error',
    'Invalid Input Error',
    '"stack"',
    '\\n\\s+at ',
    'node_modules',
    ROOT.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  ].join('|'),
);
const SQL_MARKERS = /read_text|DROP TABLE|OR 1=1|<> 'LATAM|"analyst__count" --|\{\{/;

/** Everything an answer must never hold, whatever was sent. */
function assertSafe(context: SecurityContext, sent: string, a: Answer): void {
  expect([200, 400, 403, 404, 405, 413], `${sent} -> ${a.status} ${a.text.slice(0, 300)}`).toContain(
    a.status,
  );
  expect(a.text, sent).not.toContain(CANARY_TEXT);
  expect(a.text, sent).not.toMatch(INTERNALS);
  if (a.status !== 200) return;
  const body = JSON.parse(a.text) as {
    data?: Record<string, unknown>[];
    results?: { data: Record<string, unknown>[] }[];
    sql?: { sql: [string, unknown[]] };
  };
  const sqls: string[] = [];
  const collect = (o: unknown): void => {
    if (o && typeof o === 'object') {
      for (const [k, v] of Object.entries(o)) {
        if (k === 'sql' && Array.isArray(v) && typeof v[0] === 'string') sqls.push(v[0]);
        else collect(v);
      }
    }
  };
  collect(body);
  for (const sql of sqls) expect(sql, sent).not.toMatch(SQL_MARKERS);
  const rows = [...(body.data ?? []), ...(body.results ?? []).flatMap((r) => r.data)];
  for (const row of rows) {
    for (const [key, value] of Object.entries(row)) {
      if (context.role === 'sales_lead' && key.endsWith('.region')) expect(value, sent).toBe('LATAM');
      if (context.role === 'collector' && key.endsWith('.credit_controller'))
        expect(value, sent).toBe(portfolio);
      const own = ownCount.get(context.role);
      if (own !== undefined && key.endsWith('.count')) expect(Number(value), sent).toBeLessThanOrEqual(own);
    }
  }
}

describe('query fuzzer', () => {
  it('every field x every payload, as every role, on every endpoint: nothing leaks', async () => {
    const rng = new SeededRandom(20261206);
    const all = payloads(canary);
    let sent = 0;
    const byStatus = new Map<number, number>();
    for (const base of ROLES) {
      const context: SecurityContext = base.role === 'collector' ? { role: 'collector', portfolio } : base;
      const token = await signToken(TEST_SECRET, context);
      const q = baseQuery(context.role);
      // The valid base query works on every endpoint (the fuzzer starts from something Cube runs).
      for (const endpoint of ENDPOINTS) {
        const ok = await send(endpoint, 'GET', token, q);
        expect(ok.status, `${context.role} ${endpoint} ${ok.text.slice(0, 300)}`).toBe(200);
        assertSafe(context, `${context.role} base ${endpoint}`, ok);
      }
      for (const [place, put] of PLACES) {
        for (const [i, p] of all.entries()) {
          // Every (place, payload) pair once, on an endpoint and method the seed picks.
          const endpoint = ENDPOINTS[rng.int(ENDPOINTS.length)]!;
          const method = rng.int(2) === 0 ? 'GET' : 'POST';
          const query = put(q, p);
          const label = `${context.role} ${method} ${endpoint} ${place} <- payload ${i} ${JSON.stringify(p)?.slice(0, 40)}`;
          const a = await send(endpoint, method, token, query);
          byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
          sent++;
          assertSafe(context, label, a);
        }
      }
    }
    // The fuzzer exercised both sides: refusals, and hostile text that is harmless data (filter values).
    expect(sent).toBeGreaterThan(2500);
    expect(byStatus.get(400) ?? 0).toBeGreaterThan(1000);
    expect(byStatus.get(200) ?? 0).toBeGreaterThan(20);
  }, 600_000);

  it('request-level tricks: repeated parameters, unknown parameters, other Cube routes, bad JSON', async () => {
    const context: SecurityContext = { role: 'sales_lead', regions: ['LATAM'] };
    const token = await signToken(TEST_SECRET, context);
    const q = baseQuery('sales_lead');
    const cases: [string, Promise<Answer>][] = [
      [
        'query given twice',
        send('load', 'GET', token, q, { query: JSON.stringify({ ...q, timezone: `UTC'--` }) }),
      ],
      ['unknown parameter', send('load', 'GET', token, q, { timezone: `UTC'--` })],
      ['queryType other than multi', send('load', 'POST', token, q, { queryType: 'regular; --' })],
    ];
    for (const [name, p] of cases) {
      const a = await p;
      expect(a.status, name).toBe(400);
      assertSafe(context, name, a);
    }
    const other = [
      ['POST', 'graphql'],
      ['GET', 'v1/subscribe'],
      ['POST', 'v1/cubesql'],
      ['GET', 'v1/run-scheduled-refresh'],
      ['POST', 'v1/pre-aggregations/can-use'],
      ['POST', 'v1/pre-aggregations/jobs'],
      ['POST', 'v1/graphql-to-json'],
      ['GET', 'v2/anything'],
      ['POST', 'v1/meta'],
    ] as const;
    for (const [method, path] of other) {
      const res = await fetch(
        `${h.server.url}cubejs-api/${path}?query=${encodeURIComponent(JSON.stringify(q))}`,
        {
          method,
          headers: { authorization: token, 'content-type': 'application/json' },
          body: method === 'POST' ? JSON.stringify({ query: q }) : undefined,
        },
      );
      expect([404, 405], `${method} ${path}`).toContain(res.status);
      expect(await res.text()).not.toMatch(INTERNALS);
    }
    const bad = await fetch(`${h.server.url}cubejs-api/v1/load`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: '{"query": {"measures": [',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).not.toMatch(INTERNALS);
  });
});
