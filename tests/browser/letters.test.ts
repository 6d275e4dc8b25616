/**
 * Every page of the rendered letters, looked at as a picture: a reminder and a statement in English,
 * and in Japanese (bilingual: the Japanese pages, then the English), rendered by collections/ with
 * pdfkit, rasterised in Chromium by pdf.js (pdfjs-dist, served from node_modules by a local server on
 * a free port), saved as test-results/screenshots/letter-*.png, and checked: each page has ink, its
 * text layer holds the locale's dates and money and the Japanese text, and the font is embedded.
 */
import { promises as fs } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderLetter, type LetterDocument } from '../../collections/letter.pdf.ts';
import { defaultTemplate } from '../../collections/templates.ts';
import { ROOT } from '../helpers.ts';
import { launchChromium, SCREENSHOTS } from './harness.ts';

const PDFJS = join(ROOT, 'node_modules', 'pdfjs-dist', 'build');
const docs = new Map<string, Buffer>();
let server: Server;
let base: string;
let browser: Browser;

const lines = [
  {
    itemId: 'INV-1001',
    itemType: 'invoice',
    documentDate: '2026-04-02',
    dueDate: '2026-05-02',
    openAmount: '1234567.89',
  },
  {
    itemId: 'INV-1002',
    itemType: 'invoice',
    documentDate: '2026-06-10',
    dueDate: '2026-07-10',
    openAmount: '500.00',
  },
  {
    itemId: 'R-77',
    itemType: 'unapplied_payment',
    documentDate: '2026-06-20',
    dueDate: null,
    openAmount: '-34.56',
  },
];

function doc(kind: 'reminder' | 'statement', language: 'en' | 'ja', currencyCode: string): LetterDocument {
  const template = kind === 'statement' ? 'statement' : 'reminder_firm';
  return {
    kind,
    template,
    language,
    company: 'ARLens Demo Trading Co.',
    customerId: 'C-042',
    customerName: language === 'ja' ? '株式会社サンプル商事' : 'Sample Trading GmbH',
    date: '2026-07-01',
    level: 3,
    currencyCode,
    lines,
    feeAmount: kind === 'reminder' ? '5.00' : '0.00',
    interestAmount: '0.00',
    templates: { en: defaultTemplate(template, 'en'), ja: defaultTemplate(template, 'ja') },
  };
}

