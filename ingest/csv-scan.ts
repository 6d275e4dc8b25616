/**
 * The careful CSV reader. DuckDB reads well-formed CSV fast, but one malformed row makes it fail the
 * whole file (or, for bytes that are not UTF-8 deep in a file, fail internally), and it skips blank
 * lines, which shifts every row number after them. For such files ARLens splits the rows itself:
 *
 * - RFC 4180 with the profile's delimiter: values in double quotes may hold delimiters, quotes ("")
 *   and line breaks; CRLF, LF and CR line ends may be mixed; a quote inside an unquoted value is text.
 * - Rows are numbered as a spreadsheet shows them: the header is row 1 (after any skipped title rows),
 *   a row with line breaks inside quotes is one row, a blank line is a row (with nothing to load).
 * - A row that cannot be read is set aside with a reason: a quote that is never closed or closes a
 *   value early, more or fewer values than the header has columns, a row longer than MAX_ROW_BYTES,
 *   bytes that are not text in the file's encoding. A quote problem spanning several lines sets
 *   aside only the first of them, and reading goes on from the next line, so one stray quote cannot
 *   swallow the good rows after it.
 * - Every readable row is written to a clean CSV (clean-csv.ts) with its row number.
 */
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { CleanCsvWriter, FileProblem, type RejectedRow } from './clean-csv.ts';
import { shownCut, shownValue } from './shown.ts';

/** Longest row ARLens reads, in bytes of its values (DuckDB's fast reader is held to the same). */
export const MAX_ROW_BYTES = 1024 * 1024;

export interface CsvScanOptions {
  /** File name, for messages. */
  readonly file: string;
  readonly delimiter: string;
  /** Title rows above the header. */
  readonly skipRows: number;
  /**
   * The encoding the file was exported in. For other than UTF-8 the input is ARLens's UTF-8
   * transcoding, in which bytes that were not valid in that encoding became U+FFFD.
   */
  readonly encoding: 'utf-8' | 'shift_jis' | 'windows-1252';
  /**
   * Column names DuckDB already gave this header, when it read it: written to the clean file instead
   * of the header's own text (same count), so the columns keep exactly the names they were checked by.
   */
  readonly names?: readonly string[];
}

export interface CsvScanResult {
  /** Rows written to the clean file. */
  readonly rows: number;
  readonly rejects: readonly RejectedRow[];
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const REPLACEMENT = Buffer.from('\uFFFD', 'utf8');
const EMPTY = Buffer.alloc(0);
/** Raw bytes of a row's first line kept for messages. */
const RAW_CAP = 4096;
/** Bytes kept from the start of a value that does not fit (for the message). */
const HEAD_CAP = 400;
const count = new Intl.NumberFormat('en-US');

// States of the splitter.
const SKIP_TITLE = 0;
const FIELD_START = 1;
const UNQUOTED = 2;
const QUOTED = 3;
const AFTER_QUOTE = 4;
const SKIP_LINE = 5;

type QuoteProblem = 'never_closed' | 'closed_early';

const QUOTE_REASON: Record<QuoteProblem, string> = {
  never_closed:
    'a double quote (") opens this value but never closes it, so the row cannot be split into columns: ' +
    'remove the stray quote (inside a quoted value, write it as "") and load the file again',
  closed_early:
    'a double quote (") ends this value before the end of the column, so the row cannot be split into ' +
    'columns: inside a quoted value, write a quote as "" and load the file again',
};

interface Field {
  /** Start and end of the value in the record buffer (valid while the record did not overflow). */
  readonly start: number;
  readonly end: number;
  readonly chars: number;
  /** The value's first bytes, when it started after the record overflowed. */
  readonly head: Buffer | null;
  readonly quoted: boolean;
}

/** Splits a byte stream into rows; `feed` returns an offset to start reading again from, if any. */
class Splitter {
  private readonly delim: Buffer;
  private readonly lookahead: number;
  private state: number;
  private skipLeft: number;
  /** Absolute offset of the first byte of the next buffer fed (after the carry). */
  private base = 0;
  private carry: Buffer = EMPTY;

