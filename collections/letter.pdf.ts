/**
 * Reminder letters and statements of account as PDF, in pure JavaScript (pdfkit; fontkit inside it
 * embeds a subset of Noto Sans JP, shipped by the npm package @expo-google-fonts/noto-sans-jp — no
 * native code, no download, no browser). English letters are in English; a Japanese customer's letter
 * is bilingual: the Japanese text first, the English after it. Dates and money are written as each
 * locale writes them (en-US: "Dec 6, 2026", "$1,234.50"; ja-JP: "2026年12月6日", "￥1,235").
 * docs/collections.md says why pdfkit and not Chromium.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import { daysBetween } from './proposal.ts';
import { fromMinor, toMinor } from './policy.ts';
import { fill, type Lang, type LetterTemplate } from './templates.ts';

let fontCache: Buffer | undefined;

/** Noto Sans JP Regular (covers Latin and Japanese), read once. */
export function letterFont(): Buffer {
  if (!fontCache) {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@expo-google-fonts/noto-sans-jp/package.json'));
    fontCache = readFileSync(join(dir, '400Regular', 'NotoSansJP_400Regular.ttf'));
  }
  return fontCache;
}

const LOCALE: Record<Lang, string> = { en: 'en-US', ja: 'ja-JP' };

export function formatDate(date: string | null, lang: Lang): string {
  if (!date) return '';
  return new Intl.DateTimeFormat(LOCALE[lang], { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

/** Money as the locale writes it; exact (the decimal text is formatted, never a float sum). */
export function formatMoney(amount: string, currency: string, lang: Lang): string {
  const fmt = new Intl.NumberFormat(LOCALE[lang], { style: 'currency', currency });
  // Intl accepts a decimal string and formats it exactly (no binary float in between).
  return fmt.format(amount as unknown as number);
}

export interface LetterLine {
  readonly itemId: string;
  readonly itemType: string;
  readonly documentDate: string | null;
  readonly dueDate: string | null;
  readonly openAmount: string;
}

export interface LetterDocument {
  readonly kind: 'reminder' | 'statement';
  readonly template: LetterTemplate;
  readonly language: Lang;
  readonly company: string;
  readonly customerId: string;
  readonly customerName: string;
  readonly date: string;
  readonly level: number;
  readonly currencyCode: string;
  readonly lines: readonly LetterLine[];
  readonly feeAmount: string;
  readonly interestAmount: string;
  /** Template text by language (the edited ones, or the defaults). */
  readonly templates: Readonly<Record<Lang, string>>;
}

const TEXT = {
  en: {
    reminder: 'Payment reminder',
    statement: 'Statement of account',
    customer: 'Customer',
    date: 'Date',
    doc: 'Document',
    docDate: 'Date',
    due: 'Due',
    overdue: 'Days overdue',
    amount: 'Open amount',
    invoice: 'Invoice',
    unapplied_payment: 'Unapplied payment',
    unallocated_credit: 'Credit note',
    fee: 'Dunning fee',
    interest: 'Interest',
    total: 'Total due',
    balance: 'Balance',
    ageing: 'Ageing summary',
    buckets: ['Not yet due', '1–30 days', '31–60 days', '61–90 days', 'Over 90 days', 'Credits'],
    page: 'Page',
  },
  ja: {
    reminder: 'お支払いのお願い',
    statement: '取引残高明細書',
    customer: 'お客様',
    date: '日付',
    doc: '書類番号',
    docDate: '発行日',
    due: '支払期日',
    overdue: '経過日数',
    amount: '未決済額',
    invoice: '請求書',
    unapplied_payment: '未消込入金',
    unallocated_credit: 'クレジットノート',
    fee: '督促手数料',
    interest: '遅延利息',
    total: 'ご請求合計',
    balance: '残高',
    ageing: '年齢別残高',
    buckets: ['期日前', '1〜30日', '31〜60日', '61〜90日', '90日超', 'クレジット'],
    page: 'ページ',
  },
} as const;

/** The total the document asks for: open items + fee + interest, exact. */
export function documentTotal(d: Pick<LetterDocument, 'lines' | 'feeAmount' | 'interestAmount'>): string {
  return fromMinor(
    d.lines.reduce((s, l) => s + toMinor(l.openAmount), 0n) +
      toMinor(d.feeAmount) +
      toMinor(d.interestAmount),
  );
}

/** Ageing buckets of the open items at `date` (statement): five by days past due, then credits. */
export function ageing(lines: readonly LetterLine[], date: string): string[] {
  const sums = [0n, 0n, 0n, 0n, 0n, 0n];
  for (const l of lines) {
    const a = toMinor(l.openAmount);
    if (a < 0n || l.itemType !== 'invoice') {
      sums[5]! += a;
      continue;
    }
    const d = l.dueDate ? daysBetween(l.dueDate, date) : 0;
    const b = d <= 0 ? 0 : d <= 30 ? 1 : d <= 60 ? 2 : d <= 90 ? 3 : 4;
    sums[b]! += a;
  }
  return sums.map(fromMinor);
}

/** Render one document to PDF bytes. */
export async function renderLetter(d: LetterDocument): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `${TEXT.en[d.kind]} ${d.customerId} ${d.date}`,
      Author: d.company,
      CreationDate: new Date(`${d.date}T00:00:00Z`),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', letterFont());
  doc.font('body');
  const langs: Lang[] = d.language === 'ja' ? ['ja', 'en'] : ['en'];
  langs.forEach((lang, i) => {
    if (i > 0) doc.addPage();
    section(doc, d, lang);
  });
  doc.end();
  return done;
}

function section(doc: PDFKit.PDFDocument, d: LetterDocument, lang: Lang): void {
  const t = TEXT[lang];
  const total = documentTotal(d);
  const money = (a: string) => formatMoney(a, d.currencyCode, lang);
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;

  doc.fontSize(10).fillColor('#444').text(d.company, left, 50);
  doc.text(`${t.date}: ${formatDate(d.date, lang)}`, left, 50, { width, align: 'right' });
  doc.moveDown(1.5);
  doc.fontSize(18).fillColor('#000').text(t[d.kind], left);
  doc.moveDown(0.5);
  doc.fontSize(10).text(`${t.customer}: ${d.customerName} (${d.customerId})`);
  doc.moveDown();
  const body = fill(d.templates[lang], {
    customer_name: d.customerName,
    customer_id: d.customerId,
    date: formatDate(d.date, lang),
    total: money(total),
    company: d.company,
    level: String(d.level),
  });
  doc.fontSize(10.5).text(body, { width, lineGap: 2 });
  doc.moveDown();

  const cols = [
    { title: t.doc, w: 0.22, align: 'left' as const },
    { title: t.docDate, w: 0.16, align: 'left' as const },
    { title: t.due, w: 0.16, align: 'left' as const },
    { title: t.overdue, w: 0.16, align: 'right' as const },
    { title: t.amount, w: 0.3, align: 'right' as const },
  ];
  const row = (cells: string[], bold = false) => {
    if (doc.y > doc.page.height - doc.page.margins.bottom - 40) doc.addPage();
    const y = doc.y;
    let x = left;
    doc.fontSize(9).fillColor(bold ? '#000' : '#222');
    cells.forEach((c, i) => {
      const w = cols[i]!.w * width;
      doc.text(c, x + 2, y, { width: w - 4, align: cols[i]!.align, lineBreak: false, ellipsis: true });
      x += w;
    });
    doc.y = y + 15;
    doc.x = left;
  };
  row(
    cols.map((c) => c.title),
    true,
  );
  doc
    .moveTo(left, doc.y - 2)
    .lineTo(left + width, doc.y - 2)
    .strokeColor('#999')
    .stroke();
  for (const l of d.lines) {
    const overdue =
      l.itemType === 'invoice' && l.dueDate ? Math.max(daysBetween(l.dueDate, d.date), 0) : null;
    const label = l.itemType === 'invoice' ? l.itemId : `${t[l.itemType as 'unapplied_payment']} ${l.itemId}`;
    row([
      label,
      formatDate(l.documentDate, lang),
      formatDate(l.dueDate, lang),
      overdue === null ? '' : String(overdue),
      money(l.openAmount),
    ]);
  }
  doc
    .moveTo(left, doc.y)
    .lineTo(left + width, doc.y)
    .strokeColor('#999')
    .stroke();
  doc.y += 4;
  if (toMinor(d.feeAmount) !== 0n) row([t.fee, '', '', '', money(d.feeAmount)]);
  if (toMinor(d.interestAmount) !== 0n) row([t.interest, '', '', '', money(d.interestAmount)]);
  row([d.kind === 'statement' ? t.balance : t.total, '', '', '', money(total)], true);

  if (d.kind === 'statement') {
    doc.moveDown();
    doc.fontSize(12).fillColor('#000').text(t.ageing, left);
    doc.moveDown(0.3);
    const sums = ageing(d.lines, d.date);
    t.buckets.forEach((b, i) => row([b, '', '', '', money(sums[i]!)]));
  }
}
