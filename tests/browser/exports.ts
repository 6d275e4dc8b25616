/**
 * Rewriting the demo exports before they are loaded, for browser tests that need data the demo does
 * not generate (hostile values, empty optional fields, unapplied cash, missing FX rates).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { csvField } from '../../core/csv.ts';

/** RFC 4180 records of a CSV text (quoted fields may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Rewrite one export: `edit` changes a record's fields in place (keyed by column name); `extra` rows are added. */
export async function rewrite(
  dir: string,
  file: string,
  edit: (r: Record<string, string>, index: number) => void,
  extra: Record<string, string>[] = [],
): Promise<void> {
  const path = join(dir, file);
  const [header, ...records] = parseCsv(await fs.readFile(path, 'utf8'));
  const rows = records.map((values, index) => {
    const r = Object.fromEntries(header!.map((h, i) => [h, values[i] ?? '']));
    edit(r, index);
    return r;
  });
  rows.push(...extra);
  const lines = [header!.join(','), ...rows.map((r) => header!.map((h) => csvField(r[h] ?? '')).join(','))];
  await fs.writeFile(path, `${lines.join('\n')}\n`);
}
