/**
 * Letters out of the door: render each approved letter's PDF (stored with its SHA-256, audited), then
 * send the queued ones over SMTP (nodemailer) with the PDF attached. A letter is claimed inside a
 * write transaction before it is sent, so two senders (the server and `arlens dunning send`) never
 * send one twice; a failure (connection refused, a 5xx from the server) is recorded on the letter
 * with the error and retried later with a growing pause; after the last attempt it stays `failed`,
 * listed for a person to act on — never lost. A claim older than ten minutes (a sender that died
 * mid-way) is taken over.
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import { appendAudit } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import type { Who } from './access.ts';
import { letterFromRow, type LetterRow } from './dunning.store.ts';
import { documentTotal, formatMoney, renderLetter, type LetterDocument } from './letter.pdf.ts';
import { levelPolicy, type DunningPolicy } from './policy.ts';
import { allTemplates } from './templates.ts';

export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user?: string | null;
  readonly password?: string | null;
  readonly from: string;
  /** Refuse to send without STARTTLS (default true unless the host is localhost). */
  readonly requireTls?: boolean;
}

export const MAX_ATTEMPTS = 5;
const CLAIM_STALE_MS = 10 * 60_000;

/** The pause before attempt n+1 (after n failures): 1, 5, 30, 120 minutes. */
export function retryDelayMs(attempts: number): number {
  return [60_000, 300_000, 1_800_000, 7_200_000][Math.min(attempts - 1, 3)]!;
}

/** The document a letter row prints. */
export function letterDocument(
  letter: LetterRow,
  policy: DunningPolicy,
  templates: ReturnType<typeof allTemplates>,
  company: string,
): LetterDocument {
  const template = letter.kind === 'statement' ? 'statement' : levelPolicy(policy, letter.level).template;
  return {
    kind: letter.kind,
    template,
    language: letter.language,
    company,
    customerId: letter.customerId,
    customerName: letter.customerName,
    date: letter.runDate,
    level: letter.level,
    currencyCode: letter.currencyCode,
    lines: letter.items,
    feeAmount: letter.feeAmount,
    interestAmount: letter.interestAmount,
    templates: templates[template],
  };
}

const SELECT = `SELECT id, run_id, customer_id, level, run_date, kind, channel, language, recipient, subject,
  currency_code, total_amount, fee_amount, interest_amount, items, pdf IS NOT NULL AS has_pdf, pdf_sha256, status,
  attempts, last_error, message_id, sent_at FROM dunning_letters`;

/** Render every letter that has no PDF yet. Returns how many were rendered. */
export async function renderPending(
  store: OpsStore,
  who: Who,
  policy: DunningPolicy,
  company: string,
): Promise<number> {
  const templates = allTemplates(store);
  const pending = (store.db.prepare(`${SELECT} WHERE pdf IS NULL ORDER BY id`).all() as never[]).map(
    letterFromRow,
  );
  let n = 0;
  for (const letter of pending) {
    const pdf = await renderLetter(letterDocument(letter, policy, templates, company));
    const sha = createHash('sha256').update(pdf).digest('hex');
    store.write(() => {
      const res = store.db
        .prepare('UPDATE dunning_letters SET pdf = ?, pdf_sha256 = ? WHERE id = ? AND pdf IS NULL')
        .run(pdf, sha, letter.id);
      if (Number(res.changes) === 0) return;
      n++;
      appendAudit(store, who.actor, {
        action: 'dunning.letter_rendered',
        target: `letter:${letter.id}`,
        after: { sha256: sha, bytes: pdf.length, language: letter.language },
      });
    });
  }
  return n;
}

export interface SendResult {
  readonly sent: number;
  readonly failed: number;
}

/** Claim the next letter due to be sent (queued, a failure whose pause is over, or a stale claim). */
function claimNext(store: OpsStore, now: Date): LetterRow | null {
  return store.write(() => {
    const iso = now.toISOString();
    const stale = new Date(now.getTime() - CLAIM_STALE_MS).toISOString();
    const row = store.db
      .prepare(
        `${SELECT} WHERE pdf IS NOT NULL AND recipient IS NOT NULL AND (
           status = 'queued'
           OR (status = 'failed' AND attempts < ? AND next_attempt_at <= ?)
           OR (status = 'sending' AND claimed_at <= ?))
         ORDER BY id LIMIT 1`,
      )
      .get(MAX_ATTEMPTS, iso, stale) as never;
    if (!row) return null;
    const letter = letterFromRow(row);
    store.db
      .prepare("UPDATE dunning_letters SET status = 'sending', claimed_at = ? WHERE id = ?")
      .run(iso, letter.id);
    return letter;
  });
}

