/**
 * Trying to get past the semantic layer's security: bad tokens, other regions, other portfolios,
 * members outside the role's views. Every attempt is rejected or filtered; nothing leaks.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken, type SecurityContext } from '../../cube/security.ts';
import { ROOT, TEST_SECRET } from '../helpers.ts';
import { startCubeHarness, type CubeHarness } from './harness.ts';

let h: CubeHarness;
const LATAM: SecurityContext = { role: 'sales_lead', regions: ['LATAM'] };

beforeAll(async () => {
  h = await startCubeHarness();
}, 240_000);
afterAll(async () => {
  await h?.close();
});

async function raw(
  path: string,
  token: string | undefined,
  query?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(`${h.server.url}cubejs-api/v1/${path}`);
  if (query) url.searchParams.set('query', JSON.stringify(query));
  const res = await fetch(url, { headers: token === undefined ? {} : { authorization: token } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const COUNT_BY_REGION = { measures: ['analyst.count'], dimensions: ['analyst.region'] };

describe('authentication', () => {
  it('accepts a valid token', async () => {
    const res = await raw('load', await signToken(TEST_SECRET, { role: 'cfo' }), COUNT_BY_REGION);
    expect(res.status).toBe(200);
  });

  it.each([
    ['no token', async () => undefined],
    ['an empty header', async () => ''],
    [
      'an expired token',
      async () => signToken(TEST_SECRET, { role: 'cfo' }, Math.floor(Date.now() / 1000) - 60),
    ],
    [
      'a token signed with another secret',
      async () => signToken('another-secret-another-secret-another!', { role: 'cfo' }),
    ],
    [
      'an unsigned token (alg none)',
      async () => new UnsecuredJWT({ role: 'cfo' }).setExpirationTime('1h').encode(),
    ],
    [
      'HS512 instead of HS256',
      async () =>
        new SignJWT({ role: 'cfo' })
          .setProtectedHeader({ alg: 'HS512' })
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(TEST_SECRET)),
    ],
    [
      'a token without an expiry',
      async () =>
        new SignJWT({ role: 'cfo' })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(TEST_SECRET)),
    ],
    [
      'an unknown role',
      async () =>
        new SignJWT({ role: 'admin' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(TEST_SECRET)),
    ],
    [
      'a sales lead without regions',
      async () =>
        new SignJWT({ role: 'sales_lead' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode(TEST_SECRET)),
    ],
  ])('rejects %s with 403 and no data', async (_name, token) => {
    for (const path of ['load', 'meta', 'sql']) {
      const res = await raw(path, await token(), COUNT_BY_REGION);
      expect(res.status, path).toBe(403);
      expect(res.body['data']).toBeUndefined();
      expect(String(res.body['error'])).toMatch(/token|sign in/i);
      expect(res.body['stack']).toBeUndefined();
    }
  });

  it('gives clients no way to start rollup builds (the jobs endpoint is not served at all)', async () => {
    const res = await fetch(`${h.server.url}cubejs-api/v1/pre-aggregations/jobs`, {
      method: 'POST',
      headers: {
        authorization: await signToken(TEST_SECRET, { role: 'cfo' }),
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        action: 'post',
        selector: { contexts: [{ securityContext: {} }], timezones: ['UTC'] },
      }),
    });
    expect(res.status).toBe(404);
  });
});

describe('a sales lead sees their region only', () => {
  it('whatever the grouping: invoice counts by region have LATAM alone, equal to the marts', async () => {
    const rows = await h.load(LATAM, COUNT_BY_REGION);
    const [expected] = await h.sql(`SELECT count(*) AS n FROM marts.fct_invoices WHERE region = 'LATAM'`);
    expect(rows).toEqual([{ 'analyst.region': 'LATAM', 'analyst.count': expected!['n'] }]);
  });

  it('a filter for another region returns nothing, and OR-ing it with their own returns only their own', async () => {
    expect(
      await h.load(LATAM, {
        ...COUNT_BY_REGION,
        filters: [{ member: 'analyst.region', operator: 'equals', values: ['EMEA'] }],
      }),
    ).toEqual([]);
    const rows = await h.load(LATAM, {
      ...COUNT_BY_REGION,
      filters: [
        {
          or: [
            { member: 'analyst.region', operator: 'equals', values: ['EMEA'] },
            { member: 'analyst.region', operator: 'notEquals', values: ['LATAM'] },
            { member: 'analyst.country', operator: 'set' },
          ],
        },
      ],
    });
    expect(rows.map((r) => r['analyst.region'])).toEqual(['LATAM']);
  });

  it('dimension-only queries list LATAM customers only', async () => {
    const rows = await h.load(LATAM, { dimensions: ['credit_policy.customer_id', 'credit_policy.region'] });
    const expected = await h.sql(`SELECT count(*) AS n FROM marts.dim_customers WHERE region = 'LATAM'`);
    expect(new Set(rows.map((r) => r['credit_policy.region']))).toEqual(new Set(['LATAM']));
    expect(rows.length).toBe(Number(expected[0]!['n']));
  });

  it('totals without a region dimension are LATAM totals (every view, including the KPI mart)', async () => {
    const [ar] = await h.load(LATAM, { measures: ['cfo_overview.credit_sales'] });
    const [expected] = await h.sql(
      `SELECT sum(credit_sales_rc) AS s FROM marts.mart_ar_kpis_monthly WHERE region = 'LATAM'`,
    );
    expect(ar!['cfo_overview.credit_sales']).toBe(expected!['s']);
    const [pay] = await h.load(LATAM, { measures: ['payments_received.amount'] });
    const [expectedPay] = await h.sql(
      `SELECT sum(p.payment_amount_rc) AS s FROM marts.fct_payments AS p JOIN marts.dim_customers AS c USING (customer_id) WHERE c.region = 'LATAM'`,
    );
    expect(pay!['payments_received.amount']).toBe(expectedPay!['s']);
  });

  it('a lead of two regions sees both and nothing else', async () => {
    const rows = await h.load({ role: 'sales_lead', regions: ['LATAM', 'APAC'] }, COUNT_BY_REGION);
    expect(rows.map((r) => r['analyst.region']).sort()).toEqual(['APAC', 'LATAM']);
  });
});

describe('members outside the role', () => {
  it('rejects cubes queried directly, for every role', async () => {
    for (const member of ['invoices.count', 'ar_kpis.dso', 'risk_scores.expected_loss']) {
      const res = await raw('load', await signToken(TEST_SECRET, { role: 'cfo' }), { measures: [member] });
      expect(res.status, member).toBe(403);
      expect(res.body['data']).toBeUndefined();
    }
    // Hidden in a filter or the order, too.
    const res = await raw('load', await signToken(TEST_SECRET, LATAM), {
      measures: ['analyst.count'],
      filters: [{ member: 'invoices.region', operator: 'equals', values: ['EMEA'] }],
    });
    expect(res.status).toBe(403);
  });

  it("rejects a collector's query on the CFO overview, and shows a collector only their portfolio", async () => {
    const [{ credit_controller: controller }] = (await h.sql(
      `SELECT credit_controller FROM marts.dim_customers GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
    )) as [{ credit_controller: string }];
    const collector = { role: 'collector', portfolio: controller } as const;
    const res = await raw('load', await signToken(TEST_SECRET, collector), {
      measures: ['cfo_overview.total_ar'],
    });
    expect(res.status).toBe(403);
    // Their /v1/meta lists only the views they may query; a CFO's lists all of them.
    const views = async (c: SecurityContext) =>
      (await (await h.client(c)).meta()).cubes.map((v) => v.name).sort();
    expect(await views(collector)).toEqual([
      'ar_balances',
      'collection_log',
      'collection_tasks_log',
      'collections',
      'customer_risk',
      'dunning_letters_sent',
      'dunning_run_log',
      'expected_payments',
      'ledger',
      'payments_received',
    ]);
    // The CFO sees every view of the model.
    const all = readdirSync(join(ROOT, 'cube', 'model', 'views')).filter((f) => f.endsWith('.yml'));
    expect(await views({ role: 'cfo' })).toHaveLength(all.length);
    const rows = await h.load(collector, {
      measures: ['collections.open_amount'],
      dimensions: ['collections.credit_controller'],
    });
    const [expected] = await h.sql(
      `SELECT sum(open_amount_rc) AS s FROM marts.fct_invoices WHERE credit_controller = '${controller.replaceAll("'", "''")}'`,
    );
    expect(rows).toEqual([
      { 'collections.credit_controller': controller, 'collections.open_amount': expected!['s'] },
    ]);
  });
});