  /** Row number of the record being read. */
  row: number;
  header: string[] | null = null;

  // The record being read.
  private rec = Buffer.allocUnsafe(MAX_ROW_BYTES);
  private recLen = 0;
  private overflow = false;
  private fields: Field[] = [];
  private fieldStart = 0;
  private fieldChars = 0;
  private fieldQuoted = false;
  private sideHead: Buffer | null = null;
  private sideHeadLen = 0;
  private consumed = 0;
  private raw = Buffer.allocUnsafe(RAW_CAP);
  private rawLen = 0;
  private rawChars = 0;
  private rawOpen = true;
  private firstLineEnd = -1;
  private problem: QuoteProblem | null = null;
  private problemField = 0;

  constructor(
    private readonly options: CsvScanOptions,
    private readonly onRecord: (s: Splitter) => number | undefined,
  ) {
    this.delim = Buffer.from(options.delimiter, 'utf8');
    this.lookahead = Math.max(1, this.delim.length - 1);
    this.skipLeft = options.skipRows;
    this.state = this.skipLeft > 0 ? SKIP_TITLE : FIELD_START;
    this.row = options.skipRows + 1;
  }

  /** Go on reading at `offset` (after a set-aside line), as a new row. */
  restart(offset: number): void {
    this.base = offset;
    this.carry = EMPTY;
    this.state = FIELD_START;
    this.resetRecord();
  }

  feed(chunk: Buffer, last: boolean): number | undefined {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const base = this.base;
    const n = buf.length;
    const stop = last ? n : n - this.lookahead;
    let i = 0;
    if (base === 0 && n >= 2) {
      if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
        throw new FileProblem(
          `${this.options.file}: the file is UTF-16 text; ARLens reads UTF-8, Shift_JIS and Windows-1252. ` +
            'Save it as "CSV UTF-8" and load it again.',
        );
      }
      if (n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    } else if (base === 0 && !last) {
      this.carry = Buffer.from(buf);
      return undefined;
    }
    const d0 = this.delim[0];
    const dlen = this.delim.length;
    for (; i < stop; i++) {
      const b = buf[i] as number;
      if (this.state === FIELD_START) {
        if (b === QUOTE) {
          this.state = QUOTED;
          this.fieldQuoted = true;
          this.rawByte(b);
          continue;
        }
        this.state = UNQUOTED; // and the byte is the value's first
      }
      switch (this.state) {
        case SKIP_TITLE:
          if (b === LF || b === CR) {
            if (b === CR && buf[i + 1] === LF) i++;
            if (--this.skipLeft === 0) {
              this.state = FIELD_START;
              this.resetRecord();
            }
          }
          continue;
        case UNQUOTED:
        case AFTER_QUOTE:
          if (b === d0 && (dlen === 1 || this.delimAt(buf, i))) {
            this.endField();
            for (let k = 0; k < dlen; k++) this.rawByte(buf[i + k] as number);
            i += dlen - 1;
            this.state = FIELD_START;
            continue;
          }
          if (b === LF || b === CR) {
            const len = b === CR && buf[i + 1] === LF ? 2 : 1;
            this.endField();
            const again = this.endRecord();
            i += len - 1;
            if (again !== undefined) return again;
            continue;
          }
          if (this.state === AFTER_QUOTE) {
            // A closing quote followed by more text: the quote closed the value early.
            const again = this.quoteProblem('closed_early', this.fields.length);
            if (again !== undefined) return again;
            this.rawByte(b);
            continue;
          }
          this.rawByte(b);
          this.addContent(b);
          continue;
        case QUOTED:
          if (b === QUOTE) {
            this.rawByte(b);
            if (buf[i + 1] === QUOTE) {
              i++;
              this.rawByte(QUOTE);
              this.addContent(QUOTE);
            } else {
              this.state = AFTER_QUOTE;
            }
            continue;
          }
          if ((b === LF || b === CR) && this.firstLineEnd < 0) {
            this.firstLineEnd = base + i + (b === CR && buf[i + 1] === LF ? 2 : 1);
            this.rawOpen = false;
          }
          this.rawByte(b);
          this.addContent(b);
          continue;
        case SKIP_LINE:
          if (b === LF || b === CR) {
            const len = b === CR && buf[i + 1] === LF ? 2 : 1;
            const again = this.endRecord();
            i += len - 1;
            if (again !== undefined) return again;
            continue;
          }
          this.rawByte(b);
          continue;
      }
    }
    this.carry = Buffer.from(buf.subarray(i));
    this.base = base + i;
    if (last) return this.finish();
    return undefined;
  }

