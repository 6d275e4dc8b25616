/**
 * A table as CSV that Excel opens correctly and safely: RFC 4180 (CRLF, fields with ',', '"' or
 * line breaks quoted, quotes doubled), a UTF-8 byte-order mark (so Excel reads Japanese text), money
 * as exact decimals, dates as YYYY-MM-DD, and formula neutralisation: a text cell starting with
 * =, +, -, @, tab or carriage return gets a leading ' so a spreadsheet shows it instead of running it.
 * Numbers in numeric columns (-12.50) stay numbers. Pure.
 */
import { isDecimal } from './decimal.ts';
import type { ValueKind } from './meta.ts';
import type { Cell, DataTable } from './table.ts';

export const BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Text a spreadsheet will not read as a formula. */
export function neutralise(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One field, quoted when RFC 4180 needs it. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function plainNumber(n: number): string | null {
  if (!Number.isFinite(n)) return null;
  const s = String(n);
  return /e/i.test(s) ? n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : s;
}

/** A cell's text: a number, date or boolean as itself when it is one, anything else as neutralised text. */
export function csvCell(value: Cell, kind: ValueKind): string {
  if (value === null) return '';
  switch (kind) {
    case 'money':
    case 'number':
    case 'count':
    case 'decimal':
    case 'percent': {
      if (typeof value === 'number') {
        const s = plainNumber(value);
        if (s !== null) return s;
      }
      if (typeof value === 'string' && isDecimal(value)) return value;
      break;
    }
    case 'date':
      if (typeof value === 'string' && DATE.test(value)) return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value ? 'true' : 'false';
      break;
    case 'text':
      break;
  }
  return neutralise(String(value));
}

/** The whole table: BOM, header of column titles, one line per row, CRLF line ends. */
export function toCsv(table: DataTable): string {
  const lines = [table.columns.map((c) => csvField(neutralise(c.title))).join(',')];
  for (const row of table.rows) {
    lines.push(table.columns.map((c, i) => csvField(csvCell(row[i] ?? null, c.kind))).join(','));
  }
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