function bodyText(letter: LetterRow): string {
  const total = formatMoney(letter.totalAmount, letter.currencyCode, letter.language);
  const en = `Please find attached our payment reminder for ${letter.customerName} (${letter.customerId}) dated ${letter.runDate}. Amount due: ${formatMoney(letter.totalAmount, letter.currencyCode, 'en')}.`;
  return letter.language === 'ja'
    ? `${letter.customerName} 御中\n\n${letter.runDate}付のお支払いのお願いを添付いたします。ご請求金額：${total}\n\n---\n\n${en}\n`
    : `${en}\n`;
}

/** A nodemailer transport for the configured server (STARTTLS required unless the host is this machine). */
export function smtpTransport(smtp: SmtpConfig) {
  const local = smtp.host === 'localhost' || smtp.host === '127.0.0.1' || smtp.host === '::1';
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls ?? !local,
    ignoreTLS: local && !smtp.secure && smtp.requireTls !== true,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  });
}

/** Send what is due, one letter at a time. `now` is injectable for tests of the retry pauses. */
export async function sendQueued(
  store: OpsStore,
  who: Who,
  smtp: SmtpConfig,
  now: () => Date = () => new Date(),
): Promise<SendResult> {
  const transport = smtpTransport(smtp);
  let sent = 0;
  let failed = 0;
  try {
    for (;;) {
      const letter = claimNext(store, now());
      if (!letter) break;
      const pdf = (
        store.db.prepare('SELECT pdf FROM dunning_letters WHERE id = ?').get(letter.id) as { pdf: Uint8Array }
      ).pdf;
      try {
        const info = await transport.sendMail({
          from: smtp.from,
          to: letter.recipient!,
          subject: letter.subject,
          text: bodyText(letter),
          headers: {
            'Content-Language': letter.language === 'ja' ? 'ja, en' : 'en',
            'X-ARLens-Letter': String(letter.id),
            'X-ARLens-Total': `${letter.totalAmount} ${letter.currencyCode}`,
          },
          attachments: [
            {
              filename: `reminder-${letter.customerId}-${letter.runDate}-L${letter.level}.pdf`.replace(
                /[^\w.-]/g,
                '_',
              ),
              content: Buffer.from(pdf),
              contentType: 'application/pdf',
            },
          ],
        });
        store.write(() => {
          store.db
            .prepare(
              "UPDATE dunning_letters SET status = 'sent', attempts = attempts + 1, message_id = ?, sent_at = ?, last_error = NULL, claimed_at = NULL WHERE id = ?",
            )
            .run(info.messageId ?? null, now().toISOString(), letter.id);
          appendAudit(store, who.actor, {
            action: 'dunning.letter_sent',
            target: `letter:${letter.id}`,
            after: {
              recipient: letter.recipient,
              messageId: info.messageId,
              response: String(info.response).slice(0, 200),
            },
          });
        });
        sent++;
      } catch (e) {
        const message = String((e as Error).message ?? e).slice(0, 500);
        store.write(() => {
          const attempts = letter.attempts + 1;
          const next =
            attempts < MAX_ATTEMPTS ? new Date(now().getTime() + retryDelayMs(attempts)).toISOString() : null;
          store.db
            .prepare(
              "UPDATE dunning_letters SET status = 'failed', attempts = ?, last_error = ?, next_attempt_at = ?, claimed_at = NULL WHERE id = ?",
            )
            .run(attempts, message, next, letter.id);
          appendAudit(store, who.actor, {
            action: 'dunning.letter_failed',
            target: `letter:${letter.id}`,
            after: { recipient: letter.recipient, attempts, error: message, retryAt: next },
          });
        });
        failed++;
      }
    }
  } finally {
    transport.close();
  }
  return { sent, failed };
}

/** The total a letter asks for, recomputed from its lines (a check on what was stored). */
export function letterTotal(letter: LetterRow): string {
  return documentTotal({
    lines: letter.items,
    feeAmount: letter.feeAmount,
    interestAmount: letter.interestAmount,
  });
}
