/**
 * The forecast as CSV (`arlens forecast`): RFC 4180 with CRLF line ends, money as exact decimal
 * strings, dates as YYYY-MM-DD, and text cells that a spreadsheet would run as a formula (starting
 * with =, +, -, @, tab or carriage return — customer names come from the ERP) prefixed with '. Pure.
 */
import { csvField } from '../core/csv.ts';

const FORMULA_START = /^[=+\-@\t\r]/;
const DECIMAL = /^-?\d+(\.\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type CsvKind = 'text' | 'money' | 'date' | 'number';

export interface CsvColumn {
  readonly name: string;
  readonly kind: CsvKind;
}

export function csvCellText(value: string | number | boolean | null, kind: CsvKind): string {
  if (value === null) return '';
  const s = String(value);
  if (
    (kind === 'money' || kind === 'number') &&
    (typeof value === 'number' ? Number.isFinite(value) : DECIMAL.test(s))
  )
    return s;
  if (kind === 'date' && DATE.test(s)) return s;
  return csvField(FORMULA_START.test(s) ? `'${s}` : s);
}

export function toCsv(
  columns: readonly CsvColumn[],
  rows: readonly Record<string, string | number | boolean | null>[],
): string {
  const lines = [columns.map((c) => csvField(c.name)).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCellText(r[c.name] ?? null, c.kind)).join(','));
  return lines.join('\r\n') + '\r\n';
}
