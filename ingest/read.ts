/**
 * Turning an export file into a relation DuckDB can scan: every column as text, plus `_row`, the
 * row number a spreadsheet would show (the header is row 1, the first data row is row 2).
 *
 * CSV is read by DuckDB in place when it can be (the fast path): UTF-8 as is, Shift_JIS and
 * Windows-1252 transcoded to a temporary UTF-8 file first (streaming, through iconv-lite). When
 * DuckDB cannot read a CSV as it is (a stray quote, a row with too many or too few values, a huge
 * value, bytes that are not text, a blank line that would shift the row numbers), the careful reader
 * (csv-scan.ts) takes over: it sets aside the rows it cannot read, with reasons, and hands the others
 * to DuckDB. XLSX and JSON are read by ARLens itself (numbers as their exact digits, dates as ISO,
 * JSON scalars as plain text) and Parquet by DuckDB. No message of DuckDB's reaches the user: a file
 * that cannot be read at all gets a FileProblem in words of our own.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { basename, extname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import iconv from 'iconv-lite';
import { readSheet } from 'read-excel-file/node';
import { ident, Params } from '../warehouse/duckdb.ts';
import { queryRows } from '../warehouse/convert.ts';
import { CleanCsvWriter, FileProblem, ROW_COLUMN, type RejectedRow } from './clean-csv.ts';
import { MAX_ROW_BYTES, scanCsv } from './csv-scan.ts';
import { jsonToCsv } from './json-read.ts';
import type { ResolvedFormat } from './profile.ts';

export { FileProblem, type RejectedRow } from './clean-csv.ts';

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
  return (await surveyFile(path)).sha256;
}

/** What one pass over a file's bytes tells, before DuckDB reads it. */
export interface FileSurvey {
  readonly sha256: string;
  /** Every byte sequence is valid UTF-8. */
  readonly utf8: boolean;
  /** A blank line with data after it (DuckDB would skip it and number the rows after it wrong). */
  readonly blankLine: boolean;
}

const EMPTY = Buffer.alloc(0);
const BLANK_LINES = [Buffer.from('\n\n'), Buffer.from('\n\r\n'), Buffer.from('\r\r')];
const REPLACEMENT = Buffer.from('\uFFFD', 'utf8');

/** Length of the UTF-8 sequence a lead byte starts (1 for ASCII and for bytes that cannot lead). */
const sequenceLength = (lead: number) => (lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1);

/** UTF-8 validity, blank lines and U+FFFD, chunk by chunk, at native speed (no byte loop in JS). */
export class ByteSurvey {
  utf8 = true;
  blankLine = false;
  replacement = false;
  /** An incomplete UTF-8 sequence at the end of the last chunk. */
  private partial: Buffer = EMPTY;
  /** The last bytes of the last chunk, for patterns across chunks. */
  private tail: Buffer = EMPTY;
  /** A blank line was seen and nothing but line breaks after it yet. */
  private pending = false;

  update(chunk: Buffer): void {
    if (this.utf8) this.checkUtf8(chunk);
    if (!this.blankLine || !this.replacement) {
      const buf = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
      if (!this.blankLine) this.checkBlank(buf);
      if (!this.replacement && buf.includes(REPLACEMENT)) this.replacement = true;
      this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 2)));
    }
  }

  finish(): void {
    if (this.partial.length > 0) this.utf8 = false;
  }

  private checkUtf8(chunk: Buffer): void {
    let from = 0;
    if (this.partial.length > 0) {
      const need = sequenceLength(this.partial[0] as number) - this.partial.length;
      if (chunk.length < need) {
        this.partial = Buffer.concat([this.partial, chunk]);
        return;
      }
      if (!isUtf8(Buffer.concat([this.partial, chunk.subarray(0, need)]))) {
        this.utf8 = false;
        return;
      }
      from = need;
      this.partial = EMPTY;
    }
    let end = chunk.length;
    let k = end - 1;
    while (k >= from && end - k <= 3 && ((chunk[k] as number) & 0xc0) === 0x80) k--;
    if (k >= from && end - k < sequenceLength(chunk[k] as number)) end = k;
    if (!isUtf8(chunk.subarray(from, end))) this.utf8 = false;
    this.partial = Buffer.from(chunk.subarray(end));
  }

  private checkBlank(buf: Buffer): void {
    let at = 0;
    if (!this.pending) {
      const found = BLANK_LINES.map((p) => buf.indexOf(p)).filter((i) => i >= 0);
      if (found.length === 0) return;
      at = Math.min(...found);
    }
    while (at < buf.length && (buf[at] === 0x0a || buf[at] === 0x0d)) at++;
    if (at < buf.length) this.blankLine = true;
    else this.pending = true;
  }
}