beforeAll(async () => {
  docs.set('reminder-en', await renderLetter(doc('reminder', 'en', 'EUR')));
  docs.set('reminder-ja', await renderLetter(doc('reminder', 'ja', 'JPY')));
  docs.set('statement-en', await renderLetter(doc('statement', 'en', 'USD')));
  docs.set('statement-ja', await renderLetter(doc('statement', 'ja', 'JPY')));
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    const pdf = /^\/doc\/([a-z-]+)\.pdf$/.exec(url);
    if (pdf && docs.has(pdf[1]!)) {
      res.writeHead(200, { 'content-type': 'application/pdf' }).end(docs.get(pdf[1]!));
      return;
    }
    const file = { '/pdf.mjs': 'pdf.min.mjs', '/pdf.worker.mjs': 'pdf.worker.min.mjs' }[url];
    if (file) {
      void fs
        .readFile(join(PDFJS, file))
        .then((b) => res.writeHead(200, { 'content-type': 'text/javascript' }).end(b));
      return;
    }
    if (url === '/') {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><body style="margin:0;background:#888"></body>');
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  await fs.mkdir(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** In the page: render every page of the PDF to a canvas; each page's text and share of dark pixels. */
const RASTERISE = `(async () => {
  const pdfjs = await import(location.origin + '/pdf.mjs');
  pdfjs.GlobalWorkerOptions.workerSrc = location.origin + '/pdf.worker.mjs';
  const pdf = await pdfjs.getDocument('%URL%').promise;
  const out = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const p = await pdf.getPage(n);
    const viewport = p.getViewport({ scale: 1.4 });
    const canvas = document.createElement('canvas');
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    canvas.id = 'page-' + n;
    canvas.style.display = 'block';
    canvas.style.marginBottom = '8px';
    document.body.append(canvas);
    const ctx = canvas.getContext('2d');
    await p.render({ canvasContext: ctx, viewport, canvas }).promise;
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 128 && data[i + 3] > 0) dark++;
    const content = await p.getTextContent();
    out.push({ text: content.items.map((i) => i.str ?? '').join(' '), ink: dark / (data.length / 4) });
  }
  return out;
})()`;

/** Render every page of `name` to a canvas; return each page's text and how much of it is ink. */
async function look(name: string): Promise<{ text: string; ink: number }[]> {
  const context = await browser.newContext({ viewport: { width: 900, height: 1300 } });
  const page = await context.newPage();
  try {
    await page.goto(`${base}/`);
    // A string, not a function: the test runner would rewrite a function's import() for Node.
    const pages = (await page.evaluate(RASTERISE.replace('%URL%', `${base}/doc/${name}.pdf`))) as {
      text: string;
      ink: number;
    }[];
    for (let n = 1; n <= pages.length; n++) {
      await page.locator(`#page-${n}`).screenshot({ path: join(SCREENSHOTS, `letter-${name}-p${n}.png`) });
    }
    return pages;
  } finally {
    await context.close();
  }
}

describe('letters and statements as pictures', () => {
  it('embeds the font (a subset of Noto Sans JP) in every document', () => {
    for (const [name, pdf] of docs) {
      const text = pdf.toString('latin1');
      expect(text, name).toMatch(/\/FontFile2/);
      expect(text, name).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansJP/);
    }
  });

  it('an English reminder: one page, dates and money as en-US writes them', async () => {
    const pages = await look('reminder-en');
    expect(pages).toHaveLength(1);
    expect(pages[0]!.ink).toBeGreaterThan(0.005);
    const t = pages[0]!.text;
    expect(t).toContain('Payment reminder');
    expect(t).toContain('Jul 1, 2026');
    expect(t).toContain('May 2, 2026');
    expect(t).toContain('€1,234,567.89');
    expect(t).toContain('-€34.56');
    expect(t).toContain('€5.00'); // the fee line
    expect(t).toContain('€1,235,038.33'); // 1,234,567.89 + 500.00 - 34.56 + 5.00
    expect(t).not.toMatch(/[\u3040-\u30ff]/);
  });

  it('a Japanese reminder: bilingual, the Japanese page first, ja-JP dates and yen', async () => {
    const pages = await look('reminder-ja');
    expect(pages).toHaveLength(2);
    for (const p of pages) expect(p.ink).toBeGreaterThan(0.005);
    const [ja, en] = pages.map((p) => p.text.replace(/\s+/g, ''));
    expect(ja).toContain('お支払いのお願い');
    expect(ja).toContain('株式会社サンプル商事御中');
    expect(ja).toContain('2026/07/01');
    expect(ja).toContain('￥1,234,568');
    expect(ja).toContain('支払期日');
    expect(en).toContain('Paymentreminder');
    expect(en).toContain('Jul1,2026');
  });

  it('statements: open items, unapplied credits and the ageing summary, in both languages', async () => {
    const en = await look('statement-en');
    expect(en).toHaveLength(1);
    expect(en[0]!.text).toContain('Statement of account');
    expect(en[0]!.text).toContain('Ageing summary');
    expect(en[0]!.text).toContain('Over 90 days');
    expect(en[0]!.text).toContain('$1,235,033.33'); // the balance, credits netted
    const ja = await look('statement-ja');
    expect(ja).toHaveLength(2);
    const text = ja[0]!.text.replace(/\s+/g, '');
    expect(text).toContain('取引残高明細書');
    expect(text).toContain('年齢別残高');
    expect(text).toContain('未消込入金');
  });
});
