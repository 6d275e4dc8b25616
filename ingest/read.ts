/**
 * Turning an export file into a relation DuckDB can scan: every column as text, plus `_row`, the
 * row number a spreadsheet would show (the header is row 1, the first data row is row 2).
 *
 * CSV in UTF-8 (with or without BOM) is read by DuckDB in place. Shift_JIS and Windows-1252 are
 * transcoded to a temporary UTF-8 file first (streaming, through iconv-lite). XLSX is converted to a
 * temporary CSV (numbers kept as their exact stored digits, dates as ISO). JSON and Parquet are read
 * by DuckDB and cast to text.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { readSheet } from 'read-excel-file/node';
import { ident, Params } from '../warehouse/duckdb.ts';
import { queryRows } from '../warehouse/convert.ts';
import type { ResolvedFormat } from './profile.ts';

export type SourceFormat = 'csv' | 'xlsx' | 'json' | 'parquet';

export function detectFormat(path: string): SourceFormat {
  const ext = extname(path).toLowerCase();
  if (['.csv', '.txt', '.tsv'].includes(ext)) return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  if (['.json', '.ndjson', '.jsonl'].includes(ext)) return 'json';
  if (ext === '.parquet') return 'parquet';
  throw new Error(
    `${basename(path)}: ARLens reads .csv/.txt/.tsv, .xlsx, .json/.ndjson and .parquet files, not "${ext || 'no extension'}". ` +
      `Save the export in one of these formats (for .xls, re-save as .xlsx).`,
  );
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

export interface PreparedSource {
  readonly path: string;
  readonly format: SourceFormat;
  /** SQL of a relation with `_row` and every source column as VARCHAR. */
  readonly sql: string;
  readonly params: readonly (string | number)[];
  readonly columns: readonly string[];
  /** Remove temporary files. */
  cleanup(): Promise<void>;
}

/** Make `path` readable by DuckDB; `conn` is only used to read the header. */
export async function prepareSource(
  conn: DuckDBConnection,
  path: string,
  format: ResolvedFormat,
  tmpDir: string,
): Promise<PreparedSource> {
  const kind = detectFormat(path);
  const temps: string[] = [];
  const cleanup = async () => {
    for (const t of temps) await fs.rm(t, { force: true });
  };
  try {
    const p = new Params();
    let relation: string;
    let skip = format.skipRows;
    if (kind === 'csv' || kind === 'xlsx') {
      let csvPath = path;
      if (kind === 'xlsx') {
        csvPath = join(tmpDir, `xlsx-${process.pid}-${Date.now()}-${basename(path)}.csv`);
        temps.push(csvPath);
        await xlsxToCsv(path, csvPath, format);
        skip = 0; // xlsxToCsv already dropped the skipped rows
      } else if (format.encoding !== 'utf-8') {
        csvPath = join(tmpDir, `utf8-${process.pid}-${Date.now()}-${basename(path)}`);
        temps.push(csvPath);
        // cp932 is Microsoft's Shift_JIS (what Excel writes in Japan): a superset with ①, ㈱, NEC signs.
        const codec = format.encoding === 'shift_jis' ? 'cp932' : 'win1252';
        await pipeline(createReadStream(path), iconv.decodeStream(codec), createWriteStream(csvPath));
      }
      const delim = kind === 'xlsx' ? ',' : format.delimiter;
      relation =
        `read_csv(${p.add(csvPath)}, all_varchar = true, header = true, delim = ${p.add(delim)}, quote = '"', ` +
        `escape = '"', skip = ${p.add(skip)}, null_padding = true, parallel = true)`;
    } else {
      const reader = kind === 'json' ? 'read_json' : 'read_parquet';
      relation = `${reader}(${p.add(path)})`;
    }
    const described = await queryRows(
      conn,
      `DESCRIBE SELECT * FROM ${relation}`,
      p.values as (string | number)[],
    );
    const columns = described.map((r) => String(r['column_name']));
    const asText = columns.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`).join(', ');
    // Header is row 1 (after any skipped title rows); the first data row is header + 1.
    const firstDataRow = kind === 'csv' ? skip + 2 : 2;
    const sql = `(SELECT (row_number() OVER () + ${firstDataRow - 1})::BIGINT AS _row, ${asText} FROM ${relation})`;
    return { path, format: kind, sql, params: p.values as (string | number)[], columns, cleanup };
  } catch (e) {
    await cleanup();
    throw new Error(`${basename(path)}: cannot be read as ${kind.toUpperCase()}: ${(e as Error).message}`, {
      cause: e,
    });
  }
}

interface XlsxNumber {
  readonly num: string;
}

function csvCell(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

/** XLSX -> UTF-8 CSV. Numbers keep their stored digits (written with the profile's decimal separator). */
async function xlsxToCsv(path: string, out: string, format: ResolvedFormat): Promise<void> {
  const options = { parseNumber: (s: string): XlsxNumber => ({ num: s }) };
  const rows = format.sheet ? await readSheet(path, format.sheet, options) : await readSheet(path, options);
  const lines: string[] = [];
  for (const row of rows.slice(format.skipRows)) {
    const cells = row.map((cell: unknown) => {
      if (cell === null || cell === undefined) return '';
      if (cell instanceof Date) return csvCell(cell.toISOString().slice(0, 10));
      if (typeof cell === 'object' && 'num' in cell) {
        const digits = (cell as XlsxNumber).num;
        return csvCell(format.decimalSeparator === ',' ? digits.replace('.', ',') : digits);
      }
      return csvCell(String(cell));
    });
    lines.push(cells.join(','));
  }
  await fs.writeFile(out, lines.join('\n') + '\n', 'utf8');
}
