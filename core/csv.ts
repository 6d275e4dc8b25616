/**
 * CSV fields as RFC 4180 writes them, for the Node side (the demo's exports, files converted to CSV
 * for DuckDB to read). Line ends and byte-order marks are the writer's choice. Pure.
 */

const NEEDS_QUOTES = /[",\r\n]/;

/** A field, quoted only when it holds a comma, quote or line break; quotes doubled. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? '"' + value.replaceAll('"', '""') + '"' : value;
}

/** A field always quoted, quotes doubled: text a reader must take as text. */
export function csvQuoted(value: string): string {
  return '"' + value.replaceAll('"', '""') + '"';
}