/** SHA-256, UTF-8 validity and blank lines of a file, in one read. */
export async function surveyFile(path: string): Promise<FileSurvey> {
  const hash = createHash('sha256');
  const survey = new ByteSurvey();
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    survey.update(chunk);
  }
  survey.finish();
  return { sha256: hash.digest('hex'), utf8: survey.utf8, blankLine: survey.blankLine };
}

/** The scratch DuckDB the plan reads headers with; replaced if DuckDB fails internally on a file. */
export class ScratchDb {
  private instance: DuckDBInstance | null = null;
  private connection: DuckDBConnection | null = null;

  async conn(): Promise<DuckDBConnection> {
    if (this.connection === null) {
      this.instance = await DuckDBInstance.create(':memory:');
      this.connection = await this.instance.connect();
    }
    return this.connection;
  }

  close(): void {
    this.connection?.closeSync();
    this.instance?.closeSync();
    this.connection = null;
    this.instance = null;
  }
}

/** DuckDB gave up on the database (an internal error): nothing more can run on that instance. */
function isFatal(e: unknown): boolean {
  return /FATAL|INTERNAL Error|database has been invalidated/.test((e as Error).message);
}

/** Longest line of the clean CSV: a value of MAX_ROW_BYTES with every byte a doubled quote, and more. */
const CLEAN_LINE_BYTES = 4 * MAX_ROW_BYTES;

type Kind = 'csv' | 'clean' | 'parquet';

interface SourceInit {
  readonly path: string;
  readonly format: SourceFormat;
  readonly file: string;
  readonly kind: Kind;
  /** For `csv`: the UTF-8 file DuckDB reads (the original or its transcoding), and how to read it. */
  readonly csvPath: string;
  readonly csv: ResolvedFormat;
  /** For `csv`: whether the careful reader must go first (known from the file's survey). */
  readonly careful: () => Promise<boolean>;
  readonly tmpDir: string;
  readonly temps: string[];
}

let tempSeq = 0;
const tempName = (dir: string, what: string, path: string) =>
  join(dir, `${what}-${process.pid}-${++tempSeq}-${basename(path)}.csv`);

/**
 * A file ready to be read by DuckDB as `sql` (with `params`): `_row` and every column as VARCHAR.
 * `read` runs a query over it; if DuckDB cannot read the CSV as it is, the careful reader takes over
 * and the query runs again over the rows it could read. `rejects` are the rows it set aside.
 */
export class PreparedSource {
  private current: { sql: string; params: (string | number)[]; columns: string[] };
  private careful: boolean;
  private rejected: RejectedRow[] = [];

  constructor(
    private readonly init: SourceInit,
    relation: { sql: string; params: (string | number)[]; columns: string[] },
    rejects: readonly RejectedRow[],
  ) {
    this.current = relation;
    this.careful = init.kind !== 'csv';
    this.rejected = [...rejects];
  }

  get path(): string {
    return this.init.path;
  }
  get format(): SourceFormat {
    return this.init.format;
  }
  /** SQL of a relation with `_row` and every source column as VARCHAR. */
  get sql(): string {
    return this.current.sql;
  }
  get params(): readonly (string | number)[] {
    return this.current.params;
  }
  get columns(): readonly string[] {
    return this.current.columns;
  }
  /** Rows of the file that could not be read (quarantined by one unit of this source). */
  get rejects(): readonly RejectedRow[] {
    return this.rejected;
  }

  /** Run `query` over this source on `conn`; a CSV DuckDB cannot read as it is is read carefully first. */
  async read<T>(conn: DuckDBConnection, query: () => Promise<T>): Promise<T> {
    if (!this.careful && (await this.init.careful())) await this.readCarefully(conn);
    try {
      return await query();
    } catch (e) {
      if (isFatal(e)) {
        throw new FileProblem(
          `${this.init.file}: the file could not be read (DuckDB failed on it internally); nothing was loaded. ` +
            'Check its encoding (--encoding) and delimiter (--delimiter); if they are right, please report ' +
            'the problem with the first rows of the file.',
          { cause: e },
        );
      }
      if (this.init.kind === 'parquet') throw parquetProblem(this.init.file, e);
      if (this.careful) throw e;
      await this.readCarefully(conn);
      return await query();
    }
  }

