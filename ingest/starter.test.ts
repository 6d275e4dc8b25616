import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { guessDateFormat, guessDecimal, guessEntity, starterProfile } from './starter.ts';

describe('starter profile guesses', () => {
  it('date formats from sample values; day-first unless a value says otherwise', () => {
    expect(guessDateFormat(['2024-01-05', '', '2024-12-31'])).toBe('%Y-%m-%d');
    expect(guessDateFormat(['15.01.2024', '1.2.2024'])).toBe('%d.%m.%Y');
    expect(guessDateFormat(['1/2/2013', '2/25/2013'])).toBe('%m/%d/%Y');
    expect(guessDateFormat(['25/02/2013', '01/03/2013'])).toBe('%d/%m/%Y');
    expect(guessDateFormat(['05-01-2024'])).toBe('%d-%m-%Y');
    expect(guessDateFormat(['2024/01/05'])).toBe('%Y/%m/%d');
    expect(guessDateFormat(['Jan 5 2024'])).toBeUndefined();
    expect(guessDateFormat([])).toBeUndefined();
  });

  it('the decimal separator from amounts as ERPs write them', () => {
    expect(guessDecimal(['1.234,56', '12.345,67-'])).toBe(',');
    expect(guessDecimal(['250,00-'])).toBe(',');
    expect(guessDecimal(['1234.56', '450000.0', '-200.0'])).toBe('.');
    expect(guessDecimal(['1,234.56'])).toBe('.');
  });

  it('the entity from the file name', () => {
    expect(guessEntity('exports/invoices_2024.csv')).toBe('invoices');
    expect(guessEntity('Sales Invoice.csv')).toBe('invoices');
    expect(guessEntity('Payment Entry.csv')).toBe('payments');
    expect(guessEntity('Contact (res.partner).csv')).toBe('customers');
    expect(guessEntity('KNA1_customers.txt')).toBe('customers');
    expect(guessEntity('FBL5N_line_items.txt')).toBe('invoices');
    expect(guessEntity('credit_notes.csv')).toBe('credit_memos');
    expect(guessEntity('misc.csv')).toBeUndefined();
  });
});

describe('starter profile from a hostile header', () => {
  it('keeps header names with line breaks inside comments and quoted YAML', async () => {
    const dir = await fs.mkdtemp(join(tmpdir(), 'arlens-starter-'));
    try {
      const file = join(dir, 'invoices.csv');
      await fs.writeFile(file, 'invoice_id,"x\nname: evil",Amount\nI1,1,2.50\n');
      const starter = await starterProfile(file);
      const value = parse(starter.yaml) as { name: string; mappings: { columns: Record<string, string> }[] };
      expect(value.name).toBe('invoices');
      expect(value.mappings[0]?.columns).toEqual({ invoice_id: 'invoice_id', amount: 'Amount' });
      expect(starter.yaml).toContain('# Columns not mapped: "x\\nname: evil"');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
