/**
 * The CSV ARLens writes when it reads a file itself (the careful CSV reader, JSON, XLSX) and hands the
 * rows to DuckDB: UTF-8, comma-separated, every value in double quotes (an empty value unquoted, so it
 * reads as NULL like an empty cell of the original), LF line ends, and as its last column the row
 * number a spreadsheet shows for that row of the original file. DuckDB reads it without guessing.
 */
import { promises as fs } from 'node:fs';

/** Name of the row-number column (last, so DuckDB names the other columns exactly as in the original). */
export const ROW_COLUMN = '__arlens_row';

/** Rows of the original file ARLens could not read: quarantined with a reason, never dropped silently. */
export interface RejectedRow {
  /** Row as a spreadsheet numbers it (the header is row 1). */
  readonly row: number;
  /** The column where the problem is, '' when it is the row as a whole. */
  readonly column: string;
  readonly code: string;
  readonly reason: string;
  /** The value (or the row's text) as shown: cut when long. */
  readonly value: string | null;
  /** The row as read, as a JSON object (values shown cut). */
  readonly values: string;
}

/** A problem with a whole file, worded for the user (file name first): shown as it is. */
export class FileProblem extends Error {}

const QUOTE = 0x22;
const FLUSH_AT = 4 * 1024 * 1024;

export class CleanCsvWriter {
  private out = Buffer.allocUnsafe(FLUSH_AT * 2);
  private pos = 0;
  private rows = 0;

  private constructor(private readonly file: fs.FileHandle) {}

  static async create(path: string): Promise<CleanCsvWriter> {
    return new CleanCsvWriter(await fs.open(path, 'w'));
  }

  /** Rows written so far (the header not counted). */
  get count(): number {
    return this.rows;
  }

  header(names: readonly string[]): void {
    this.line([...names, ROW_COLUMN].map((n) => Buffer.from(n, 'utf8')));
  }

  /** One row of the original file: `values` in header order (null or empty: no value). */
  row(row: number, values: readonly (Buffer | string | null)[]): void {
    const cells = values.map((v) => (v === null ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v));
    this.line([...cells, Buffer.from(String(row), 'latin1')]);
    this.rows++;
  }

  /** Write what is buffered once enough has collected (call between chunks of input). */
  async drain(): Promise<void> {
    if (this.pos >= FLUSH_AT) await this.flush();
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.file.close();
    }
  }

  private async flush(): Promise<void> {
    let done = 0;
    while (done < this.pos) {
      const { bytesWritten } = await this.file.write(this.out, done, this.pos - done);
      done += bytesWritten;
    }
    this.pos = 0;
  }

  private line(cells: readonly (Buffer | null)[]): void {
    // Worst case: every byte a quote (doubled), two quotes and a comma per cell, the line end.
    const need = cells.reduce((a, c) => a + (c === null ? 0 : c.length * 2 + 2) + 1, 1);
    if (this.pos + need > this.out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.pos + need));
      this.out.copy(bigger, 0, 0, this.pos);
      this.out = bigger;
    }
    const out = this.out;
    let p = this.pos;
    for (const [i, cell] of cells.entries()) {
      if (i > 0) out[p++] = 0x2c;
      if (cell === null || cell.length === 0) continue;
      out[p++] = QUOTE;
      let from = 0;
      let q = cell.indexOf(QUOTE);
      while (q !== -1) {
        p += cell.copy(out, p, from, q + 1);
        out[p++] = QUOTE;
        from = q + 1;
        q = cell.indexOf(QUOTE, from);
      }
      p += cell.copy(out, p, from);
      out[p++] = QUOTE;
    }
    out[p++] = 0x0a;
    this.pos = p;
  }
}