  private delimAt(buf: Buffer, i: number): boolean {
    for (let k = 1; k < this.delim.length; k++) if (buf[i + k] !== this.delim[k]) return false;
    return true;
  }

  /** End of input. */
  private finish(): number | undefined {
    switch (this.state) {
      case SKIP_TITLE:
        throw new FileProblem(
          `${this.options.file}: the file ends before its header row (${this.options.skipRows} title row(s) ` +
            'are skipped, skip_rows in the profile). Check that this is the right file and profile.',
        );
      case FIELD_START:
        if (this.consumed === 0 && this.fields.length === 0) return this.noHeaderCheck();
        this.endField();
        return this.endRecord();
      case UNQUOTED:
      case AFTER_QUOTE:
        this.endField();
        return this.endRecord();
      case QUOTED:
        return this.quoteProblem('never_closed', this.fields.length) ?? this.endRecord();
      case SKIP_LINE:
        return this.endRecord();
    }
    return undefined;
  }

  private noHeaderCheck(): undefined {
    if (this.header === null) {
      throw new FileProblem(`${this.options.file}: the file is empty (no header row). Export it again.`);
    }
    return undefined;
  }

  /** A quote problem in field `field`: set aside the row's first line, or the rest of this line. */
  private quoteProblem(problem: QuoteProblem, field: number): number | undefined {
    if (this.header === null) {
      throw new FileProblem(
        `${this.options.file}: the header (row ${this.row}) cannot be split into columns: ` +
          (problem === 'never_closed'
            ? 'a double quote (") in it is never closed. '
            : 'a double quote (") in it closes a name early. ') +
          'Check that this is a CSV export, its delimiter (--delimiter) and the title rows above the ' +
          'header (skip_rows in the profile).',
      );
    }
    this.problem = problem;
    this.problemField = field;
    if (this.firstLineEnd >= 0) {
      // The quote ran over line breaks: only the first line is set aside; the next is read afresh.
      const at = this.firstLineEnd;
      this.reject(this.lineReject());
      this.row++;
      return at;
    }
    this.state = SKIP_LINE;
    return undefined;
  }

  private addContent(b: number): void {
    if (!this.overflow) {
      if (this.recLen < MAX_ROW_BYTES) this.rec[this.recLen++] = b;
      else {
        this.overflow = true;
        if (this.fieldStart >= MAX_ROW_BYTES) this.startSideHead();
      }
    }
    if (this.sideHead !== null && this.sideHeadLen < HEAD_CAP) this.sideHead[this.sideHeadLen++] = b;
    if ((b & 0xc0) !== 0x80) this.fieldChars++;
  }

  /** Every byte of the input a record consumes passes here once. */
  private rawByte(b: number): void {
    this.consumed++;
    if (!this.rawOpen) return;
    if (this.rawLen < RAW_CAP) this.raw[this.rawLen++] = b;
    if ((b & 0xc0) !== 0x80) this.rawChars++;
  }

  private startSideHead(): void {
    this.sideHead = Buffer.allocUnsafe(HEAD_CAP);
    this.sideHeadLen = 0;
  }

  private endField(): void {
    this.fields.push({
      start: this.fieldStart,
      end: this.recLen,
      chars: this.fieldChars,
      head: this.sideHead === null ? null : this.sideHead.subarray(0, this.sideHeadLen),
      quoted: this.fieldQuoted,
    });
    this.fieldStart = this.recLen;
    this.fieldChars = 0;
    this.fieldQuoted = false;
    this.sideHead = null;
    if (this.overflow) this.startSideHead();
  }

