import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/load.ts';
import { CUSTOMERS_HEADER, INVOICES_HEADER, customerRow, published, tempDir, writeText } from '../helpers.ts';

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

const customers = (dir: string) =>
  writeText(
    dir,
    'customers.csv',
    [CUSTOMERS_HEADER, customerRow('C1'), customerRow('C2', 'Two', 'JPY')].join('\n'),
  );

describe('encodings', () => {
  const names = ['Müller & Söhne GmbH', 'Café Crème SARL', '株式会社山田製作所', '東京精密工業㈱'];

  it.each([
    [
      'utf-8 with BOM',
      'utf-8',
      (s: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s, 'utf8')]),
      names,
    ],
    ['shift_jis (cp932)', 'shift_jis', (s: string) => iconv.encode(s, 'cp932'), names.slice(2)],
    [
      'windows-1252',
      'windows-1252',
      (s: string) => iconv.encode(s, 'win1252'),
      [...names.slice(0, 2), 'Price € 5 – “quoted”'],
    ],
  ] as const)('%s', async (_label, encoding, encode, list) => {
    const { exports, wh } = await fresh();
    const csv =
      [CUSTOMERS_HEADER, ...list.map((name, i) => customerRow(`C${i}`, `"${name}"`))].join('\r\n') + '\r\n';
    await fs.writeFile(join(exports, 'customers.csv'), encode(csv));
    await ingest([{ path: exports, profile: 'canonical', format: { encoding } }], { warehouseDir: wh });
    const rows = await published(wh, 'SELECT customer_name FROM raw.customers ORDER BY customer_id');
    expect(rows.map((r) => r['customer_name'])).toEqual(list);
  });
});

describe('locale formats', () => {
  it.each([
    ['German: 1.234,56 and 31.03.2024', ';', ',', '.', '%d.%m.%Y', '31.03.2024', '1.234,56', '1234.56'],
    ['Japanese: 1,234 and 2024/03/31', ',', '.', ',', '%Y/%m/%d', '2024/03/31', '"1,234"', '1234.00'],
    ["Swiss: 1'234.50", ',', '.', "'", '%d.%m.%Y', '31.03.2024', "1'234.50", '1234.50'],
    ['SAP trailing minus is a negative amount', ';', ',', '.', '%d.%m.%Y', '31.03.2024', '5,00-', null],
  ] as const)('%s', async (_label, delim, dec, thou, dateFmt, date, amount, expected) => {
    const { exports, wh } = await fresh();
    await customers(exports);
    const header = INVOICES_HEADER.replaceAll(',', delim);
    const row = ['I1', 'C1', date, date, amount, 'EUR', 'Hardware', '', '', ''].join(delim);
    await writeText(exports, 'invoices.csv', `${header}\n${row}\n`);
    const report = await ingest(
      [
        { path: join(exports, 'customers.csv'), profile: 'canonical' },
        {
          path: join(exports, 'invoices.csv'),
          profile: 'canonical',
          format: {
            delimiter: delim,
            decimal_separator: dec,
            thousands_separator: thou,
            date_format: dateFmt,
          },
        },
      ],
      { warehouseDir: wh },
    );
    const rows = await published(wh, 'SELECT amount, issue_date FROM raw.invoices');
    if (expected === null) {
      expect(rows).toEqual([]);
      expect(report.quarantineSample[0]).toMatchObject({ column: 'amount', reason: 'negative amount' });
    } else {
      expect(rows).toEqual([{ amount: expected, issue_date: '2024-03-31' }]);
    }
  });

  it('never guesses: 1.234 in a dot-decimal file is 1.234 with too many decimals, not 1234', async () => {
    const { exports, wh } = await fresh();
    await customers(exports);
    await writeText(
      exports,
      'invoices.csv',
      `${INVOICES_HEADER}\nI1,C1,2024-03-31,2024-03-31,1.234,EUR,X,,,\nI2,C1,2024-03-31,2024-03-31,"12,34",EUR,X,,,\n`,
    );
    const report = await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    expect(report.quarantineSample.map((q) => [q.row, q.column, q.reason.split(' (')[0]])).toEqual([
      [2, 'amount', 'more than 2 decimal places'],
      [3, 'amount', "not a number in this profile's format"],
    ]);
  });

  it('keeps dates as calendar dates in any time zone (tests run in Asia/Tokyo)', async () => {
    expect(process.env['TZ']).toBe('Asia/Tokyo');
    const { exports, wh } = await fresh();
    await customers(exports);
    await writeText(
      exports,
      'invoices.csv',
      `${INVOICES_HEADER}\nI1,C1,2024-01-01,2024-12-31,1.00,EUR,X,,,\n`,
    );
    await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
    expect(await published(wh, 'SELECT issue_date, due_date FROM raw.invoices')).toEqual([
      { issue_date: '2024-01-01', due_date: '2024-12-31' },
    ]);
  });
});

