/**
 * How a value from an export is shown in a message or a quarantine record: whole up to 200
 * characters, otherwise its first 80 characters and its length ("xxxx… (52,428,800 characters)").
 * A 50 MB field never ends up in a message, a log line or a quarantine row.
 */

/** Values up to this many characters are shown whole. */
export const SHOWN_WHOLE = 200;
/** Characters kept from the start of a longer value. */
export const SHOWN_HEAD = 80;

const count = new Intl.NumberFormat('en-US');

/** `head` (the value's first characters; more than SHOWN_HEAD is fine) of a value `length` characters long. */
export function shownCut(head: string, length: number): string {
  return `${Array.from(head).slice(0, SHOWN_HEAD).join('')}… (${count.format(length)} characters)`;
}

/** Unicode code points in `s` (what DuckDB's length() counts). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // a low surrogate completes a pair already counted
  }
  return n;
}

/** A value as it is shown: whole, or cut with its length. */
export function shownValue(value: string): string {
  const length = codePoints(value);
  return length <= SHOWN_WHOLE ? value : shownCut(value.slice(0, SHOWN_HEAD * 2), length);
}

/** The same in SQL, for a VARCHAR expression (DuckDB's length() counts code points too). */
export function shownSql(expr: string): string {
  return `CASE WHEN length(${expr}) > ${SHOWN_WHOLE} THEN left(${expr}, ${SHOWN_HEAD}) || '… (' || format('{:,}', length(${expr})) || ' characters)' ELSE ${expr} END`;
}