  private resetRecord(): void {
    this.recLen = 0;
    this.overflow = false;
    this.fields = [];
    this.fieldStart = 0;
    this.fieldChars = 0;
    this.fieldQuoted = false;
    this.sideHead = null;
    this.consumed = 0;
    this.rawLen = 0;
    this.rawChars = 0;
    this.rawOpen = true;
    this.firstLineEnd = -1;
    this.problem = null;
  }

  /** The record ended (at its line break or the end of the file). */
  private endRecord(): number | undefined {
    const again = this.onRecord(this);
    this.row++;
    this.state = FIELD_START;
    this.resetRecord();
    return again;
  }

  // ---- what the record handler reads ----

  get isBlank(): boolean {
    return this.fields.length === 1 && this.consumed === 0;
  }
  get quoteTrouble(): QuoteProblem | null {
    return this.problem;
  }
  get spansLines(): number {
    return this.firstLineEnd;
  }
  get tooLong(): boolean {
    return this.overflow;
  }
  get fieldCount(): number {
    return this.fields.length;
  }
  value(i: number): Buffer {
    const f = this.fields[i];
    return f === undefined ? EMPTY : this.rec.subarray(f.start, f.end);
  }
  text(i: number): string {
    return this.value(i).toString('utf8');
  }
  /** The row's first line as read (for messages), cut when long. */
  firstLine(): string {
    const text = this.raw.subarray(0, this.rawLen).toString('utf8');
    return this.rawChars > 200 ? shownCut(text, this.rawChars) : text;
  }
  /** The longest value: its index, and how it is shown (cut, with its length). */
  longest(): { index: number; shown: string; chars: number } {
    let index = 0;
    for (const [i, f] of this.fields.entries()) if (f.chars > (this.fields[index]?.chars ?? 0)) index = i;
    const f = this.fields[index];
    if (f === undefined) return { index: 0, shown: '', chars: 0 };
    const head = f.head ?? this.rec.subarray(f.start, Math.min(f.start + HEAD_CAP, this.recLen));
    return { index, shown: shownCut(head.toString('utf8'), f.chars), chars: f.chars };
  }

  lineReject(): RejectedRow {
    const column = this.header?.[this.problemField] ?? '';
    const line = this.firstLine();
    return {
      row: this.row,
      column,
      code: 'unmatched_quote',
      reason: QUOTE_REASON[this.problem ?? 'never_closed'],
      value: line,
      values: JSON.stringify({ line }),
    };
  }

  readonly rejects: RejectedRow[] = [];
  reject(r: RejectedRow): void {
    this.rejects.push(r);
  }
}

/**
 * Read `input` (UTF-8, or ARLens's UTF-8 transcoding of the original) row by row; write the readable
 * rows to `output` (clean-csv.ts) and return the others. Throws FileProblem when the file as a whole
 * cannot be read (no header, a header that cannot be split, UTF-16).
 */
export async function scanCsv(
  input: string,
  output: string,
  options: CsvScanOptions,
): Promise<CsvScanResult> {
  const writer = await CleanCsvWriter.create(output);
  try {
    const splitter = new Splitter(options, (s) => onRecord(s, writer, options));
    let offset = 0;
    for (;;) {
      let again: number | undefined;
      const stream = createReadStream(input, { start: offset, highWaterMark: 1024 * 1024 });
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          again = splitter.feed(chunk, false);
          if (again !== undefined) break;
          await writer.drain();
        }
      } finally {
        stream.destroy();
      }
      if (again === undefined) again = splitter.feed(EMPTY, true);
      if (again === undefined || again < 0) break;
      offset = again;
      splitter.restart(offset);
    }
    return { rows: writer.count, rejects: splitter.rejects };
  } finally {
    await writer.close();
  }
}

