import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileProblem } from './clean-csv.ts';
import { MAX_ROW_BYTES, scanCsv, type CsvScanOptions } from './csv-scan.ts';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'arlens-csv-scan-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Scan `input`; return the clean file's lines and the rejects as [row, column, code, value]. */
async function scan(input: string | Buffer, options: Partial<CsvScanOptions> = {}) {
  const inPath = join(dir, 'in.csv');
  const outPath = join(dir, 'out.csv');
  await fs.writeFile(inPath, input);
  const result = await scanCsv(inPath, outPath, {
    file: 'in.csv',
    delimiter: ',',
    skipRows: 0,
    encoding: 'utf-8',
    ...options,
  });
  const lines = (await fs.readFile(outPath, 'utf8')).split('\n').slice(0, -1);
  return {
    rows: result.rows,
    lines,
    rejects: result.rejects.map((r) => [r.row, r.column, r.code, r.value]),
  };
}

/** The clean file's header line for an input whose header is its first line. */
const header = (input: string) =>
  [...(input.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)[0] ?? '').split(','), '__arlens_row']
    .map((name) => (name === '' ? '' : `"${name}"`))
    .join(',');

describe('the careful CSV reader', () => {
  it.each([
    ['plain rows', 'a,b\n1,x\n2,"y,z"\n', ['"1","x","2"', '"2","y,z","3"'], []],
    ['escaped quotes', 'a,b\n1,"say ""hi"""\n', ['"1","say ""hi""","2"'], []],
    ['a quote inside an unquoted value is text', 'a,b\n1,5" screen\n', ['"1","5"" screen","2"'], []],
    [
      'CR, LF and CRLF mixed',
      'a,b\r1,x\n2,"p\r\nq"\r\n3,z',
      ['"1","x","2"', '"2","p\r', 'q","3"', '"3","z","4"'],
      [],
    ],
    ['a blank line is a row with nothing in it', 'a,b\n1,x\n\n\r\n4,y\n', ['"1","x","2"', '"4","y","5"'], []],
    ['byte-order mark at the start', '\uFEFFa,b\n1,x\n', ['"1","x","2"'], []],
    ['empty values read as no value', 'a,b,c\n1,,""\n', ['"1",,,"2"'], []],
    ['trailing empty values beyond the header', 'a,b\n1,x,,\n', ['"1","x","2"'], []],
    ['missing values under unnamed columns', 'a,b,\n1,x\n', ['"1","x",,"2"'], []],
    [
      'a quote never closed: only its line is set aside',
      'a,b\n1,"x\n2,y\n3,z\n',
      ['"2","y","3"', '"3","z","4"'],
      [[2, 'b', 'unmatched_quote', '1,"x']],
    ],
    [
      'a stray quote pairing with a later one: only its first line is set aside',
      'a,b\n1,"oops\n2,y\n3,"z"\n4,w\n',
      ['"2","y","3"', '"3","z","4"', '"4","w","5"'],
      [[2, 'b', 'unmatched_quote', '1,"oops']],
    ],
    [
      'a quote closing a value early',
      'a,b\n1,"5" in\n2,y\n',
      ['"2","y","3"'],
      [[2, 'b', 'unmatched_quote', '1,"5" in']],
    ],
    [
      'too many and too few values',
      'a,b\n1,x,y\n2\n3,z\n',
      ['"3","z","4"'],
      [
        [2, '', 'column_count', '1,x,y'],
        [3, '', 'column_count', '2'],
      ],
    ],
  ])('%s', async (_label, input, lines, rejects) => {
    const out = await scan(input);
    expect(out.lines).toEqual([header(input), ...lines]);
    expect(out.rejects).toEqual(rejects);
  });

  it('other delimiters, title rows above the header', async () => {
    expect((await scan('T\n\nA\tB\n1\t2\n', { delimiter: '\t', skipRows: 2 })).lines).toEqual([
      '"A","B","__arlens_row"',
      '"1","2","4"',
    ]);
    expect((await scan('a||b\n1||x|y\n', { delimiter: '||' })).lines).toEqual([
      '"a","b","__arlens_row"',
      '"1","x|y","2"',
    ]);
  });

  it('reads across chunk boundaries: an escaped quote and a CRLF split between two reads', async () => {
    const head = 'a,b\n1,"';
    // The escaped quote's first half is the last byte of the first 1 MiB chunk.
    const fill = 'x'.repeat(1024 * 1024 - head.length - 1);
    const input = `${head}${fill}""y"\r\n2,z\r\n`;
    const out = await scan(input);
    expect(out.rejects).toEqual([]);
    expect(out.lines[1]).toBe(`"1","${fill}""y","2"`);
    expect(out.lines[2]).toBe('"2","z","3"');
  });

  it('a row longer than MAX_ROW_BYTES is set aside, shown cut with its length', async () => {
    const big = 'é'.repeat(MAX_ROW_BYTES); // 2 bytes each
    const out = await scan(`a,b\n1,${big}\n2,y\n`);
    expect(out.lines.slice(1)).toEqual(['"2","y","3"']);
    expect(out.rejects).toEqual([[2, 'b', 'too_long', `${'é'.repeat(80)}… (1,048,576 characters)`]]);
  });

  it('bytes that are not text in the encoding', async () => {
    const bad = Buffer.concat([Buffer.from('a,b\n1,M'), Buffer.from([0xfc]), Buffer.from('ller\n2,y\n')]);
    expect((await scan(bad)).rejects).toEqual([[2, 'b', 'bad_encoding', 'M\uFFFDller']]);
    expect((await scan('a,b\n1,M\uFFFDller\n', { encoding: 'windows-1252' })).rejects).toEqual([
      [2, 'b', 'bad_encoding', 'M\uFFFDller'],
    ]);
  });

  it.each([
    ['empty', '', 'in.csv: the file is empty (no header row). Export it again.'],
    ['UTF-16', Buffer.from([0xff, 0xfe, 0x61, 0x00]), 'in.csv: the file is UTF-16 text'],
    [
      'a quote in the header never closed',
      'a,"b\n1,2\n',
      'in.csv: the header (row 1) cannot be split into columns',
    ],
    [
      'a header that is not UTF-8',
      Buffer.from([0x61, 0x2c, 0xfc, 0x0a]),
      'in.csv: the header (row 1) is not UTF-8 text',
    ],
    ['only title rows', 'Title\n', 'in.csv: the file ends before its header row'],
  ])('a file that cannot be read at all: %s', async (_label, input, message) => {
    const skipRows = _label === 'only title rows' ? 2 : 0;
    const err = await scan(input, { skipRows }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileProblem);
    expect((err as Error).message).toContain(message);
  });
});
