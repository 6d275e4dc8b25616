/**
 * The evidence pack for a legal hand-over: one customer's collection history as files a lawyer can
 * read — the open invoices with their sales order and shipment references, every reminder and
 * statement sent (with the PDFs as sent), every call, visit, promise, dispute and task with who and
 * when, and the audit entries about the customer with their hashes and the chain's verification —
 * as CSV files, the PDFs, and one PDF summary (evidence.pdf). Written by `arlens dunning evidence`.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { csvField } from '../core/csv.ts';
import { verifyAudit } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import { authorise, CollectionsError, type CustomerRef, type Who } from './access.ts';
import { listLetters } from './dunning.store.ts';
import type { LedgerItem } from './ledger.ts';
import { letterFont } from './letter.pdf.ts';
import { customerAudit, customerTimeline } from './worklist.store.ts';

/** A CSV cell a spreadsheet shows as text: a leading =, +, -, @ (not a plain number) is quoted off. */
export function safeCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  const formula = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s);
  return csvField(formula ? `'${s}` : s);
}

const csv = (header: readonly string[], rows: readonly (readonly unknown[])[]) =>
  [header.join(','), ...rows.map((r) => r.map(safeCell).join(','))].join('\r\n') + '\r\n';

export interface EvidenceResult {
  readonly dir: string;
  readonly files: readonly { name: string; sha256: string; bytes: number }[];
}

/** Write the pack for `customer` into `dir` (created); a manifest lists every file with its SHA-256. */
export async function writeEvidencePack(
  store: OpsStore,
  who: Who,
  customer: CustomerRef & { customerName: string },
  openItems: readonly LedgerItem[],
  dir: string,
  now: Date = new Date(),
): Promise<EvidenceResult> {
  authorise(who, 'collections.work', customer);
  const id = customer.customerId;
  const items = openItems.filter((i) => i.customerId === id);
  const letters = listLetters(store, { ...who, role: 'system' }, { customerId: id });
  const timeline = customerTimeline(store, id).slice().reverse();
  const audit = customerAudit(store, id);
  const chain = verifyAudit(store);
  if (items.length === 0 && letters.length === 0 && timeline.length === 0) {
    throw new CollectionsError(`Customer ${id} has no open items and no collection history.`, 404);
  }
  await fs.mkdir(join(dir, 'letters'), { recursive: true });
  const files: { name: string; sha256: string; bytes: number }[] = [];
  const put = async (name: string, data: string | Uint8Array) => {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    await fs.writeFile(join(dir, name), buf);
    files.push({ name, sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.length });
  };

  await put(
    'open-invoices.csv',
    csv(
      [
        'item_id',
        'item_type',
        'document_date',
        'due_date',
        'currency',
        'open_amount',
        'sales_order',
        'shipment',
        'disputed_in_erp',
      ],
      items.map((i) => [
        i.itemId,
        i.itemType,
        i.documentDate,
        i.dueDate,
        i.currencyCode,
        i.openAmount,
        i.salesOrderId,
        i.shipmentBatch,
        i.hasOpenDispute ? 'yes' : 'no',
      ]),
    ),
  );
  const pdfOf = store.db.prepare('SELECT pdf FROM dunning_letters WHERE id = ?');
  for (const l of letters) {
    const row = pdfOf.get(l.id) as { pdf: Uint8Array | null };
    if (row.pdf) await put(`letters/letter-${l.id}-L${l.level}-${l.runDate}.pdf`, row.pdf);
  }
  await put(
    'letters.csv',
    csv(
      [
        'letter_id',
        'run_id',
        'date',
        'level',
        'kind',
        'channel',
        'language',
        'recipient',
        'currency',
        'total',
        'status',
        'sent_at',
        'message_id',
        'pdf_sha256',
        'items',
      ],
      letters.map((l) => [
        l.id,
        l.runId,
        l.runDate,
        l.level,
        l.kind,
        l.channel,
        l.language,
        l.recipient,
        l.currencyCode,
        l.totalAmount,
        l.status,
        l.sentAt,
        l.messageId,
        l.pdfSha256,
        l.items.map((i) => i.itemId).join(' '),
      ]),
    ),
  );
  await put(
    'history.csv',
    csv(
      ['recorded_at', 'date', 'kind', 'what', 'who'],
      timeline.map((e) => [e.at, e.date, e.kind, e.what, e.who]),
    ),
  );
  await put(
    'audit.csv',
    csv(
      ['seq', 'at', 'actor', 'address', 'action', 'target', 'before', 'after', 'prev_hash', 'hash'],
      audit.map((a) => [
        a.seq,
        a.at,
        a.actor,
        a.address,
        a.action,
        a.target,
        a.before,
        a.after,
        a.prevHash,
        a.hash,
      ]),
    ),
  );
  await put('evidence.pdf', await summaryPdf(customer, items, letters, timeline, audit.length, chain, now));
  const manifest = [
    `Evidence pack for customer ${id} (${customer.customerName}), written ${now.toISOString()} by ${who.actor.name}.`,
    chain.ok
      ? `Audit chain verified: ${chain.entries} entries, head ${chain.head}.`
      : `AUDIT CHAIN BROKEN: ${chain.problem}.`,
    '',
    ...files.map((f) => `${f.sha256}  ${f.bytes}  ${f.name}`),
    '',
  ].join('\n');
  await fs.writeFile(join(dir, 'MANIFEST.txt'), manifest);
  return { dir, files };
}

