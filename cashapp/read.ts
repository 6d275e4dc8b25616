/**
 * One door for every statement format: detect it from the content (camt's namespace, MT940's `:20:`
 * field, otherwise CSV through a profile) and read it. Pure.
 */
import { parseCamt } from './camt.ts';
import { CSV_PROFILES, CsvProfileSchema, parseCsvStatement, type CsvProfile } from './csv.ts';
import { parseMt940 } from './mt940.ts';
import { StatementError, type ParsedStatement, type StatementFormat } from './statement.ts';

/** Statement files above this size are refused (a year of a busy account is a few MB). */
export const MAX_STATEMENT_BYTES = 50 * 1024 * 1024;

export function detectFormat(text: string): StatementFormat {
  const head = text.slice(0, 4000);
  if (/^\s*(<\?xml|<)/.test(head) && /camt\.054/.test(head)) return 'camt.054';
  if (/^\s*(<\?xml|<)/.test(head)) return 'camt.053';
  if (/(^|\n|\{4:\r?\n?):20:/.test(head)) return 'mt940';
  return 'csv';
}

export function csvProfile(name: string | undefined, custom?: unknown): CsvProfile {
  if (custom !== undefined) {
    const parsed = CsvProfileSchema.safeParse(custom);
    if (!parsed.success) {
      throw new StatementError(`CSV profile: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    }
    return parsed.data;
  }
  const key = name ?? 'arlens';
  if (!Object.hasOwn(CSV_PROFILES, key)) {
    throw new StatementError(
      `unknown CSV profile ${JSON.stringify(key.slice(0, 40))}; built in: ${Object.keys(CSV_PROFILES).join(', ')}`,
    );
  }
  return CSV_PROFILES[key]!;
}

export interface ReadOptions {
  readonly fileName?: string;
  readonly format?: StatementFormat;
  readonly csvProfile?: CsvProfile;
}

export function readStatement(bytes: Uint8Array, o: ReadOptions = {}): ParsedStatement {
  if (bytes.byteLength === 0) throw new StatementError('the statement file is empty');
  if (bytes.byteLength > MAX_STATEMENT_BYTES) {
    throw new StatementError(`the statement file is larger than ${MAX_STATEMENT_BYTES / 1024 / 1024} MB`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // MT940 and older CSV exports are often Latin-1.
    text = new TextDecoder('latin1').decode(bytes);
  }
  const format = o.format ?? detectFormat(text);
  switch (format) {
    case 'camt.053':
    case 'camt.054':
      return parseCamt(text);
    case 'mt940':
      return parseMt940(text);
    case 'csv':
      return parseCsvStatement(text, o.csvProfile ?? CSV_PROFILES['arlens']!, o.fileName);
  }
}
