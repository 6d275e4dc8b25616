/**
 * The demo's CSV files: one `<entity>.csv` per contract entity, header and column order taken from the
 * contract, every field RFC 4180-quoted when it needs it, UTF-8 without BOM, `\n` line ends. Rows are
 * typed from the contract (`Row<E>`): each row is an object keyed by the entity's field names, so a
 * field the contract renames, adds or removes is a compile error where the row is built (once the
 * contract's field names are literal types) and, in any case, an error on the first row written.
 * Also the text of the values: money from minor units, document numbers, dates (cached).
 */
import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { CONTRACT, ENTITY_NAMES, type EntityName, type FieldName, type FieldSpec } from '../contract.ts';
import { formatDay } from '../../core/calendar.ts';
import { csvField } from '../../core/csv.ts';

export type { FieldName };
/** One row of an entity's file: every contract field, as unquoted text ('' when empty). */
export type Row<E extends EntityName> = Readonly<Record<FieldName<E>, string>>;

const CHUNK_BYTES = 1024 * 1024;

/**
 * One CSV file. Rows are encoded straight into a 1 MB buffer (so row strings die young and the heap
 * stays small), full buffers are handed to the file stream, and `drain()` waits while the stream is
 * behind (backpressure).
 */
export class CsvSink<E extends EntityName> {
  count = 0;
  private readonly columns: readonly FieldName<E>[];
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private readonly stream: WriteStream;
  private error: Error | undefined;

  constructor(
    dir: string,
    readonly entity: E,
  ) {
    const fields: readonly FieldSpec[] = CONTRACT[entity].fields;
    this.columns = fields.map((f) => f.name as FieldName<E>);
    this.stream = createWriteStream(join(dir, `${entity}.csv`), { highWaterMark: 4 * CHUNK_BYTES });
    this.stream.on('error', (e) => (this.error = e));
    this.line(this.columns.join(','));
  }

  /** Write one row, its fields in contract order. */
  row(values: Row<E>): void {
    if (this.count === 0) this.checkFields(values);
    const cols = this.columns;
    let line = '';
    for (let i = 0; i < cols.length; i++) {
      const v = values[cols[i] as FieldName<E>];
      if (v === undefined) throw this.outOfDate(values);
      line += i === 0 ? csvField(v) : ',' + csvField(v);
    }
    this.line(line);
    this.count++;
  }

  private checkFields(values: Row<E>): void {
    const names = Object.keys(values);
    if (names.length !== this.columns.length || names.some((n) => !this.columns.includes(n as FieldName<E>)))
      throw this.outOfDate(values);
  }

  private outOfDate(values: Row<E>): Error {
    return new Error(
      `Demo generator is out of date with the contract for ${this.entity}: ` +
        `writes ${Object.keys(values).join(',')} but the contract has ${this.columns.join(',')}.`,
    );
  }

  private line(line: string): void {
    const worst = line.length * 3 + 1; // UTF-8 bytes per UTF-16 unit ≤ 3
    if (this.pos + worst > CHUNK_BYTES) {
      this.handOff();
      if (worst > CHUNK_BYTES) {
        this.stream.write(line + '\n');
        return;
      }
    }
    this.pos += this.chunk.write(line, this.pos);
    this.chunk[this.pos++] = 10;
  }

  private handOff(): void {
    if (this.pos === 0) return;
    this.stream.write(this.chunk.subarray(0, this.pos));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
  }

  /** Wait while the file stream holds more than its high-water mark. */
  async drain(): Promise<void> {
    if (this.error) throw this.error;
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.handOff();
    this.stream.end();
    await finished(this.stream);
    if (this.error) throw this.error;
  }

  destroy(): void {
    this.stream.destroy();
  }
}

/** One sink per entity. */
export type Sinks = { readonly [E in EntityName]: CsvSink<E> };

/** Every entity's file, opened together, drained, closed or destroyed together. */
export class DemoFiles {
  readonly sinks: Sinks;
  private readonly opened: CsvSink<EntityName>[] = [];

  /** Creates `dir` if missing; on failure closes what it opened. */
  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    const sinks: Partial<Record<EntityName, CsvSink<EntityName>>> = {};
    try {
      for (const e of ENTITY_NAMES) {
        const sink = new CsvSink(dir, e);
        sinks[e] = sink;
        this.opened.push(sink);
      }
    } catch (err) {
      this.destroy();
      throw err;
    }
    this.sinks = sinks as Sinks;
  }

  async drain(): Promise<void> {
    for (const s of this.opened) await s.drain();
  }

  async close(): Promise<void> {
    for (const s of this.opened) await s.close();
  }

  destroy(): void {
    for (const s of this.opened) s.destroy();
  }

  /** Rows written per entity (header excluded). */
  counts(): Record<EntityName, number> {
    const counts = {} as Record<EntityName, number>;
    for (const e of ENTITY_NAMES) counts[e] = this.sinks[e].count;
    return counts;
  }
}

/** Minor units (cents) to a decimal string with exactly two fraction digits. */
export function money(cents: number): string {
  const units = Math.floor(cents / 100);
  const rest = cents - units * 100;
  return units + (rest < 10 ? '.0' : '.') + rest;
}

/** A document number: prefix and zero-padded counter, e.g. INV-0000042. */
export const docId = (prefix: string, n: number, width: number): string =>
  prefix + String(n).padStart(width, '0');

/** 'YYYY-MM-DD' of day numbers, cached over [from, to] (the history and its margins). */
export function dateText(from: number, to: number): (day: number) => string {
  const cache: string[] = [];
  for (let d = from; d <= to; d++) cache.push(formatDay(d));
  return (d) => cache[d - from] ?? formatDay(d);
}