  /** Split the CSV with the careful reader; DuckDB then reads the rows it could read. */
  async readCarefully(conn: DuckDBConnection): Promise<void> {
    const clean = tempName(this.init.tmpDir, 'clean', this.init.path);
    this.init.temps.push(clean);
    const { rejects } = await scanCsv(this.init.csvPath, clean, {
      file: this.init.file,
      delimiter: this.init.csv.delimiter,
      skipRows: this.init.csv.skipRows,
      encoding: this.init.csv.encoding,
      ...(this.current.columns.length > 0 ? { names: this.current.columns } : {}),
    });
    this.current = await cleanRelation(conn, clean);
    this.rejected = [...rejects];
    this.careful = true;
  }

  async cleanup(): Promise<void> {
    for (const t of this.init.temps) await fs.rm(t, { force: true });
  }
}

function parquetProblem(file: string, cause: unknown): FileProblem {
  return new FileProblem(
    `${file}: not a readable Parquet file (damaged, cut off, or not Parquet at all). Export it again.`,
    { cause },
  );
}

async function describe(conn: DuckDBConnection, relation: string, p: Params): Promise<string[]> {
  const rows = await queryRows(conn, `DESCRIBE SELECT * FROM ${relation}`, p.values as (string | number)[]);
  return rows.map((r) => String(r['column_name']));
}

