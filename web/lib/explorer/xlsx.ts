/**
 * A table as an Excel workbook (exceljs, written in the browser): numbers as numbers with a number
 * format, dates as dates, text neutralised against formulas as in the CSV. exceljs is loaded only
 * when a workbook is asked for, so the Explorer's page stays small.
 */
import type { Worksheet } from 'exceljs';
import { neutralise } from './csv.ts';
import { isDecimal } from './decimal.ts';
import type { ValueKind } from './meta.ts';
import type { Cell, DataTable } from './table.ts';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const NUMBER_FORMAT: Partial<Record<ValueKind, string>> = {
  money: '#,##0.00',
  number: '#,##0.########',
  count: '#,##0',
  decimal: '#,##0.0',
  percent: '0.0%',
  date: 'yyyy-mm-dd',
};

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The value exceljs writes for a cell: a number, a Date (UTC midnight), a boolean or neutralised text. */
export function xlsxValue(value: Cell, kind: ValueKind): string | number | boolean | Date | null {
  if (value === null) return null;
  switch (kind) {
    case 'money':
    case 'number':
    case 'count':
    case 'decimal':
    case 'percent':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && isDecimal(value)) return Number(value);
      break;
    case 'date': {
      const m = typeof value === 'string' ? DATE.exec(value) : null;
      if (m) return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      break;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'text':
      break;
  }
  return neutralise(String(value));
}

/** Header row (bold, frozen) and the rows of `table` on `sheet`. */
export function fillWorksheet(sheet: Worksheet, table: DataTable): void {
  sheet.columns = table.columns.map((c) => ({
    header: neutralise(c.title),
    key: c.key,
    width: Math.min(48, Math.max(10, c.title.length + 2, c.kind === 'text' ? 18 : 14)),
    ...(NUMBER_FORMAT[c.kind] ? { style: { numFmt: NUMBER_FORMAT[c.kind] } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of table.rows) {
    sheet.addRow(table.columns.map((c, i) => xlsxValue(row[i] ?? null, c.kind)));
  }
}

/** The workbook's bytes as a Blob, one sheet named `sheetName`. */
export async function xlsxBlob(table: DataTable, sheetName: string): Promise<Blob> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'ARLens';
  fillWorksheet(workbook.addWorksheet(sheetName.slice(0, 31)), table);
  const bytes = await workbook.xlsx.writeBuffer();
  return new Blob([bytes], { type: XLSX_TYPE });
}
