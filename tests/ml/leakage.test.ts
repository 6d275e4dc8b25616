/**
 * No leakage: features as of D read no row dated after D, and labels for a snapshot S read no row
 * dated after S + horizon. Demo data is built three ways: as generated; with every row dated after D
 * removed (and disputes resolved after D reopened); and with rows added after D (write-offs, disputes,
 * promises to pay, contacts, invoices). The marts' "current state" (paid and open amounts, days late,
 * promise status, as-of date) differs between the three; features as of D must not.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  readDefaulters,
  readFeatures,
  warehouseFacts,
  type CustomerFeatures,
} from '../../ml/features.server.ts';
import { addDays } from '../../core/calendar.ts';
import { queryRows } from '../../warehouse/convert.ts';
import { run, withInstance } from '../../warehouse/duckdb.ts';
import { withPublished } from '../../warehouse/store.ts';
import { tempDir } from '../helpers.ts';
import { demoWarehouse, loadAndBuild } from './helpers.ts';

const D = '2025-12-31';
const options = { defaultDaysPastDue: 90, cureDays: 180 };
let root: string;
let full: string;
let truncated: string;
let extended: string;

/** Entities and the date that places each row in time. */
const DATED: Record<string, string> = {
  invoices: 'issue_date',
  payments: 'payment_date',
  payment_applications: 'applied_date',
  credit_memos: 'memo_date',
  write_offs: 'write_off_date',
  disputes: 'opened_date',
  collection_activities: 'activity_date',
  fx_rates: 'rate_date',
};

async function copyExports(
  from: string,
  to: string,
  sqlFor: (entity: string, src: string) => string,
): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  await withInstance(':memory:', {}, async (conn) => {
    for (const name of await fs.readdir(from)) {
      const entity = name.replace(/\.csv$/, '');
      const src = `read_csv('${join(from, name)}', all_varchar = true, header = true)`;
      await run(conn, `COPY (${sqlFor(entity, src)}) TO '${join(to, name)}' (HEADER, DELIMITER ',')`);
    }
  });
}

beforeAll(async () => {
  root = await tempDir('arlens-ml-leak-');
  const demo = await demoWarehouse(join(root, 'full'), { seed: 5, invoices: 3000, asOf: '2026-06-30' });
  full = demo.warehouse;

  // 1. Everything dated after D removed; disputes resolved after D are open again.
  const cut = join(root, 'cut-exports');
  await copyExports(demo.exports, cut, (entity, src) => {
    if (entity === 'disputes') {
      return `SELECT * REPLACE (
                CASE WHEN CAST(resolved_date AS DATE) > DATE '${D}' THEN NULL ELSE resolved_date END AS resolved_date,
                CASE WHEN CAST(resolved_date AS DATE) > DATE '${D}' THEN 'open' ELSE status END AS status)
              FROM ${src} WHERE CAST(opened_date AS DATE) <= DATE '${D}'`;
    }
    const column = DATED[entity];
    return column
      ? `SELECT * FROM ${src} WHERE CAST(${column} AS DATE) <= DATE '${D}'`
      : `SELECT * FROM ${src}`;
  });
  truncated = join(root, 'cut-wh');
  await loadAndBuild(cut, truncated);

  // 2. Rows added after D: small write-offs, disputes, broken promises and contacts on invoices open
  //    at D, and new invoices for their customers.
  const more = join(root, 'more-exports');
  const openAtD = await withPublished(full, (conn) =>
    queryRows(
      conn,
      `SELECT invoice_id, customer_id, currency_code FROM marts.fct_invoices
       WHERE issue_date <= CAST($1 AS DATE) AND coalesce(settled_date, DATE '9999-12-31') > CAST($1 AS DATE)
       ORDER BY invoice_id LIMIT 40`,
      [D],
    ),
  );
  expect(openAtD.length).toBeGreaterThan(10);
  const after = (days: number) => addDays(D, days);
  const values = (rows: string[][]) =>
    rows.map((r) => `(${r.map((v) => (v === '' ? 'NULL' : `'${v}'`)).join(', ')})`).join(', ');
  await copyExports(demo.exports, more, (entity, src) => {
    const extra = (rows: string[][]) =>
      `SELECT * FROM ${src} UNION ALL SELECT * FROM (VALUES ${values(rows)})`;
    const inv = openAtD.map((r) => [
      String(r['invoice_id']),
      String(r['customer_id']),
      String(r['currency_code']),
    ]);
    switch (entity) {
      case 'write_offs':
        return extra(inv.map(([i, c, cur], k) => [`WO-X${k}`, i!, c!, after(10), '0.01', cur!, 'test']));
      case 'disputes':
        return extra(
          inv.map(([i, c, cur], k) => [`DSP-X${k}`, i!, c!, after(5), '', '1.00', cur!, 'pricing', 'open']),
        );
      case 'collection_activities':
        return extra(
          inv.map(([i, c, cur], k) => [
            `ACT-X${k}`,
            c!,
            i!,
            after(3),
            'call',
            'Test',
            'promise_to_pay',
            after(20),
            '1000000.00',
            cur!,
            '',
          ]),
        );
      case 'invoices':
        return extra(
          inv.map(([, c, cur], k) => [
            `INV-X${k}`,
            c!,
            after(1),
            after(2),
            '123.45',
            cur!,
            'Hardware',
            '',
            '',
            '',
          ]),
        );
      default:
        return `SELECT * FROM ${src}`;
    }
  });
  extended = join(root, 'more-wh');
  await loadAndBuild(more, extended);
}, 180_000);

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const features = (wh: string, date: string): Promise<CustomerFeatures[]> =>
  withPublished(wh, (conn) => readFeatures(conn, date, options));