const asText = (columns: readonly string[]) =>
  columns.map((c) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(c)}`).join(', ');

/** The clean CSV ARLens wrote (clean-csv.ts): its row numbers are in the file. */
async function cleanRelation(
  conn: DuckDBConnection,
  path: string,
): Promise<{ sql: string; params: (string | number)[]; columns: string[] }> {
  const p = new Params();
  const relation =
    `read_csv(${p.add(path)}, all_varchar = true, header = true, delim = ',', quote = '"', escape = '"', ` +
    `comment = '', null_padding = false, max_line_size = ${CLEAN_LINE_BYTES}, parallel = true)`;
  const columns = (await describe(conn, relation, p)).filter((c) => c !== ROW_COLUMN);
  const list = columns.length > 0 ? `, ${asText(columns)}` : '';
  return {
    sql: `(SELECT ${ident(ROW_COLUMN)}::BIGINT AS _row${list} FROM ${relation})`,
    params: p.values as (string | number)[],
    columns,
  };
}

/**
 * Make `path` readable by DuckDB. `scratch` reads headers; `survey` is the file's survey (it decides
 * whether a UTF-8 CSV needs the careful reader, and is awaited only when the file is first read).
 */
export async function prepareSource(
  scratch: ScratchDb,
  path: string,
  format: ResolvedFormat,
  tmpDir: string,
  survey: Promise<FileSurvey>,
): Promise<PreparedSource> {
  const kind = detectFormat(path);
  const file = basename(path);
  const temps: string[] = [];
  const init = (k: Kind, csvPath = path, careful = async () => false): SourceInit => ({
    path,
    format: kind,
    file,
    kind: k,
    csvPath,
    csv: format,
    careful,
    tmpDir,
    temps,
  });
  try {
    const conn = await scratch.conn();
    if (kind === 'xlsx' || kind === 'json') {
      const clean = tempName(tmpDir, kind, path);
      temps.push(clean);
      const rejects =
        kind === 'xlsx'
          ? (await xlsxToCsv(path, clean, format), [])
          : (await jsonToCsv(path, clean, file)).rejects;
      return new PreparedSource(init('clean'), await cleanRelation(conn, clean), rejects);
    }
    if (kind === 'parquet') {
      const p = new Params();
      const relation = `read_parquet(${p.add(path)})`;
      let columns: string[];
      try {
        columns = await describe(conn, relation, p);
      } catch (e) {
        if (isFatal(e)) scratch.close();
        throw parquetProblem(file, e);
      }
      const sql = `(SELECT (row_number() OVER () + 1)::BIGINT AS _row, ${asText(columns)} FROM ${relation})`;
      return new PreparedSource(
        init('parquet'),
        { sql, params: p.values as (string | number)[], columns },
        [],
      );
    }
    // CSV: UTF-8 as it is; other encodings transcoded (and surveyed on the way).
    if (await isEmpty(path))
      throw new FileProblem(`${file}: the file is empty (no header row). Export it again.`);
    let csvPath = path;
    let careful = async () => {
      const s = await survey;
      return !s.utf8 || s.blankLine;
    };
    if (format.encoding !== 'utf-8') {
      csvPath = tempName(tmpDir, 'utf8', path);
      temps.push(csvPath);
      // cp932 is Microsoft's Shift_JIS (what Excel writes in Japan): a superset with ①, ㈱, NEC signs.
      const codec = format.encoding === 'shift_jis' ? 'cp932' : 'win1252';
      const seen = new ByteSurvey();
      const watch = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          seen.update(chunk);
          done(null, chunk);
        },
      });
      await pipeline(createReadStream(path), iconv.decodeStream(codec), watch, createWriteStream(csvPath));
      const needed = seen.replacement || seen.blankLine;
      careful = async () => needed;
    }
    const source = new PreparedSource(
      init('csv', csvPath, careful),
      { sql: '', params: [], columns: [] },
      [],
    );
    const p = new Params();
    const relation =
      `read_csv(${p.add(csvPath)}, all_varchar = true, header = true, delim = ${p.add(format.delimiter)}, ` +
      `quote = '"', escape = '"', comment = '', skip = ${p.add(format.skipRows)}, null_padding = false, ` +
      `max_line_size = ${MAX_ROW_BYTES}, parallel = true)`;
    let columns: string[] | null = null;
    if (format.encoding === 'utf-8' || !(await careful())) {
      try {
        columns = await describe(conn, relation, p);
      } catch (e) {
        if (isFatal(e)) scratch.close();
      }
    }
    if (columns === null) {
      // DuckDB cannot read it as it is (or the transcoding showed it must not): read it carefully now.
      await source.readCarefully(await scratch.conn());
      return source;
    }
    // Header is row 1 (after any skipped title rows); the first data row is header + 1.
    const sql = `(SELECT (row_number() OVER () + ${format.skipRows + 1})::BIGINT AS _row, ${asText(columns)} FROM ${relation})`;
    return new PreparedSource(
      init('csv', csvPath, careful),
      { sql, params: p.values as (string | number)[], columns },
      [],
    );
  } catch (e) {
    for (const t of temps) await fs.rm(t, { force: true });
    if (e instanceof FileProblem) throw e;
    throw new FileProblem(
      `${file}: cannot be read as ${kind.toUpperCase()} (${kind === 'xlsx' ? 'damaged, password-protected, or another format saved as .xlsx' : 'check that this is the right file'}). ` +
        (kind === 'xlsx' && format.sheet ? `Check that it has a sheet named "${format.sheet}". ` : '') +
        'Export it again.',
      { cause: e },
    );
  }
}

/** Nothing in the file but a byte-order mark and blank space (DuckDB would make that a column "column0"). */
async function isEmpty(path: string): Promise<boolean> {
  const handle = await fs.open(path, 'r');
  try {
    const probe = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
    if (bytesRead === probe.length) return false;
    const text = probe
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    return text.trim() === '';
  } finally {
    await handle.close();
  }
}

/** XLSX -> clean CSV. Numbers keep their stored digits (written with the profile's decimal separator). */
async function xlsxToCsv(path: string, out: string, format: ResolvedFormat): Promise<void> {
  interface XlsxNumber {
    readonly num: string;
  }
  const options = { parseNumber: (s: string): XlsxNumber => ({ num: s }) };
  const rows = format.sheet ? await readSheet(path, format.sheet, options) : await readSheet(path, options);
  const writer = await CleanCsvWriter.create(out);
  try {
    const cell = (value: unknown): string | null => {
      if (value === null || value === undefined) return null;
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      if (typeof value === 'object' && 'num' in value) {
        const digits = (value as XlsxNumber).num;
        return format.decimalSeparator === ',' ? digits.replace('.', ',') : digits;
      }
      return String(value);
    };
    const kept = rows.slice(format.skipRows);
    const width = Math.max(0, ...kept.map((r) => r.length));
    const pad = (row: readonly unknown[]) => Array.from({ length: width }, (_, i) => cell(row[i]));
    const [header, ...data] = kept;
    writer.header(pad(header ?? []).map((h) => h ?? ''));
    // Spreadsheet row of data row i: title rows, the header, then i + 1.
    for (const [i, row] of data.entries()) writer.row(format.skipRows + i + 2, pad(row));
  } finally {
    await writer.close();
  }
}
