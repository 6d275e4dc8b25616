/**
 * Alerts by email: an immediate message per alert, or one digest a day per user, over the SMTP server
 * dunning letters use (collections/mail.ts). The same discipline as letters: a message is claimed
 * inside a write transaction before it is sent (two senders never send it twice), a failure is
 * recorded with the error and retried after a growing pause, and after the last attempt it stays
 * `failed` on the Alerts page — never lost. Text in English and Japanese (users keep no language).
 */
import { getUser } from '../auth/users.ts';
import { MAX_ATTEMPTS, retryDelayMs, smtpTransport, type SmtpConfig } from '../collections/mail.ts';
import type { OpsStore } from '../ops/store.ts';
import { ALERT_COLUMNS, alertFromRow, type Alert } from './store.ts';
import { alertText } from './text.ts';

const CLAIM_STALE_MS = 10 * 60_000;

export interface MailResult {
  readonly sent: number;
  readonly failed: number;
}

function body(alerts: readonly Alert[], link: string | null): string {
  const en = alerts.map((a) => `- ${alertText(a.kind, a.facts, 'en')}`).join('\n');
  const ja = alerts.map((a) => `・${alertText(a.kind, a.facts, 'ja')}`).join('\n');
  const open = link ? `\n\n${link}/alerts` : '';
  return `${en}${open}\n\n---\n\n${ja}${open}\n`;
}

type Send = (to: string, subject: string, text: string, headers: Record<string, string>) => Promise<void>;

async function withTransport<T>(smtp: SmtpConfig, fn: (send: Send) => Promise<T>): Promise<T> {
  const transport = smtpTransport(smtp);
  try {
    return await fn(async (to, subject, text, headers) => {
      await transport.sendMail({ from: smtp.from, to, subject, text, headers });
    });
  } finally {
    transport.close();
  }
}

const emailOf = (store: OpsStore, userId: number) => {
  const u = getUser(store, userId);
  return u && !u.disabled ? u.email : null;
};

/** Send the immediate alerts that are due (queued, a failure whose pause is over, a stale claim). */
export async function sendAlertMail(
  store: OpsStore,
  smtp: SmtpConfig,
  o: { link?: string | null; now?: () => Date } = {},
): Promise<MailResult> {
  const now = o.now ?? (() => new Date());
  let sent = 0;
  let failed = 0;
  await withTransport(smtp, async (send) => {
    for (;;) {
      const claimed = store.write(() => {
        const iso = now().toISOString();
        const stale = new Date(now().getTime() - CLAIM_STALE_MS).toISOString();
        const row = store.db
          .prepare(
            `SELECT ${ALERT_COLUMNS}, user_id, attempts FROM alerts
             WHERE mail_status = 'queued'
                OR (mail_status = 'failed' AND attempts < ? AND next_attempt_at <= ?)
                OR (mail_status = 'sending' AND claimed_at <= ?)
             ORDER BY id LIMIT 1`,
          )
          .get(MAX_ATTEMPTS, iso, stale) as
          (Parameters<typeof alertFromRow>[0] & { user_id: number; attempts: number }) | undefined;
        if (!row) return null;
        store.db
          .prepare("UPDATE alerts SET mail_status = 'sending', claimed_at = ? WHERE id = ?")
          .run(iso, row.id);
        return { alert: alertFromRow(row), userId: row.user_id, attempts: row.attempts };
      });
      if (!claimed) break;
      const to = emailOf(store, claimed.userId);
      try {
        if (!to) throw new Error('No email address on the account (or the account is disabled).');
        await send(
          to,
          `[ARLens] ${alertText(claimed.alert.kind, claimed.alert.facts, 'en')}`,
          body([claimed.alert], o.link ?? null),
          { 'Content-Language': 'en, ja', 'X-ARLens-Alert': String(claimed.alert.id) },
        );
        store.write(() =>
          store.db
            .prepare(
              "UPDATE alerts SET mail_status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL, claimed_at = NULL WHERE id = ?",
            )
            .run(now().toISOString(), claimed.alert.id),
        );
        sent++;
      } catch (e) {
        const attempts = claimed.attempts + 1;
        const next =
          attempts < MAX_ATTEMPTS ? new Date(now().getTime() + retryDelayMs(attempts)).toISOString() : null;
        store.write(() =>
          store.db
            .prepare(
              "UPDATE alerts SET mail_status = 'failed', attempts = ?, last_error = ?, next_attempt_at = ?, claimed_at = NULL WHERE id = ?",
            )
            .run(attempts, String((e as Error).message ?? e).slice(0, 500), next, claimed.alert.id),
        );
        failed++;
      }
    }
  });
  return { sent, failed };
}