describe('no leakage from after the snapshot date', () => {
  it('the three warehouses really differ after D', async () => {
    const asOf = await Promise.all([full, truncated, extended].map((w) => withPublished(w, warehouseFacts)));
    expect(asOf[0]?.asOfDate).toBe('2026-06-30');
    expect((asOf[1]?.asOfDate ?? '9999-12-31') <= D).toBe(true);
    const paidNow = (w: string) =>
      withPublished(w, (conn) =>
        queryRows(
          conn,
          `SELECT sum(paid_amount) AS paid, count(*) FILTER (WHERE has_dispute) AS disputed FROM marts.fct_invoices`,
        ),
      );
    const [a, b, c] = await Promise.all([paidNow(full), paidNow(truncated), paidNow(extended)]);
    expect(a?.[0]?.['paid']).not.toBe(b?.[0]?.['paid']);
    expect(c?.[0]?.['disputed']).not.toBe(a?.[0]?.['disputed']);
  });

  it('features as of D are identical with rows after D removed', async () => {
    const a = await features(full, D);
    expect(a.filter((c) => c.hasHistory).length).toBeGreaterThan(50);
    expect(a.some((c) => c.inDefault)).toBe(true);
    expect(await features(truncated, D)).toEqual(a);
  });

  it('features as of D are identical with rows added after D', async () => {
    expect(await features(extended, D)).toEqual(await features(full, D));
  });

  it('features as of an earlier snapshot are identical too', async () => {
    const earlier = '2025-09-30';
    expect(await features(truncated, earlier)).toEqual(await features(full, earlier));
  });

  it('labels read nothing after snapshot + horizon', async () => {
    const snapshot = addDays(D, -180); // horizon ends exactly at D
    const label = (wh: string) =>
      withPublished(wh, (conn) =>
        readDefaulters(conn, snapshot, { horizonDays: 180, defaultDaysPastDue: 90 }),
      );
    const a = await label(full);
    expect(a.size).toBeGreaterThan(0);
    expect([...(await label(truncated))]).toEqual([...a]);
    // A horizon reaching past D does see the rows added after it.
    const later = await withPublished(extended, (conn) =>
      readDefaulters(conn, snapshot, { horizonDays: 200, defaultDaysPastDue: 90 }),
    );
    const before = await withPublished(full, (conn) =>
      readDefaulters(conn, snapshot, { horizonDays: 200, defaultDaysPastDue: 90 }),
    );
    expect(later.size).toBeGreaterThan(before.size);
  });
});