function onRecord(s: Splitter, writer: CleanCsvWriter, options: CsvScanOptions): number | undefined {
  if (s.header === null) {
    if (s.tooLong) {
      throw new FileProblem(
        `${options.file}: the header (row ${s.row}) is longer than ${count.format(MAX_ROW_BYTES)} bytes: ` +
          'this does not look like a CSV export. Check that this is the right file.',
      );
    }
    if (s.isBlank) {
      throw new FileProblem(
        `${options.file}: the header row (row ${s.row}) is empty; ARLens expects the column names there. ` +
          'Remove blank rows above them, or set skip_rows in the profile.',
      );
    }
    const names: string[] = [];
    for (let i = 0; i < s.fieldCount; i++) {
      if (options.encoding === 'utf-8' && !isUtf8(s.value(i))) {
        throw new FileProblem(
          `${options.file}: the header (row ${s.row}) is not UTF-8 text. If the file is in another encoding, ` +
            'load it with --encoding windows-1252 or --encoding shift_jis; otherwise export it again as UTF-8.',
        );
      }
      names.push(s.text(i));
    }
    // DuckDB trims header names; messages and the clean file use the names the columns are known by.
    s.header = options.names?.length === names.length ? [...options.names] : names.map((n) => n.trim());
    writer.header(s.header);
    return undefined;
  }
  const header = s.header;
  if (s.quoteTrouble !== null) {
    s.reject(s.lineReject());
    return undefined;
  }
  if (s.isBlank) return undefined; // a blank line: a row with nothing to load
  if (s.tooLong) {
    const { index, shown, chars } = s.longest();
    s.reject({
      row: s.row,
      column: header[index] ?? '',
      code: 'too_long',
      reason:
        `the value is ${count.format(chars)} characters long; ARLens reads rows of up to ` +
        `${count.format(MAX_ROW_BYTES)} bytes: check that this is the right file, and shorten the value in the ERP`,
      value: shown,
      values: JSON.stringify({ [header[index] ?? 'line']: shown }),
    });
    return undefined;
  }
  const n = s.fieldCount;
  const h = header.length;
  let fits = n === h;
  // Missing values at the end under unnamed columns, or extra empty values at the end, are harmless.
  if (n < h) fits = header.slice(n).every((name) => name === '');
  if (n > h) fits = Array.from({ length: n - h }, (_, k) => s.value(h + k).length === 0).every(Boolean);
  if (!fits) {
    const again = s.spansLines;
    const line = s.firstLine();
    s.reject({
      row: s.row,
      column: '',
      code: 'column_count',
      reason:
        n > h
          ? `the row has ${count.format(n)} values but the header has ${count.format(h)} columns: a value ` +
            `containing '${options.delimiter}' must be in double quotes; if every row looks like this, check ` +
            'the delimiter (--delimiter)'
          : `the row has ${count.format(n)} values but the header has ${count.format(h)} columns (cut off, or a ` +
            'line break inside a value that is not in double quotes): correct the export and load the file again',
      value: line,
      values: JSON.stringify({ line }),
    });
    // A row spanning lines through a quoted value may be a stray quote pairing with a later one:
    // set aside only its first line and read on from the next.
    return again >= 0 ? again : undefined;
  }
  for (let i = 0; i < Math.min(n, h); i++) {
    const v = s.value(i);
    const bad = options.encoding === 'utf-8' ? !isUtf8(v) : v.includes(REPLACEMENT);
    if (!bad) continue;
    const values: Record<string, string> = {};
    for (let k = 0; k < Math.min(n, h); k++) values[header[k] ?? `${k}`] = shownValue(s.text(k));
    s.reject({
      row: s.row,
      column: header[i] ?? '',
      code: 'bad_encoding',
      reason:
        options.encoding === 'utf-8'
          ? 'not valid UTF-8 text (bytes shown as \uFFFD): if the file is in another encoding, load it with ' +
            '--encoding windows-1252 or --encoding shift_jis; otherwise export it again as UTF-8'
          : `contains bytes that are not valid ${options.encoding} text (shown as \uFFFD): check the file's ` +
            'encoding (--encoding utf-8, shift_jis or windows-1252)',
      value: shownValue(s.text(i)),
      values: JSON.stringify(values),
    });
    return undefined;
  }
  writer.row(
    s.row,
    Array.from({ length: h }, (_, i) => (i < n ? s.value(i) : null)),
  );
  return undefined;
}
