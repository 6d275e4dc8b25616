/**
 * Hostile export files (docs/security.md, "Hostile export files"): every file is generated here, in a
 * temporary directory. Each test names the rows that must load and the rows that must be quarantined,
 * and the message a finance user gets: file, row as a spreadsheet numbers it (header = row 1), column,
 * and what to do with ARLens's own options. No message may be DuckDB's own.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../cli/config.ts';
import { ingest, type IngestOptions, type IngestReport, type IngestSource } from '../../ingest/load.ts';
import { CUSTOMERS_HEADER, INVOICES_HEADER, customerRow, published, tempDir } from '../helpers.ts';

let root: string;
beforeAll(async () => {
  root = await tempDir();
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

let n = 0;
async function fresh(): Promise<{ exports: string; wh: string }> {
  n++;
  const exports = join(root, `case${n}`, 'exports');
  await fs.mkdir(exports, { recursive: true });
  return { exports, wh: join(root, `case${n}`, 'warehouse') };
}

/** Words of DuckDB's own messages and options ARLens does not have: none may reach the user. */
const DUCKDB_WORDS =
  /Invalid Input Error|INTERNAL Error|Binder Error|Conversion Error|ignore_errors|max_line_size|strict_mode|null_padding|sniff|read_csv|read_json|Original Line|LINE 1/i;

/** An invoice row in the canonical layout (customer C1, EUR). */
const inv = (id: string, productLine = 'Hardware', amount = '100.50') =>
  `${id},C1,2024-03-01,2024-03-31,${amount},EUR,${productLine},,,`;

interface Outcome {
  readonly report: IngestReport;
  readonly wh: string;
  /** invoice_id and the source row of every loaded invoice, by id. */
  readonly loaded: { id: string; row: number }[];
  readonly quarantined: {
    row: number;
    column: string;
    code: string;
    reason: string;
    value: string | null;
    values: string;
  }[];
}

/** Load customers (C1) and the given invoices file; return what loaded and what was quarantined. */
async function loadInvoices(
  body: string | Buffer,
  name = 'invoices.csv',
  extra: Partial<IngestSource> = {},
  options: Partial<IngestOptions> = {},
): Promise<Outcome> {
  const { exports, wh } = await fresh();
  await fs.writeFile(join(exports, 'customers.csv'), [CUSTOMERS_HEADER, customerRow('C1')].join('\n'));
  await fs.writeFile(join(exports, name), body);
  const report = await ingest(
    [
      { path: join(exports, 'customers.csv'), profile: 'canonical' },
      { path: join(exports, name), profile: 'canonical', entity: 'invoices', ...extra },
    ],
    { warehouseDir: wh, ...options },
  );
  return { report, wh, ...(await outcome(wh)) };
}

async function outcome(wh: string): Promise<Pick<Outcome, 'loaded' | 'quarantined'>> {
  const loaded = await published(wh, 'SELECT invoice_id, _source_row FROM raw.invoices ORDER BY _source_row');
  const q = await published(
    wh,
    `SELECT row_number, column_name, reason_code, reason, value, row_values FROM meta.quarantine
     WHERE entity <> 'customers' ORDER BY row_number, column_name`,
  );
  const quarantined = q.map((r) => ({
    row: Number(r['row_number']),
    column: String(r['column_name']),
    code: String(r['reason_code']),
    reason: String(r['reason']),
    value: r['value'] === null ? null : String(r['value']),
    values: String(r['row_values']),
  }));
  for (const x of quarantined) expect(x.reason).not.toMatch(DUCKDB_WORDS);
  return {
    loaded: loaded.map((r) => ({ id: String(r['invoice_id']), row: Number(r['_source_row']) })),
    quarantined,
  };
}

const ids = (o: Outcome) => o.loaded.map((l) => l.id);

