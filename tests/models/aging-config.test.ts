/**
 * Aging as configuration: nine ranges up to 720 days (as a pharma distributor asks for), and the
 * document-date basis, through `arlens.config.yaml` and the CLI. Invoices land in the configured
 * buckets, the aging mart follows them, and the buckets always add up to the AR.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cliArgs,
  CUSTOMERS_HEADER,
  INVOICES_HEADER,
  published,
  ROOT,
  tempDir,
  writeText,
} from '../helpers.ts';

const AS_OF = '2026-12-31';
const NINE = [30, 60, 90, 120, 180, 270, 360, 540, 720];
let root: string;
let exports: string;

/** Invoices due `d` days before the as-of date (issued 30 days before that), 100.00 each. */
const AGES = [-5, 0, 15, 45, 100, 150, 200, 300, 400, 600, 700, 800];

function day(offset: number): string {
  return new Date(Date.parse(`${AS_OF}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
}

async function buildWith(name: string, aging: string): Promise<string> {
  const wh = join(root, name);
  const cfg = join(root, `${name}.yaml`);
  await fs.writeFile(cfg, `warehouse: ${wh}\nas_of: ${AS_OF}\naging:\n${aging}\n`);
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, cliArgs('-c', cfg, ...args), { cwd: ROOT, timeout: 120_000 });
  await run('ingest', exports);
  await run('build');
  return wh;
}

beforeAll(async () => {
  root = await tempDir('arlens-aging-');
  exports = join(root, 'exports');
  await fs.mkdir(exports);
  await writeText(
    exports,
    'customers.csv',
    [CUSTOMERS_HEADER, 'C1,Alpha,EMEA,DE,,,,,,30,USD,active'].join('\n'),
  );
  await writeText(
    exports,
    'invoices.csv',
    [
      INVOICES_HEADER,
      ...AGES.map((d, i) => `I${i + 1},C1,${day(-d - 30)},${day(-d)},100.00,USD,Services,,,`),
    ].join('\n'),
  );
}, 60_000);
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('aging as configuration', () => {
  it('nine ranges up to 720 days on the due-date basis', async () => {
    const wh = await buildWith('nine', `  basis: due_date\n  buckets: [${NINE.join(', ')}]`);
    const buckets = await published(
      wh,
      'SELECT aging_bucket FROM intermediate.int_aging_buckets ORDER BY aging_bucket_order',
    );
    expect(buckets.map((b) => b['aging_bucket'])).toEqual([
      'current',
      '1-30',
      '31-60',
      '61-90',
      '91-120',
      '121-180',
      '181-270',
      '271-360',
      '361-540',
      '541-720',
      '720+',
    ]);
    const invoices = await published(
      wh,
      'SELECT invoice_id, aging_bucket FROM marts.fct_invoices ORDER BY aging_bucket_order, invoice_id',
    );
    expect(invoices.map((r) => `${String(r['invoice_id'])}:${String(r['aging_bucket'])}`)).toEqual([
      'I1:current',
      'I2:current',
      'I3:1-30',
      'I4:31-60',
      'I5:91-120',
      'I6:121-180',
      'I7:181-270',
      'I8:271-360',
      'I9:361-540',
      'I10:541-720',
      'I11:541-720',
      'I12:720+',
    ]);
    // The aging mart at the as-of date: every configured bucket (0.00 where nothing is in it), adding
    // up to the AR of the KPI mart.
    const aging = await published(
      wh,
      `SELECT aging_bucket, sum(ending_ar_rc) AS ar FROM marts.mart_ar_aging_monthly
       WHERE period_end_date = DATE '${AS_OF}' GROUP BY 1, aging_bucket_order ORDER BY aging_bucket_order`,
    );
    expect(aging.map((r) => [r['aging_bucket'], r['ar']])).toEqual([
      ['current', '200.00'],
      ['1-30', '100.00'],
      ['31-60', '100.00'],
      ['61-90', '0.00'],
      ['91-120', '100.00'],
      ['121-180', '100.00'],
      ['181-270', '100.00'],
      ['271-360', '100.00'],
      ['361-540', '100.00'],
      ['541-720', '200.00'],
      ['720+', '100.00'],
    ]);
    const [kpi] = await published(
      wh,
      `SELECT sum(ending_ar_rc) AS ar FROM marts.mart_ar_kpis_monthly WHERE period_end_date = DATE '${AS_OF}'`,
    );
    expect(kpi!['ar']).toBe('1200.00');
  }, 120_000);

  it('the document-date basis ages from the invoice date, with no "current" bucket', async () => {
    const wh = await buildWith('document', '  basis: document_date\n  buckets: [30, 60, 90]');
    const buckets = await published(
      wh,
      'SELECT aging_bucket FROM intermediate.int_aging_buckets ORDER BY aging_bucket_order',
    );
    expect(buckets.map((b) => b['aging_bucket'])).toEqual(['0-30', '31-60', '61-90', '90+']);
    // Issued 25, 30 and 45 days before the as-of date (due 5 days after it, on it, and 15 days before).
    const rows = await published(
      wh,
      "SELECT invoice_id, aging_bucket, days_past_due FROM marts.fct_invoices WHERE invoice_id IN ('I1', 'I2', 'I3') ORDER BY 1",
    );
    expect(rows).toEqual([
      { invoice_id: 'I1', aging_bucket: '0-30', days_past_due: '-5' },
      { invoice_id: 'I2', aging_bucket: '0-30', days_past_due: '0' },
      { invoice_id: 'I3', aging_bucket: '31-60', days_past_due: '15' },
    ]);
  }, 120_000);

  it('refuses bounds that do not rise, naming the key', async () => {
    const cfg = join(root, 'bad.yaml');
    await fs.writeFile(cfg, `warehouse: ${join(root, 'bad')}\naging:\n  buckets: [60, 30]\n`);
    await expect(
      promisify(execFile)(process.execPath, cliArgs('-c', cfg, 'build'), { cwd: ROOT, timeout: 120_000 }),
    ).rejects.toThrow(/aging\.buckets: bounds must rise/);
  });
});
