/**
 * A table as CSV that Excel opens correctly and safely: RFC 4180 (CRLF, fields with ',', '"' or
 * line breaks quoted, quotes doubled), a UTF-8 byte-order mark (so Excel reads Japanese text), money
 * as exact decimals, dates as YYYY-MM-DD, and formula neutralisation: a text cell starting with
 * =, +, -, @, tab or carriage return gets a leading ' so a spreadsheet shows it instead of running it.
 * Numbers in numeric columns (-12.50) stay numbers. Pure.
 */
import { csvField } from '../../../core/csv.ts';
import { numberText } from '../../../core/number-text.ts';
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

/** A cell's text: a number, date or boolean as itself when it is one, anything else as neutralised text. */
export function csvCell(value: Cell, kind: ValueKind): string {
  if (value === null) return '';
  switch (kind) {
    case 'money':
    case 'number':
    case 'count':
    case 'decimal':
    case 'percent': {
      if (typeof value === 'number' && Number.isFinite(value)) return numberText(value);
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
