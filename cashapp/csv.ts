/**
 * Bank statements as CSV, through profiles (as ERP exports are read): which column holds what, the
 * delimiter, the decimal mark and the date layout. Built in: `arlens` (our own layout, ISO dates and
 * dot decimals) and `sparkasse-camt` (the German savings banks' "CSV-CAMT V2" export: semicolons,
 * decimal commas, DD.MM.YY dates, signed amounts). A custom profile is the same object as JSON or
 * YAML (`--csv-profile file`). A row that cannot be read is quarantined with its reason. Pure.
 */
import { z } from 'zod';
import {
  checkCurrency,
  checkDate,
  cleanText,
  normaliseIban,
  StatementError,
  toCents,
  type ParsedStatement,
  type QuarantinedLine,
  type StatementLine,
} from './statement.ts';

const FIELDS = [
  'account',
  'booking_date',
  'value_date',
  'amount',
  'credit',
  'debit',
  'currency',
  'counterparty_name',
  'counterparty_iban',
  'remittance',
  'end_to_end_id',
  'bank_reference',
] as const;
type CsvField = (typeof FIELDS)[number];

export const CsvProfileSchema = z
  .object({
    name: z.string().min(1).max(60),
    delimiter: z.enum([',', ';', '\t', '|']),
    decimal: z.enum(['.', ',']),
    date_format: z.enum(['YYYY-MM-DD', 'DD.MM.YYYY', 'DD.MM.YY', 'MM/DD/YYYY', 'YYYY/MM/DD']),
    /** Field → header text in the file. `amount` (signed) or `credit`/`debit` columns. */
    columns: z.partialRecord(z.enum(FIELDS), z.string().min(1).max(100)),
    /** The account when the file has no column for it. */
    account: z.string().max(40).optional(),
    currency: z.string().length(3).optional(),
  })
  .strict()
  .refine((p) => p.columns.booking_date, { message: 'a profile needs a booking_date column' })
  .refine((p) => p.columns.amount || p.columns.credit, {
    message: 'a profile needs an amount column, or credit (and debit) columns',
  })
  .refine((p) => p.columns.currency || p.currency, {
    message: 'a profile needs a currency column or a currency',
  });
export type CsvProfile = z.infer<typeof CsvProfileSchema>;

export const CSV_PROFILES: Readonly<Record<string, CsvProfile>> = {
  arlens: {
    name: 'arlens',
    delimiter: ',',
    decimal: '.',
    date_format: 'YYYY-MM-DD',
    columns: {
      account: 'account',
      booking_date: 'booking_date',
      value_date: 'value_date',
      amount: 'amount',
      currency: 'currency',
      counterparty_name: 'counterparty_name',
      counterparty_iban: 'counterparty_iban',
      remittance: 'remittance',
      end_to_end_id: 'end_to_end_id',
      bank_reference: 'bank_reference',
    },
  },
  'sparkasse-camt': {
    name: 'sparkasse-camt',
    delimiter: ';',
    decimal: ',',
    date_format: 'DD.MM.YY',
    columns: {
      account: 'Auftragskonto',
      booking_date: 'Buchungstag',
      value_date: 'Valutadatum',
      remittance: 'Verwendungszweck',
      end_to_end_id: 'Kundenreferenz (End-to-End)',
      counterparty_name: 'Beguenstigter/Zahlungspflichtiger',
      counterparty_iban: 'Kontonummer/IBAN',
      amount: 'Betrag',
      currency: 'Waehrung',
    },
  },
};

/** RFC 4180 records (quoted fields, doubled quotes, line breaks inside quotes). */
export function csvRecords(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === delimiter) {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new StatementError('CSV: a quoted field is not closed');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0]!.trim() === ''));
}

