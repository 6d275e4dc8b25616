/**
 * JSON exports, read by ARLens itself: an array of objects (`[{…}, {…}]`), one object per line
 * (NDJSON), or objects one after another. Each record's keys are columns; every value becomes its
 * plain text, whatever its JSON type, so a column mixing `100.5` and `"100.50"` reads as 100.5 and
 * 100.50 (never with the quotes), and a number keeps its exact digits (`1234567890123456.78` is not
 * rounded through a binary float). Nested objects and arrays are kept as JSON text. A record that is
 * not a valid JSON object is set aside with its row (the first record is row 2, as if the keys were a
 * header row); every other record loads. The records go to a clean CSV (clean-csv.ts) for DuckDB.
 */
import { createReadStream, promises as fs } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { extname } from 'node:path';
import { CleanCsvWriter, FileProblem, type RejectedRow } from './clean-csv.ts';
import { MAX_ROW_BYTES } from './csv-scan.ts';
import { shownCut, shownValue } from './shown.ts';

export interface JsonReadResult {
  readonly rows: number;
  readonly rejects: readonly RejectedRow[];
}

type Mode = 'array' | 'lines' | 'objects';

interface Piece {
  /** Row as numbered for the user: record n is row n + 1. */
  readonly row: number;
  /** The record's text, or null when it is longer than MAX_ROW_BYTES. */
  readonly bytes: Buffer | null;
  /** Length in characters and first bytes, for a record that is too long. */
  readonly chars: number;
  readonly head: Buffer;
  /** The file ended inside this record. */
  readonly cut: boolean;
}

const count = new Intl.NumberFormat('en-US');
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const HEAD_CAP = 400;

/** A JSON number with the digits as written. */
class RawNumber {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    const raw = (JSON as unknown as { rawJSON?: (text: string) => unknown }).rawJSON;
    return raw ? raw(this.text) : Number(this.text);
  }
}

type SourceReviver = (key: string, value: unknown, context?: { source?: string }) => unknown;
const parseWithSource = JSON.parse as (text: string, reviver: SourceReviver) => unknown;

function parseRecord(text: string): unknown {
  return parseWithSource(text, (_key, value, context) =>
    typeof value === 'number' && context?.source !== undefined ? new RawNumber(context.source) : value,
  );
}

function plainText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (value instanceof RawNumber) return value.text;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

async function detectMode(path: string, file: string): Promise<{ mode: Mode; start: number }> {
  const handle = await fs.open(path, 'r');
  try {
    const probe = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(probe, 0, probe.length, 0);
    const head = probe.subarray(0, bytesRead);
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
      throw new FileProblem(
        `${file}: the file is UTF-16 text; ARLens reads JSON as UTF-8. Save it as UTF-8 and load it again.`,
      );
    }
    let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    const start = i;
    while (i < head.length && WS.has(head[i] as number)) i++;
    if (i >= head.length) {
      if (bytesRead < probe.length)
        throw new FileProblem(`${file}: the file is empty (no records). Export it again.`);
      throw new FileProblem(`${file}: the file starts with 64 KB of blank space; this is not a JSON export.`);
    }
    if (head[i] === 0x5b) return { mode: 'array', start };
    if (head[i] !== 0x7b) {
      throw new FileProblem(
        `${file}: ARLens reads an array of objects or one object per line, and this file is neither. Export it again.`,
      );
    }
    if (['.ndjson', '.jsonl'].includes(extname(path).toLowerCase())) return { mode: 'lines', start };
    // One object per line if the first line is a whole object; otherwise objects spanning lines.
    const nl = head.indexOf(0x0a, i);
    const firstLine = head.subarray(i, nl === -1 ? head.length : nl).toString('utf8');
    try {
      parseRecord(firstLine);
      return { mode: 'lines', start };
    } catch {
      return { mode: 'objects', start };
    }
  } finally {
    await handle.close();
  }
}

