/**
 * SWIFT MT940 (customer statement), read by a reader of our own: the registry's mt940 packages are
 * little used and each knows one bank's dialect. The structure checked is the standard's: :20:
 * reference, :25: account, :28C: statement number, :60F:/:60M: opening balance (its currency is the
 * statement's), then :61: statement lines, each optionally followed by :86: information to the
 * account owner, and :62F:/:62M: closing balance. `:61:` is
 * `YYMMDD[MMDD](C|D|RC|RD)[funds code]amount,dd(type)(customer ref)[//bank ref][\n details]`.
 * `:86:` is read in the three layouts banks use: German structured (`?20`–`?29` purpose, `?32`/`?33`
 * name, `?31` IBAN), SWIFT/Dutch tags (`/EREF/`, `/REMI/`, `/ORDP//NAME/`, `/IBAN/`, `/OCMT/`,
 * `/CHGS/`) and free text. Several statements in one file (one per `-}` or `\n-\n`) are all read.
 * A line that breaks the format is quarantined with its reason. Pure.
 */
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

interface Field {
  tag: string;
  value: string;
}

/** Split block 4 text into its fields (a field runs until the next line starting with `:tag:`). */
function fields(text: string): Field[] {
  const out: Field[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const m = /^:(\d{2}[A-Z]?):(.*)$/.exec(raw);
    if (m) out.push({ tag: m[1]!, value: m[2]! });
    else if (out.length > 0 && raw !== '-' && raw !== '-}' && !raw.startsWith('{')) {
      out[out.length - 1]!.value += '\n' + raw;
    }
  }
  return out;
}

/** The block-4 bodies of a file: `{4:...-}` blocks, or the whole text when it has no SWIFT envelope. */
function statements(text: string): string[] {
  const blocks = [...text.matchAll(/\{4:([\s\S]*?)\r?\n-\}/g)].map((m) => m[1]!);
  if (blocks.length > 0) return blocks;
  return text.split(/\r?\n-\s*(?:\r?\n|$)/).filter((s) => /:20:/.test(s));
}

const LINE61 =
  /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d{1,14}(?:,\d{0,2})?)([NSF][A-Z0-9]{3})([^\n/]{0,16}|NONREF)(?:\/\/([^\n]{0,16}))?(?:\n([\s\S]*))?$/;

function swiftAmount(s: string): number {
  const [whole, frac = ''] = s.split(',');
  return toCents(`${whole}.${frac.padEnd(2, '0').slice(0, 2)}`);
}

function yymmdd(s: string): string {
  const yy = Number(s.slice(0, 2));
  const year = yy >= 80 ? 1900 + yy : 2000 + yy;
  return checkDate(`${year}-${s.slice(2, 4)}-${s.slice(4, 6)}`);
}

/** The entry date MMDD, in the value date's year (or the next/previous one across a year end). */
function entryDate(value: string, mmdd: string): string {
  const year = Number(value.slice(0, 4));
  const month = Number(mmdd.slice(0, 2));
  const valueMonth = Number(value.slice(5, 7));
  const y = month === 1 && valueMonth === 12 ? year + 1 : month === 12 && valueMonth === 1 ? year - 1 : year;
  return checkDate(`${y}-${mmdd.slice(0, 2)}-${mmdd.slice(2, 4)}`);
}

interface Info {
  name: string;
  iban: string;
  remittance: string;
  endToEnd: string;
  instructed: { cents: number; currency: string } | null;
  charges: number | null;
}

