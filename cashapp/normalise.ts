/**
 * Text normalisation for matching: invoice references as banks and payers mangle them (dashes and
 * spaces dropped, leading zeros lost, O for 0, one digit wrong), and company names across scripts
 * (full-width and half-width forms, legal forms in Latin and Japanese, accents). Pure.
 */

/** Legal forms and noise words dropped from company names before they are compared. */
const LEGAL = new Set(
  (
    'gmbh co kg ag ltd pte inc llc corp corporation company sa sas sarl srl spa bv nv plc kk gk ' +
    'limited the und and et mbh ug se oy ab as oao ooo pty pvt jsc'
  ).split(' '),
);
const JP_LEGAL =
  /株式会社|有限会社|合同会社|\(株\)|（株）|㈱|\(有\)|㈲|カブシキガイシャ|カ\)|\(カ|ユウゲンガイシャ/g;

/** A company name reduced to what identifies it: lower case, no accents, no legal form, no punctuation. */
export function normaliseName(name: string): string {
  const nfkc = name.normalize('NFKC').replace(JP_LEGAL, ' ');
  const plain = nfkc
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return plain
    .split(' ')
    .filter((t) => t && !LEGAL.has(t))
    .join(' ');
}

/** Character bigrams of a normalised name (spaces removed), the unit of name similarity. */
export function bigrams(norm: string): string[] {
  const s = norm.replace(/ /g, '');
  if (s.length < 2) return s ? [s] : [];
  const out: string[] = [];
  for (let i = 0; i < s.length - 1; i++) out.push(s.slice(i, i + 2));
  return out;
}

/** Sørensen–Dice similarity of two bigram multisets, 0..1. */
export function dice(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const g of a) counts.set(g, (counts.get(g) ?? 0) + 1);
  let shared = 0;
  for (const g of b) {
    const c = counts.get(g);
    if (c) {
      shared++;
      counts.set(g, c - 1);
    }
  }
  return (2 * shared) / (a.length + b.length);
}

export interface RefKey {
  /** Letters before the number, upper case ('' when none). */
  readonly prefix: string;
  /** The number without leading zeros. */
  readonly digits: string;
  /** The number as written, leading zeros kept. */
  readonly raw: string;
}

/** A document number as a key: `INV-0000123` → { prefix: 'INV', digits: '123', raw: '0000123' }; null without a number. */
export function refKey(id: string): RefKey | null {
  const m = /^([A-Za-z]*)[^A-Za-z0-9]*([0-9][0-9A-Za-z\-_/ ]*)$/.exec(id.normalize('NFKC').trim());
  if (!m) return null;
  const raw = m[2]!.replace(/[^0-9]/g, '');
  const digits = raw.replace(/^0+(?=\d)/, '');
  if (!digits) return null;
  return { prefix: m[1]!.toUpperCase(), digits, raw };
}

/**
 * The references a remittance text may hold: up to 5 letters, then a number of at least 3 digits
 * (dashes or dots inside it dropped; O read as 0 and I/l as 1 inside the number;
 * O's ending a prefix of 4+ letters read as zeros: `INVOOO103`).
 */
export function remittanceRefs(text: string): RefKey[] {
  const t = text.normalize('NFKC');
  const out: RefKey[] = [];
  const seen = new Set<string>();
  let lastPrefix = '';
  let lastEnd = -1;
  const NUMBER = /([A-Za-z]*)[\s\-_#:./]{0,3}([0-9](?:[-.]?(?:[0-9]|[OoIl](?=[-.]?[0-9OoIl]*[0-9])))*)/g;
  for (const m of t.matchAll(NUMBER)) {
    let letters = m[1]!;
    let zeros = '';
    if (letters.length >= 4 && /[Oo]$/.test(letters)) {
      const stripped = letters.replace(/[Oo]+$/, '');
      zeros = '0'.repeat(letters.length - stripped.length);
      letters = stripped;
    }
    if (letters.length > 5) letters = '';
    // "INV 105, 106 and 107": a bare number in a list takes the prefix before it.
    if (
      !m[1] &&
      lastPrefix &&
      /^[\s,;+&/]*(and|und|et|y|e|\+)?[\s,;+&/]*$/i.test(t.slice(lastEnd, m.index))
    ) {
      letters = lastPrefix;
    }
    const raw =
      zeros +
      m[2]!
        .replace(/[Oo]/g, '0')
        .replace(/[Il]/g, '1')
        .replace(/[^0-9]/g, '');
    lastEnd = m.index + m[0].length;
    lastPrefix = letters.toUpperCase();
    if (raw.length < 3) continue;
    const digits = raw.replace(/^0+(?=\d)/, '');
    const key = { prefix: letters.toUpperCase(), digits, raw };
    const k = `${key.prefix}#${key.raw}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(key);
    }
  }
  return out;
}

/** Numbers one typo away: one digit changed, dropped, doubled or two neighbours swapped. */
export function oneTypoAway(digits: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < digits.length; i++) {
    out.add(digits.slice(0, i) + digits.slice(i + 1));
    for (let d = 0; d <= 9; d++) {
      const c = String(d);
      if (c !== digits[i]) out.add(digits.slice(0, i) + c + digits.slice(i + 1));
      out.add(digits.slice(0, i) + c + digits.slice(i));
    }
    if (i + 1 < digits.length && digits[i] !== digits[i + 1]) {
      out.add(digits.slice(0, i) + digits[i + 1] + digits[i] + digits.slice(i + 2));
    }
  }
  out.delete(digits);
  return [...out].filter((d) => d.length > 0);
}