/** The records of the file, one piece of text each, in order. */
async function* pieces(path: string, file: string, mode: Mode, start: number): AsyncGenerator<Piece> {
  let row = 1;
  // The record being collected.
  let rec = Buffer.allocUnsafe(64 * 1024);
  let len = 0;
  let chars = 0;
  let over = false;
  let head = Buffer.allocUnsafe(HEAD_CAP);
  let headLen = 0;
  let inRecord = false;
  let depth = 0;
  let inString = false;
  let escape = false;
  let scalar = false;
  // Array mode: before '[', between records, after ']'.
  let phase: 'before' | 'between' | 'after' = mode === 'array' ? 'before' : 'between';

  const add = (b: number) => {
    if (!over) {
      if (len >= MAX_ROW_BYTES) over = true;
      else {
        if (len === rec.length) {
          const bigger = Buffer.allocUnsafe(Math.min(rec.length * 2, MAX_ROW_BYTES));
          rec.copy(bigger, 0, 0, len);
          rec = bigger;
        }
        rec[len++] = b;
      }
    }
    if (headLen < HEAD_CAP) head[headLen++] = b;
    if ((b & 0xc0) !== 0x80) chars++;
  };
  const take = (cut: boolean): Piece => {
    row++;
    const piece: Piece = {
      row,
      bytes: over ? null : Buffer.from(rec.subarray(0, len)),
      chars,
      head: Buffer.from(head.subarray(0, headLen)),
      cut,
    };
    len = 0;
    chars = 0;
    over = false;
    headLen = 0;
    head = Buffer.allocUnsafe(HEAD_CAP);
    inRecord = false;
    depth = 0;
    inString = false;
    escape = false;
    scalar = false;
    return piece;
  };

  const stream = createReadStream(path, { start, highWaterMark: 1024 * 1024 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const out: Piece[] = [];
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i] as number;
        if (mode === 'lines') {
          if (b === 0x0a) {
            if (inRecord) out.push(take(false));
            continue;
          }
          if (!inRecord) {
            if (WS.has(b)) continue;
            inRecord = true;
          }
          if (b !== 0x0d) add(b);
          continue;
        }
        if (!inRecord) {
          if (WS.has(b)) continue;
          if (phase === 'before') {
            if (b !== 0x5b) throw new FileProblem(`${file}: not a JSON array. Export it again.`);
            phase = 'between';
            continue;
          }
          if (phase === 'after') {
            throw new FileProblem(
              `${file}: there is more text after the end of the JSON array (after row ${row}). Export the file again.`,
            );
          }
          if (mode === 'array' && b === 0x2c) continue;
          if (mode === 'array' && b === 0x5d) {
            phase = 'after';
            continue;
          }
          inRecord = true;
          scalar = b !== 0x7b && b !== 0x5b;
        }
        if (inString) {
          add(b);
          if (escape) escape = false;
          else if (b === 0x5c) escape = true;
          else if (b === 0x22) inString = false;
          continue;
        }
        if (scalar) {
          // Something other than an object or array: up to the next separator.
          if ((mode === 'array' && (b === 0x2c || b === 0x5d)) || (mode === 'objects' && b === 0x0a)) {
            out.push(take(false));
            if (b === 0x5d) phase = 'after';
            continue;
          }
          if (b === 0x22) inString = true;
          add(b);
          continue;
        }
        add(b);
        if (b === 0x22) inString = true;
        else if (b === 0x7b || b === 0x5b) depth++;
        else if (b === 0x7d || b === 0x5d) {
          depth--;
          if (depth === 0) out.push(take(false));
        }
      }
      for (const p of out) yield p;
    }
  } finally {
    stream.destroy();
  }
  if (inRecord) yield take(mode !== 'lines' && !(scalar && mode === 'objects'));
  else if (mode === 'array' && phase !== 'after') {
    // The array never closes: the export was cut off between two records.
    yield { row: row + 1, bytes: null, chars: 0, head: Buffer.alloc(0), cut: true };
  }
}

const REASONS = {
  bad_json: 'not valid JSON: correct the record in the export and load the file again',
  not_object:
    'not a JSON object ({"column": value, …}): correct the record in the export and load the file again',
  cut: 'the file ends inside this record (the export was cut off?): export the file again',
  cut_between:
    'the file ends without closing the JSON array (the export was cut off?): export the file again',
  bad_encoding:
    'not valid UTF-8 text (bytes shown as \uFFFD): JSON files are UTF-8; export the file again as UTF-8',
} as const;

/** Read a JSON export into `output` (clean-csv.ts): readable records with their rows, the rest set aside. */
export async function jsonToCsv(input: string, output: string, file: string): Promise<JsonReadResult> {
  const { mode, start } = await detectMode(input, file);
  // Pass 1: the columns, in the order keys first appear.
  const keys = new Map<string, number>();
  for await (const piece of pieces(input, file, mode, start)) {
    const record = readPiece(piece);
    if ('object' in record)
      for (const k of Object.keys(record.object)) if (!keys.has(k)) keys.set(k, keys.size);
  }
  // Pass 2: the rows.
  const columns = [...keys.keys()];
  const writer = await CleanCsvWriter.create(output);
  const rejects: RejectedRow[] = [];
  try {
    writer.header(columns);
    for await (const piece of pieces(input, file, mode, start)) {
      const record = readPiece(piece);
      if ('object' in record) {
        writer.row(
          piece.row,
          columns.map((c) => plainText(record.object[c])),
        );
        await writer.drain();
      } else rejects.push(record.reject);
    }
  } finally {
    await writer.close();
  }
  return { rows: writer.count, rejects };
}

function readPiece(piece: Piece): { object: Record<string, unknown> } | { reject: RejectedRow } {
  const reject = (code: string, reason: string, value: string | null): { reject: RejectedRow } => ({
    reject: { row: piece.row, column: '', code, reason, value, values: JSON.stringify({ record: value }) },
  });
  if (piece.bytes === null) {
    if (piece.cut && piece.chars === 0) return reject('bad_json', REASONS.cut_between, null);
    const shown = shownCut(piece.head.toString('utf8'), piece.chars);
    if (piece.cut) return reject('bad_json', REASONS.cut, shown);
    return reject(
      'too_long',
      `the record is ${count.format(piece.chars)} characters long; ARLens reads records of up to ` +
        `${count.format(MAX_ROW_BYTES)} bytes: check that this is the right file, and shorten the value in the ERP`,
      shown,
    );
  }
  const text = piece.bytes.toString('utf8');
  if (!isUtf8(piece.bytes)) return reject('bad_encoding', REASONS.bad_encoding, shownValue(text));
  if (piece.cut) return reject('bad_json', REASONS.cut, shownValue(text));
  let value: unknown;
  try {
    value = parseRecord(text);
  } catch {
    return reject('bad_json', REASONS.bad_json, shownValue(text));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof RawNumber) {
    return reject('bad_json', REASONS.not_object, shownValue(text));
  }
  return { object: value as Record<string, unknown> };
}