/** Read `:86:` in the German structured, SWIFT-tag or free-text layout. */
export function parseInfo(raw: string): Info {
  const flat = raw.replace(/\r?\n/g, '');
  const info: Info = { name: '', iban: '', remittance: '', endToEnd: '', instructed: null, charges: null };
  if (/^\d{3}\?/.test(flat) || /\?2\d/.test(flat)) {
    const parts = new Map<string, string>();
    for (const m of flat.matchAll(/\?(\d{2})([^?]*)/g)) {
      parts.set(m[1]!, (parts.get(m[1]!) ?? '') + m[2]!);
    }
    const purpose = [...parts.entries()]
      .filter(([k]) => (k >= '20' && k <= '29') || (k >= '60' && k <= '63'))
      .map(([, v]) => v)
      .join('');
    // SEPA keywords inside the purpose: EREF+, SVWZ+ (the remittance), ...
    const eref = /EREF\+(.*?)(?=(?:[A-Z]{4}\+)|$)/.exec(purpose);
    const svwz = /SVWZ\+(.*?)(?=(?:[A-Z]{4}\+)|$)/.exec(purpose);
    info.endToEnd = eref ? eref[1]!.trim() : '';
    info.remittance = svwz ? svwz[1]! : purpose.replace(/[A-Z]{4}\+/g, ' ');
    info.name = (parts.get('32') ?? '') + (parts.get('33') ?? '');
    info.iban = parts.get('31') ?? '';
    return info;
  }
  if (/\/(EREF|REMI|ORDP|IBAN|NAME|OCMT|CHGS)\//.test(flat)) {
    const tag = (t: string) =>
      new RegExp(
        `/${t}/(.*?)(?=/(?:EREF|REMI|ORDP|IBAN|NAME|OCMT|CHGS|BENM|CSID|MARF|SVCL|ISDT|RTRN|ATOS|PREF|ULTD|ULTC|PURP)/|$)`,
      ).exec(flat)?.[1] ?? '';
    info.endToEnd = tag('EREF');
    info.remittance = tag('REMI')
      .replace(/^USTD\/\//, '')
      .replace(/^STRD\/CUR\/\//, '');
    const ordp = tag('ORDP');
    info.name = tag('NAME') || /\/\/?NAME\/(.*)$/.exec(ordp)?.[1] || ordp.replace(/^\/+/, '');
    info.iban = tag('IBAN');
    const ocmt = /^([A-Z]{3})(\d+(?:,\d{0,2})?)/.exec(tag('OCMT'));
    if (ocmt) info.instructed = { currency: checkCurrency(ocmt[1]!), cents: swiftAmount(ocmt[2]!) };
    const chgs = /^[A-Z]{3}(\d+(?:,\d{0,2})?)/.exec(tag('CHGS'));
    if (chgs) info.charges = swiftAmount(chgs[1]!);
    return info;
  }
  info.remittance = flat;
  return info;
}

export function parseMt940(text: string): ParsedStatement {
  const bodies = statements(text);
  if (bodies.length === 0) throw new StatementError('MT940: no statement (no :20: field) in the file');
  const lines: StatementLine[] = [];
  const quarantined: QuarantinedLine[] = [];
  let position = 0;
  const ids: string[] = [];
  let firstAccount = '';
  for (const body of bodies) {
    const fs = fields(body);
    const ref = fs.find((f) => f.tag === '20')?.value.trim();
    const account = normaliseIban(
      fs
        .find((f) => f.tag === '25')
        ?.value.split('/')
        .pop() ?? '',
    );
    const opening = fs.find((f) => f.tag === '60F' || f.tag === '60M')?.value.trim() ?? '';
    if (!ref) throw new StatementError('MT940: a statement has no :20: reference');
    if (!account) throw new StatementError(`MT940 ${ref}: no :25: account`);
    const ob = /^[CD]\d{6}([A-Z]{3})\d/.exec(opening);
    if (!ob)
      throw new StatementError(`MT940 ${ref}: no valid :60F: opening balance (its currency is needed)`);
    const currency = ob[1]!;
    const statementNo = fs.find((f) => f.tag === '28C')?.value.trim() ?? '';
    ids.push(statementNo ? `${ref}:${statementNo}` : ref);
    firstAccount ||= account;
    for (let i = 0; i < fs.length; i++) {
      if (fs[i]!.tag !== '61') continue;
      position++;
      const raw61 = fs[i]!.value;
      const next = fs[i + 1];
      const info = next?.tag === '86' ? next.value : '';
      try {
        const m = LINE61.exec(raw61);
        if (!m)
          throw new StatementError('the :61: line does not follow YYMMDD[MMDD]C|D amount type reference');
        const valueDate = yymmdd(m[1]!);
        const booking = m[2] ? entryDate(valueDate, m[2]) : valueDate;
        const mark = m[3]!;
        const cents = swiftAmount(m[5]!);
        const credit = mark === 'C' || mark === 'RD'; // a reversal of a debit is money in
        const parsed = parseInfo(info);
        const customerRef = (m[7] ?? '').trim();
        lines.push({
          position,
          account,
          bookingDate: booking,
          valueDate,
          amountCents: credit ? cents : -cents,
          currency: checkCurrency(currency),
          instructedCents:
            parsed.instructed && parsed.instructed.currency !== currency ? parsed.instructed.cents : null,
          instructedCurrency:
            parsed.instructed && parsed.instructed.currency !== currency ? parsed.instructed.currency : null,
          chargesCents: parsed.charges,
          counterpartyName: cleanText(parsed.name, 140),
          counterpartyIban: normaliseIban(parsed.iban),
          remittance: cleanText(
            [parsed.remittance, customerRef !== 'NONREF' ? customerRef : '', m[9] ?? '']
              .filter(Boolean)
              .join(' '),
          ),
          endToEndId: cleanText(parsed.endToEnd, 35).replace(/^NOTPROVIDED$/, ''),
          bankReference: cleanText(m[8] ?? '', 16),
        });
      } catch (e) {
        quarantined.push({
          position,
          reason: `MT940 line ${position}: ${(e as Error).message}`,
          raw: `:61:${raw61}`.slice(0, 300),
        });
      }
    }
  }
  return { format: 'mt940', statementId: ids.join('+'), account: firstAccount, lines, quarantined };
}