function readDate(text: string, format: CsvProfile['date_format']): string {
  const t = text.trim();
  let m: RegExpExecArray | null;
  switch (format) {
    case 'YYYY-MM-DD':
      return checkDate(t);
    case 'YYYY/MM/DD':
      return checkDate(t.replaceAll('/', '-'));
    case 'DD.MM.YYYY':
      m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(t);
      break;
    case 'DD.MM.YY':
      m = /^(\d{2})\.(\d{2})\.(\d{2}(?:\d{2})?)$/.exec(t);
      break;
    case 'MM/DD/YYYY':
      m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(t);
      if (m) return checkDate(`${m[3]}-${m[1]}-${m[2]}`);
      break;
  }
  if (!m) throw new StatementError(`not a date in ${format}: ${JSON.stringify(t.slice(0, 20))}`);
  const year = m[3]!.length === 2 ? `20${m[3]}` : m[3]!;
  return checkDate(`${year}-${m[2]}-${m[1]}`);
}

function readAmount(text: string, decimal: '.' | ','): number {
  let t = text.trim().replace(/\s/g, '');
  if (decimal === ',') t = t.replaceAll('.', '').replace(',', '.');
  else t = t.replaceAll(',', '');
  return toCents(t);
}

export function parseCsvStatement(
  text: string,
  profile: CsvProfile,
  fileName = 'statement.csv',
): ParsedStatement {
  const records = csvRecords(text, profile.delimiter);
  if (records.length === 0) throw new StatementError('CSV: the file is empty');
  const header = records[0]!.map((h) => h.trim());
  const index = new Map<CsvField, number>();
  const missing: string[] = [];
  for (const f of FIELDS) {
    const h = profile.columns[f];
    if (!h) continue;
    const i = header.indexOf(h);
    if (i < 0) missing.push(h);
    else index.set(f, i);
  }
  if (missing.length > 0) {
    throw new StatementError(
      `CSV (profile ${profile.name}): the header lacks ${missing.map((m) => JSON.stringify(m)).join(', ')}`,
    );
  }
  const get = (r: string[], f: CsvField): string => (index.has(f) ? (r[index.get(f)!] ?? '') : '');
  const lines: StatementLine[] = [];
  const quarantined: QuarantinedLine[] = [];
  let firstAccount = '';
  for (let n = 1; n < records.length; n++) {
    const r = records[n]!;
    try {
      if (r.length !== header.length) {
        throw new StatementError(`has ${r.length} fields, the header ${header.length}`);
      }
      const account = normaliseIban(get(r, 'account') || profile.account || '');
      if (!account) throw new StatementError('no account (neither a column nor the profile gives one)');
      firstAccount ||= account;
      const booking = readDate(get(r, 'booking_date'), profile.date_format);
      const valueText = get(r, 'value_date');
      let cents: number;
      if (index.has('amount')) cents = readAmount(get(r, 'amount'), profile.decimal);
      else {
        const credit = get(r, 'credit').trim();
        const debit = get(r, 'debit').trim();
        if (credit && debit) throw new StatementError('both credit and debit are filled');
        cents = credit
          ? Math.abs(readAmount(credit, profile.decimal))
          : -Math.abs(readAmount(debit, profile.decimal));
      }
      lines.push({
        position: n,
        account,
        bookingDate: booking,
        valueDate: valueText.trim() ? readDate(valueText, profile.date_format) : booking,
        amountCents: cents,
        currency: checkCurrency(get(r, 'currency') || profile.currency || ''),
        instructedCents: null,
        instructedCurrency: null,
        chargesCents: null,
        counterpartyName: cleanText(get(r, 'counterparty_name'), 140),
        counterpartyIban: normaliseIban(get(r, 'counterparty_iban')),
        remittance: cleanText(get(r, 'remittance')),
        endToEndId: cleanText(get(r, 'end_to_end_id'), 35).replace(/^NOTPROVIDED$/, ''),
        bankReference: cleanText(get(r, 'bank_reference'), 70),
      });
    } catch (e) {
      quarantined.push({
        position: n,
        reason: `CSV row ${n + 1}: ${(e as Error).message}`,
        raw: r.join(profile.delimiter).slice(0, 300),
      });
    }
  }
  return { format: 'csv', statementId: fileName, account: firstAccount, lines, quarantined };
}