describe('file formats', () => {
  const invoiceValues = [
    ['I1', 'C1', '2024-03-01', '2024-03-31', '1234.56', 'EUR', 'Hardware'],
    ['I2', 'C2', '2024-03-05', '2024-05-04', '120000', 'JPY', 'Services'],
  ];
  const expected = [
    { invoice_id: 'I1', amount: '1234.56', issue_date: '2024-03-01', product_line: 'Hardware' },
    { invoice_id: 'I2', amount: '120000.00', issue_date: '2024-03-05', product_line: 'Services' },
  ];
  const check = async (wh: string) =>
    expect(
      await published(wh, 'SELECT invoice_id, amount, issue_date, product_line FROM raw.invoices ORDER BY 1'),
    ).toEqual(expected);

  it('XLSX with typed cells (numbers, dates) and a German-locale profile', async () => {
    const { exports, wh } = await fresh();
    await customers(exports);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Rechnungen');
    ws.addRow(INVOICES_HEADER.split(','));
    for (const v of invoiceValues) {
      const [y, m, d] = (v[2] ?? '').split('-').map(Number);
      // One date as a real Excel date cell, one as German text; amounts as numbers.
      const issue = v[0] === 'I1' ? new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)) : '05.03.2024';
      ws.addRow([v[0], v[1], issue, v[3], Number(v[4]), v[5], v[6]]);
    }
    await wb.xlsx.writeFile(join(exports, 'invoices.xlsx'));
    await ingest(
      [
        { path: join(exports, 'customers.csv'), profile: 'canonical' },
        {
          path: join(exports, 'invoices.xlsx'),
          profile: 'canonical',
          format: { decimal_separator: ',', date_format: '%d.%m.%Y' },
        },
      ],
      { warehouseDir: wh },
    );
    await check(wh);
  });

  it('JSON (array of objects) and Parquet', async () => {
    for (const kind of ['json', 'parquet'] as const) {
      const { exports, wh } = await fresh();
      await customers(exports);
      const cols = INVOICES_HEADER.split(',');
      const records = invoiceValues.map((v) => Object.fromEntries(cols.map((c, i) => [c, v[i] ?? null])));
      const jsonPath = join(exports, kind === 'json' ? 'invoices.json' : 'tmp.json');
      await fs.writeFile(jsonPath, JSON.stringify(records));
      if (kind === 'parquet') {
        const db = await DuckDBInstance.create(':memory:');
        const conn = await db.connect();
        await conn.run(
          `COPY (SELECT invoice_id, customer_id, issue_date::DATE AS issue_date, due_date::DATE AS due_date,
                 amount::DECIMAL(18,2) AS amount, currency, product_line FROM read_json('${jsonPath}'))
           TO '${join(exports, 'invoices.parquet')}' (FORMAT parquet)`,
        );
        conn.closeSync();
        db.closeSync();
        await fs.rm(jsonPath);
      }
      await ingest([{ path: exports, profile: 'canonical' }], { warehouseDir: wh });
      await check(wh);
    }
  });

  it('rejects an unsupported file type with what to do', async () => {
    const { exports, wh } = await fresh();
    await writeText(exports, 'customers.xls', 'binary');
    await expect(
      ingest([{ path: join(exports, 'customers.xls'), profile: 'canonical' }], { warehouseDir: wh }),
    ).rejects.toThrow(
      'customers.xls: ARLens reads .csv/.txt/.tsv, .xlsx, .json/.ndjson and .parquet files, not ".xls". Save the export in one of these formats (for .xls, re-save as .xlsx).',
    );
  });
});
