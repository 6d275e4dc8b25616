import { describe, expect, it } from 'vitest';
import { csvField, csvQuoted } from './csv.ts';

describe('csv fields', () => {
  it('quotes a field only when RFC 4180 needs it, doubling quotes', () => {
    expect(csvField('plain text, 日本語')).toBe('"plain text, 日本語"');
    expect(csvField('Müller GmbH')).toBe('Müller GmbH');
    expect(csvField('')).toBe('');
    expect(csvField('=HYPERLINK("http://example.invalid","x") Ltd')).toBe(
      '"=HYPERLINK(""http://example.invalid"",""x"") Ltd"',
    );
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField("it's <b>")).toBe("it's <b>");
  });

  it('always quotes when asked to', () => {
    expect(csvQuoted('007')).toBe('"007"');
    expect(csvQuoted('')).toBe('""');
    expect(csvQuoted('a "b"')).toBe('"a ""b"""');
  });
});