/**
 * The daily digests for `today` (a date in the installation's time zone): one message per user with
 * every digest alert not yet sent, at most one digest per user and day (a second call the same day
 * sends nothing new; alerts raised later wait for tomorrow's). Failed digests are retried.
 */
export async function sendDigests(
  store: OpsStore,
  smtp: SmtpConfig,
  today: string,
  o: { link?: string | null; now?: () => Date } = {},
): Promise<MailResult> {
  const now = o.now ?? (() => new Date());
  // Gather today's digests: each user's waiting alerts are attached to one new digest row.
  store.write(() => {
    const users = store.db
      .prepare(
        "SELECT DISTINCT user_id FROM alerts WHERE mail_status = 'digest' AND digest_id IS NULL ORDER BY user_id",
      )
      .all() as { user_id: number }[];
    for (const { user_id } of users) {
      const exists = store.db
        .prepare('SELECT 1 FROM alert_digests WHERE user_id = ? AND digest_date = ?')
        .get(user_id, today);
      if (exists) continue;
      const { n } = store.db
        .prepare(
          "SELECT count(*) AS n FROM alerts WHERE user_id = ? AND mail_status = 'digest' AND digest_id IS NULL",
        )
        .get(user_id) as { n: number };
      const id = Number(
        store.db
          .prepare(
            "INSERT INTO alert_digests (user_id, digest_date, alert_count, status, attempts) VALUES (?, ?, ?, 'queued', 0)",
          )
          .run(user_id, today, Number(n)).lastInsertRowid,
      );
      store.db
        .prepare(
          "UPDATE alerts SET digest_id = ? WHERE user_id = ? AND mail_status = 'digest' AND digest_id IS NULL",
        )
        .run(id, user_id);
    }
  });
  let sent = 0;
  let failed = 0;
  await withTransport(smtp, async (send) => {
    for (;;) {
      const claimed = store.write(() => {
        const iso = now().toISOString();
        const stale = new Date(now().getTime() - CLAIM_STALE_MS).toISOString();
        const row = store.db
          .prepare(
            `SELECT id, user_id, digest_date, attempts FROM alert_digests
             WHERE status = 'queued' OR (status = 'failed' AND attempts < ? AND next_attempt_at <= ?)
                OR (status = 'sending' AND claimed_at <= ?)
             ORDER BY id LIMIT 1`,
          )
          .get(MAX_ATTEMPTS, iso, stale) as
          { id: number; user_id: number; digest_date: string; attempts: number } | undefined;
        if (!row) return null;
        store.db
          .prepare("UPDATE alert_digests SET status = 'sending', claimed_at = ? WHERE id = ?")
          .run(iso, row.id);
        return row;
      });
      if (!claimed) break;
      const alerts = (
        store.db
          .prepare(`SELECT ${ALERT_COLUMNS} FROM alerts WHERE digest_id = ? ORDER BY id`)
          .all(claimed.id) as unknown as Parameters<typeof alertFromRow>[0][]
      ).map(alertFromRow);
      const to = emailOf(store, claimed.user_id);
      try {
        if (!to) throw new Error('No email address on the account (or the account is disabled).');
        await send(
          to,
          `[ARLens] ${alerts.length} alert${alerts.length === 1 ? '' : 's'} on ${claimed.digest_date} / アラート${alerts.length}件`,
          body(alerts, o.link ?? null),
          { 'Content-Language': 'en, ja', 'X-ARLens-Digest': `${claimed.digest_date}` },
        );
        store.write(() => {
          store.db
            .prepare(
              "UPDATE alert_digests SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL, claimed_at = NULL WHERE id = ?",
            )
            .run(now().toISOString(), claimed.id);
          store.db
            .prepare("UPDATE alerts SET mail_status = 'digested', sent_at = ? WHERE digest_id = ?")
            .run(now().toISOString(), claimed.id);
        });
        sent++;
      } catch (e) {
        const attempts = claimed.attempts + 1;
        const next =
          attempts < MAX_ATTEMPTS ? new Date(now().getTime() + retryDelayMs(attempts)).toISOString() : null;
        const message = String((e as Error).message ?? e).slice(0, 500);
        store.write(() => {
          store.db
            .prepare(
              "UPDATE alert_digests SET status = 'failed', attempts = ?, last_error = ?, next_attempt_at = ?, claimed_at = NULL WHERE id = ?",
            )
            .run(attempts, message, next, claimed.id);
          store.db.prepare('UPDATE alerts SET last_error = ? WHERE digest_id = ?').run(message, claimed.id);
        });
        failed++;
      }
    }
  });
  return { sent, failed };
}