describe('plausible business dates', () => {
  it('quarantines a year-9999 date with the window and what to do; the other rows load', async () => {
    const body = [
      INVOICES_HEADER,
      inv('I1'),
      'I2,C1,9999-12-31,9999-12-31,100.50,EUR,Hardware,,,',
      'I3,C1,1989-12-31,2024-03-31,100.50,EUR,Hardware,,,',
      'I4,C1,2100-12-31,2100-12-31,100.50,EUR,Hardware,,,',
      'I5,C1,1990-01-01,2024-03-31,100.50,EUR,Hardware,,,',
    ].join('\n');
    const o = await loadInvoices(body);
    expect(ids(o)).toEqual(['I1', 'I4', 'I5']);
    const reason =
      'date outside the plausible range 1990-01-01 to 2100-12-31 (a typo such as year 9999?): ' +
      'correct it in the ERP and export again; if the date is right, widen plausible_dates in arlens.config.yaml';
    expect(o.quarantined.map((q) => [q.row, q.column, q.code, q.value])).toEqual([
      [3, 'due_date', 'implausible_date', '9999-12-31'],
      [3, 'issue_date', 'implausible_date', '9999-12-31'],
      [4, 'issue_date', 'implausible_date', '1989-12-31'],
    ]);
    for (const q of o.quarantined) expect(q.reason).toBe(reason);
  });

  it('takes the window from plausible_dates in arlens.config.yaml', async () => {
    const { exports } = await fresh();
    const file = join(exports, 'arlens.config.yaml');
    await fs.writeFile(file, 'plausible_dates:\n  from: 1900-01-01\n  to: 9999-12-31\n');
    const config = await loadConfig(file);
    expect(config.plausible_dates).toEqual({ from: '1900-01-01', to: '9999-12-31' });
    const o = await loadInvoices(
      [INVOICES_HEADER, inv('I1'), 'I2,C1,1950-06-30,9999-12-31,1.00,EUR,X,,,'].join('\n'),
      'invoices.csv',
      {},
      { plausibleDates: config.plausible_dates },
    );
    expect(ids(o)).toEqual(['I1', 'I2']);
    await fs.writeFile(file, 'plausible_dates:\n  from: 2100-01-01\n  to: 1990-01-01\n');
    await expect(loadConfig(file)).rejects.toThrow(/plausible_dates: "from" must not be after "to"/);
  });
});