async function summaryPdf(
  customer: CustomerRef & { customerName: string },
  items: readonly LedgerItem[],
  letters: ReturnType<typeof listLetters>,
  timeline: ReturnType<typeof customerTimeline>,
  auditEntries: number,
  chain: ReturnType<typeof verifyAudit>,
  now: Date,
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `Evidence ${customer.customerId}`, CreationDate: now },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', letterFont());
  doc.font('body');
  const h = (t: string) =>
    doc.moveDown().fontSize(13).fillColor('#000').text(t).moveDown(0.3).fontSize(9).fillColor('#222');
  doc.fontSize(18).text(`Collection history — ${customer.customerName} (${customer.customerId})`);
  doc
    .fontSize(9)
    .fillColor('#444')
    .text(`Written ${now.toISOString()}. Credit controller: ${customer.creditController ?? '—'}.`);
  doc.text(
    chain.ok
      ? `Audit chain verified: ${chain.entries} entries; head ${chain.head}.`
      : `AUDIT CHAIN BROKEN: ${chain.problem}`,
  );
  h(`Open items (${items.length})`);
  for (const i of items) {
    doc.text(
      `${i.itemId}  ${i.itemType}  issued ${i.documentDate ?? '—'}  due ${i.dueDate ?? '—'}  ${i.openAmount} ${i.currencyCode}  order ${i.salesOrderId ?? '—'}  shipment ${i.shipmentBatch ?? '—'}${i.hasOpenDispute ? '  DISPUTED' : ''}`,
    );
  }
  h(`Reminders and statements (${letters.length})`);
  for (const l of letters) {
    doc.text(
      `${l.runDate}  level ${l.level} ${l.kind} by ${l.channel} (${l.language}) to ${l.recipient ?? 'post'}: ${l.totalAmount} ${l.currencyCode}; ${l.status}${l.sentAt ? ` ${l.sentAt}` : ''}; PDF sha256 ${l.pdfSha256 ?? '—'}`,
    );
  }
  h(`Calls, visits, promises, disputes and tasks (${timeline.length})`);
  for (const e of timeline) doc.text(`${e.date}  ${e.kind}  ${e.what}  — ${e.who} (recorded ${e.at})`);
  h('Audit');
  doc.text(`${auditEntries} audit entries about this customer are in audit.csv with their hashes.`);
  doc.end();
  return done;
}
