import { describe, expect, it } from 'vitest';
import { ByteSurvey } from './read.ts';

/** Survey `chunks` fed one by one, as a file read in pieces would be. */
function survey(...chunks: (string | Buffer)[]) {
  const s = new ByteSurvey();
  for (const c of chunks) s.update(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
  s.finish();
  return { utf8: s.utf8, blankLine: s.blankLine, replacement: s.replacement };
}

describe('the survey of a file before DuckDB reads it', () => {
  const yen = Buffer.from('¥', 'utf8'); // 2 bytes
  const kanji = Buffer.from('株', 'utf8'); // 3 bytes

  it('UTF-8 split between two chunks is still UTF-8', () => {
    expect(survey(Buffer.concat([Buffer.from('a,'), yen.subarray(0, 1)]), yen.subarray(1)).utf8).toBe(true);
    expect(survey(kanji.subarray(0, 1), kanji.subarray(1, 2), kanji.subarray(2), 'x').utf8).toBe(true);
  });

  it('bytes that are not UTF-8, within or across chunks, or cut off at the end', () => {
    expect(survey('ok', Buffer.from([0x4d, 0xfc, 0x6c])).utf8).toBe(false);
    expect(survey(kanji.subarray(0, 2), Buffer.from('x')).utf8).toBe(false);
    expect(survey('ok', kanji.subarray(0, 2)).utf8).toBe(false);
  });

  it('a blank line with data after it, also across chunks; blank lines only at the end do not count', () => {
    expect(survey('a\n1\n\n2\n').blankLine).toBe(true);
    expect(survey('a\r\n1\r\n\r\n2\r\n').blankLine).toBe(true);
    expect(survey('a\n1\n', '\n', '\r\n', '2\n').blankLine).toBe(true);
    expect(survey('a\n1\n\n\n').blankLine).toBe(false);
    expect(survey('a\r\n1\r\n', '\r\n').blankLine).toBe(false);
  });

  it('U+FFFD (what transcoding makes of bytes invalid in the source encoding), also across chunks', () => {
    const r = Buffer.from('\uFFFD', 'utf8');
    expect(survey('a', r.subarray(0, 2), r.subarray(2)).replacement).toBe(true);
    expect(survey('plain').replacement).toBe(false);
  });
});