describe('a corrected re-run with other format options', () => {
  it.each([
    ['--decimal', 'amount', '1234,50', { decimal_separator: ',' }],
    ['--date-format', 'issue_date', '01.03.2024', { date_format: '%d.%m.%Y' }],
  ] as const)(
    '%s: loads again (updating by key) instead of "already loaded"',
    async (_flag, column, value, fix) => {
      const { exports, wh } = await fresh();
      await fs.writeFile(join(exports, 'customers.csv'), [CUSTOMERS_HEADER, customerRow('C1')].join('\n'));
      const row =
        column === 'amount'
          ? `I2;C1;2024-03-01;2024-03-31;${value};EUR;X;;;`
          : `I2;C1;${value};2024-03-31;5,00;EUR;X;;;`;
      await fs.writeFile(
        join(exports, 'invoices.csv'),
        [INVOICES_HEADER.replaceAll(',', ';'), 'I1;C1;2024-03-01;2024-03-31;1,00;EUR;X;;;', row].join('\n'),
      );
      const src = (format: IngestSource['format']): IngestSource[] => [
        { path: join(exports, 'customers.csv'), profile: 'canonical' },
        { path: join(exports, 'invoices.csv'), profile: 'canonical', format },
      ];
      // First run: the delimiter is right, but the decimal separator (and the date format) are not.
      const first = await ingest(src({ delimiter: ';' }), { warehouseDir: wh });
      const firstInvoices = first.loads.find((l) => l.entity === 'invoices');
      expect(firstInvoices?.rowsQuarantined).toBeGreaterThan(0);
      // Corrected run: same bytes, other options. It must load, not be skipped.
      const second = await ingest(src({ delimiter: ';', decimal_separator: ',', ...fix }), {
        warehouseDir: wh,
      });
      expect(second.skipped.filter((s) => s.entity === 'invoices')).toEqual([]);
      expect(second.loads.find((l) => l.entity === 'invoices')).toMatchObject({
        rowsRead: 2,
        rowsLoaded: 2,
        rowsQuarantined: 0,
      });
      expect(
        await published(wh, 'SELECT invoice_id, issue_date, amount FROM raw.invoices ORDER BY 1'),
      ).toEqual([
        { invoice_id: 'I1', issue_date: '2024-03-01', amount: '1.00' },
        column === 'amount'
          ? { invoice_id: 'I2', issue_date: '2024-03-01', amount: '1234.50' }
          : { invoice_id: 'I2', issue_date: '2024-03-01', amount: '5.00' },
      ]);
      // The audit says which options each load used.
      const audit = await published(
        wh,
        "SELECT load_options FROM meta.loads WHERE entity = 'invoices' ORDER BY load_id",
      );
      expect(audit.map((a) => JSON.parse(String(a['load_options'])).decimal_separator)).toEqual(['.', ',']);
      // The same run once more is skipped, and the reason says how to force a reload.
      const third = await ingest(src({ delimiter: ';', decimal_separator: ',', ...fix }), {
        warehouseDir: wh,
      });
      expect(third.published).toBe(false);
      expect(third.skipped.map((s) => s.reason)).toEqual([
        'already loaded with the same content, profile and options; to load it again anyway, run arlens ingest with --force',
        'already loaded with the same content, profile and options; to load it again anyway, run arlens ingest with --force',
      ]);
      const forced = await ingest(src({ delimiter: ';', decimal_separator: ',', ...fix }), {
        warehouseDir: wh,
        force: true,
      });
      expect(forced.loads.find((l) => l.entity === 'invoices')).toMatchObject({ unchanged: 2 });
    },
  );

  it('--encoding: a file first read with the wrong encoding is corrected by a re-run with the right one', async () => {
    const { exports, wh } = await fresh();
    await fs.writeFile(
      join(exports, 'customers.csv'),
      [CUSTOMERS_HEADER, customerRow('C1', 'Müller & Söhne GmbH')].join('\n'),
    );
    const src = (format: IngestSource['format']): IngestSource[] => [
      { path: join(exports, 'customers.csv'), profile: 'canonical', format },
    ];
    // UTF-8 read as Windows-1252: every byte is a character there, so the name loads garbled.
    await ingest(src({ encoding: 'windows-1252' }), { warehouseDir: wh });
    expect(await published(wh, 'SELECT customer_name FROM raw.customers')).toEqual([
      { customer_name: 'MÃ¼ller & SÃ¶hne GmbH' },
    ]);
    const second = await ingest(src({ encoding: 'utf-8' }), { warehouseDir: wh });
    expect(second.loads[0]).toMatchObject({ rowsLoaded: 1, updated: 1 });
    expect(await published(wh, 'SELECT customer_name FROM raw.customers')).toEqual([
      { customer_name: 'Müller & Söhne GmbH' },
    ]);
  });
});

describe('a long value is shown cut with its length', () => {
  it('a long value that DuckDB reads is still shown cut in the quarantine', async () => {
    const long = 'y'.repeat(300_000);
    const o = await loadInvoices(
      [INVOICES_HEADER, inv('I1'), `I2,C1,2024-03-01,2024-03-31,${long},EUR,X,,,`].join('\n'),
    );
    expect(ids(o)).toEqual(['I1']);
    expect(o.quarantined.map((q) => [q.row, q.column, q.value])).toEqual([
      [3, 'amount', `${'y'.repeat(80)}… (300,000 characters)`],
    ]);
    expect(o.quarantined[0]?.values.length).toBeLessThan(2000);
  });
});

describe('invisible characters', () => {
  it('a NUL byte and a byte-order mark in the middle are quarantined, not stored', async () => {
    const body = [INVOICES_HEADER, inv('I1'), inv('I2', 'Hard\0ware'), `\uFEFF${inv('I3')}`, inv('I4')].join(
      '\n',
    );
    const o = await loadInvoices(body);
    expect(ids(o)).toEqual(['I1', 'I4']);
    expect(o.quarantined.map((q) => [q.row, q.column, q.code, q.reason])).toEqual([
      [
        3,
        'product_line',
        'control_character',
        'contains a NUL byte (binary data, not text): export the file again; if every row has them, the file ' +
          'may be UTF-16: save it as UTF-8 CSV',
      ],
      [
        4,
        'invoice_id',
        'byte_order_mark',
        'contains an invisible byte-order mark (U+FEFF), usually left where two exports were joined: remove it and ' +
          'load the file again',
      ],
    ]);
  });
});
