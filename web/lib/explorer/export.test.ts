import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { csvField } from '../../../core/csv.ts';
import { BOM, csvCell, neutralise, toCsv } from './csv.ts';
import { exportFileName } from './download.ts';
import { ANALYST } from './fixture.ts';
import { drillColumns } from './drill.ts';
import { tableFromRows, type DataTable } from './table.ts';
import { XLSX_TYPE, xlsxBlob } from './xlsx.ts';

const table: DataTable = {
  columns: [
    { key: 'name', title: 'Customer', description: '', kind: 'text', additive: false },
    { key: 'date', title: 'Invoice date', description: '', kind: 'date', additive: false },
    { key: 'amount', title: 'Open amount', description: '', kind: 'money', additive: true },
    { key: 'count', title: 'Invoices', description: '', kind: 'count', additive: true },
    { key: 'ratio', title: '=Share', description: '', kind: 'percent', additive: false },
    { key: 'flag', title: 'Disputed', description: '', kind: 'boolean', additive: false },
  ],
  rows: [
    ['=HYPERLINK("http://example.invalid","x") Ltd', '2026-06-30', '-12.50', 3, 0.25, true],
    ['Acme, "Best" <script>alert(1)</script>', '2026-01-01', '1234567890123.45', 0, 1e-7, false],
    ['株式会社テスト\r\nline two', null, null, null, null, null],
    ['-12.50', '2026-02-28', 'Total', -1, -0.5, null],
    ['+1', '@SUM(A1)', '0.10', 1, 0, null],
    ['\tTab', '\rCR', '-0', 2, 1, null],
  ],
};

describe('CSV export', () => {
  const csv = toCsv(table);
  const lines = csv.slice(1).split('\r\n');

  it('starts with a UTF-8 byte-order mark and ends every line with CRLF', () => {
    expect(csv.startsWith(BOM)).toBe(true);
    expect(new TextEncoder().encode(csv).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(lines[0]).toBe("Customer,Invoice date,Open amount,Invoices,'=Share,Disputed");
  });

  it('neutralises formulas in text cells but keeps negative numbers in numeric columns as numbers', () => {
    expect(lines[1]).toBe(
      `"'=HYPERLINK(""http://example.invalid"",""x"") Ltd",2026-06-30,-12.50,3,0.25,true`,
    );
    // A text cell that looks like a negative number is text: neutralised.
    expect(lines[5]).toBe("'-12.50,2026-02-28,Total,-1,-0.5,");
    expect(lines[6]).toBe("'+1,'@SUM(A1),0.10,1,0,");
    expect(csvCell('\tTab', 'text')).toBe("'\tTab");
    expect(csvCell('\rCR', 'date')).toBe("'\rCR");
    expect(csvCell('-0', 'money')).toBe('-0');
    expect(csvCell('=1+1', 'money')).toBe("'=1+1");
    expect(csvCell(-12.5, 'money')).toBe('-12.5');
    expect(neutralise('plain')).toBe('plain');
    expect(neutralise('a=b')).toBe('a=b');
  });

  it('quotes by RFC 4180: commas, quotes and line breaks; Japanese text and markup unchanged', () => {
    expect(lines[2]).toBe(
      '"Acme, ""Best"" <script>alert(1)</script>",2026-01-01,1234567890123.45,0,0.0000001,false',
    );
    // The embedded CRLF stays inside the quoted field.
    expect(csv).toContain('"株式会社テスト\r\nline two",,,,,\r\n');
    expect(csvField('no quoting')).toBe('no quoting');
    expect(csvField('a"b')).toBe('"a""b"');
  });

  it('keeps money exact: the decimal string from Cube, never a float', () => {
    const rows = [{ 'analyst.invoice_id': 'INV-1', 'analyst.open_amount': '9007199254740993.01' }];
    const t = tableFromRows(
      rows,
      drillColumns(ANALYST, 'open_amount').filter((c) => c.key !== 'analyst.customer_name'),
    );
    expect(toCsv(t)).toContain(',9007199254740993.01\r\n');
  });
});

describe('XLSX export', () => {
  it('writes numbers as numbers, dates as dates and text neutralised', async () => {
    const blob = await xlsxBlob(table, 'Explorer');
    expect(blob.type).toBe(XLSX_TYPE);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await blob.arrayBuffer());
    const ws = wb.getWorksheet('Explorer')!;
    expect(ws.getRow(1).values).toEqual([
      undefined,
      'Customer',
      'Invoice date',
      'Open amount',
      'Invoices',
      "'=Share",
      'Disputed',
    ]);
    const r2 = ws.getRow(2);
    expect(r2.getCell(1).value).toBe('\'=HYPERLINK("http://example.invalid","x") Ltd');
    expect(r2.getCell(1).formula).toBeUndefined();
    expect(r2.getCell(2).value).toEqual(new Date('2026-06-30T00:00:00Z'));
    expect(r2.getCell(2).numFmt).toBe('yyyy-mm-dd');
    expect(r2.getCell(3).value).toBe(-12.5);
    expect(r2.getCell(3).numFmt).toBe('#,##0.00');
    expect(r2.getCell(4).value).toBe(3);
    expect(r2.getCell(5).value).toBe(0.25);
    expect(r2.getCell(6).value).toBe(true);
    // XML reads a CRLF back as LF.
    expect(ws.getRow(4).getCell(1).value).toMatch(/^株式会社テスト\r?\nline two$/);
    expect(ws.getRow(5).getCell(1).value).toBe("'-12.50");
    expect(ws.getRow(5).getCell(3).value).toBe('Total'); // text in a money column stays text
    expect(ws.getRow(6).getCell(2).value).toBe("'@SUM(A1)");
  });
});

describe('export file names', () => {
  it('names the file by the user’s local date', () => {
    expect(exportFileName('explorer', 'csv', new Date(2026, 5, 30, 23, 59))).toBe(
      'arlens-explorer-2026-06-30.csv',
    );
    expect(exportFileName('explorer-invoices', 'xlsx', new Date(2026, 0, 5))).toBe(
      'arlens-explorer-invoices-2026-01-05.xlsx',
    );
  });
});
