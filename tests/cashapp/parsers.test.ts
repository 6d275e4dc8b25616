/** The statement readers on fixtures shaped after the standards' own examples (tests/cashapp/fixtures). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCamt } from '../../cashapp/camt.ts';
import { CSV_PROFILES, parseCsvStatement } from '../../cashapp/csv.ts';
import { parseInfo, parseMt940 } from '../../cashapp/mt940.ts';
import { csvProfile, detectFormat, readStatement } from '../../cashapp/read.ts';
import { fromCents, lineKey, StatementError, toCents } from '../../cashapp/statement.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name));

describe('money', () => {
  it('parses decimals exactly and refuses anything else', () => {
    expect(toCents('1190.00')).toBe(119000);
    expect(toCents('-0.5')).toBe(-50);
    expect(toCents('330000')).toBe(33000000);
    expect(fromCents(-5)).toBe('-0.05');
    for (const bad of ['1e3', '1.234', 'NaN', '', '12,50', '0x10', '1 000']) {
      expect(() => toCents(bad)).toThrow(StatementError);
    }
  });
});

describe('camt.053', () => {
  const s = parseCamt(fixture('camt053-v08.xml').toString('utf8'));
  it('reads booked entries, splits batches, keeps foreign amounts and charges, quarantines bad entries', () => {
    expect(s.format).toBe('camt.053');
    expect(s.account).toBe('DE89370400440532013000');
    expect(s.statementId).toBe('STMT-20260601-001/20260601-1');
    expect(s.lines.map((l) => [l.amountCents, l.bankReference])).toEqual([
      [119000, 'BANKREF-0001'],
      [50000, 'BANKREF-0002-1'],
      [30000, 'BANKREF-0002-2'],
      [91550, 'BANKREF-0003'],
      [-12000, 'BANKREF-0004'],
    ]);
    const [first, batch1, batch2, fx, debit] = s.lines;
    expect(first).toMatchObject({
      bookingDate: '2026-06-01',
      counterpartyName: 'Müller Maschinenbau GmbH',
      counterpartyIban: 'DE02120300000000202051',
      remittance: 'Rechnung INV-0000101',
      endToEndId: 'E2E-INV0000101',
    });
    expect(batch1).toMatchObject({ remittance: 'INV-0000102', endToEndId: '', valueDate: '2026-06-02' });
    expect(batch2).toMatchObject({ counterpartyName: 'Weber KG', remittance: '' });
    expect(fx).toMatchObject({ instructedCents: 100000, instructedCurrency: 'USD', chargesCents: 450 });
    expect(debit!.counterpartyName).toBe('Office Supplies AG');
    expect(s.quarantined).toHaveLength(1);
    expect(s.quarantined[0]!.reason).toMatch(/CdtDbtInd/);
  });

  it('reads camt.054 in the .001.02 layout (Sts as text, Dbtr/Nm, Othr account)', () => {
    const n = readStatement(fixture('camt054-v02.xml'));
    expect(n.format).toBe('camt.054');
    expect(n.account).toBe('0532013000');
    expect(n.lines[0]).toMatchObject({
      amountCents: 33000000,
      currency: 'JPY',
      counterpartyName: 'ﾔﾏﾀﾞｾｲｻｸｼﾖ(ｶ',
    });
  });

  it('refuses what is not a camt statement, and entity declarations', () => {
    expect(() => parseCamt('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"/>')).toThrow(
      /not camt/,
    );
    expect(() => parseCamt('<not xml')).toThrow(StatementError);
    expect(() =>
      parseCamt(
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>',
      ),
    ).toThrow(/document type declaration/);
    expect(() =>
      parseCamt(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt><GrpHdr/></BkToCstmrStmt></Document>',
      ),
    ).toThrow(/MsgId/);
  });
});

describe('MT940', () => {
  const s = parseMt940(fixture('mt940.sta').toString('latin1'));
  it('reads :61:/:86: in the German structured and SWIFT-tag layouts and quarantines a broken line', () => {
    expect(s.account).toBe('0532013000');
    expect(s.statementId).toBe('STARTUMSE:00152/001');
    expect(s.lines.map((l) => l.amountCents)).toEqual([119000, 99000, -5520, 25000]);
    expect(s.lines[0]).toMatchObject({
      bookingDate: '2026-06-01',
      counterpartyName: 'Mueller MaschinenbauGmbH',
      counterpartyIban: 'DE02120300000000202051',
      remittance: 'Rechnung INV-0000101',
      endToEndId: 'E2E-INV0000101',
      bankReference: 'BR0001',
      currency: 'EUR',
    });
    expect(s.lines[1]).toMatchObject({
      counterpartyName: 'Hansa Antriebstechnik AG',
      counterpartyIban: 'DE75512108001245126199',
      remittance: 'INV0000104 less fees',
      chargesCents: 1000,
      endToEndId: '',
    });
    expect(s.lines[3]!.remittance).toContain('CUSTREF123');
    expect(s.quarantined).toHaveLength(1);
    expect(s.quarantined[0]!.raw).toContain('26060X');
  });

  it('reads foreign instructed amounts from /OCMT/ and refuses a statement without its opening balance', () => {
    expect(parseInfo('/OCMT/USD1000,/REMI/INV 9').instructed).toEqual({ currency: 'USD', cents: 100000 });
    expect(() => parseMt940(':20:X\n:25:123\n:61:2606010601CR1,00NTRFNONREF\n-')).toThrow(/60F/);
    expect(() => parseMt940('hello')).toThrow(/no statement/);
  });
});

describe('CSV profiles', () => {
  it('reads the Sparkasse CSV-CAMT layout and quarantines an impossible date and a bad amount', () => {
    const s = readStatement(fixture('sparkasse.csv'), { csvProfile: csvProfile('sparkasse-camt') });
    expect(s.lines.map((l) => [l.bookingDate, l.amountCents, l.remittance])).toEqual([
      ['2026-06-01', 175000, 'RE 0000105 und RE 0000106'],
      ['2026-06-02', 7525, ''],
    ]);
    expect(s.lines[0]!.endToEndId).toBe('');
    expect(s.quarantined.map((q) => q.reason)).toEqual([
      expect.stringMatching(/row 4: not a date/),
      expect.stringMatching(/row 5: not an amount/),
    ]);
  });

  it('names missing header columns, unknown profiles and bad custom profiles', () => {
    expect(() => parseCsvStatement('a,b\n1,2\n', CSV_PROFILES['arlens']!)).toThrow(/header lacks "account"/);
    expect(() => csvProfile('nope')).toThrow(/unknown CSV profile/);
    expect(() =>
      csvProfile(undefined, {
        name: 'x',
        delimiter: ',',
        decimal: '.',
        date_format: 'YYYY-MM-DD',
        columns: {},
      }),
    ).toThrow(/booking_date/);
  });

  it('detects formats by content', () => {
    expect(detectFormat(fixture('camt053-v08.xml').toString())).toBe('camt.053');
    expect(detectFormat(fixture('camt054-v02.xml').toString())).toBe('camt.054');
    expect(detectFormat(fixture('mt940.sta').toString())).toBe('mt940');
    expect(detectFormat('account,booking_date\n')).toBe('csv');
  });
});

describe('line identity', () => {
  it('is the same for an entry repeated by an overlapping statement, different otherwise', () => {
    const a = parseCamt(fixture('camt053-v08.xml').toString());
    const b = parseCamt(
      fixture('camt053-v08.xml').toString().replace('STMT-20260601-001', 'STMT-20260602-001'),
    );
    expect(a.lines.map(lineKey)).toEqual(b.lines.map(lineKey));
    expect(new Set(a.lines.map(lineKey)).size).toBe(a.lines.length);
  });
});
