/**
 * Alerts as the entry points run them: after a build (`arlens build`, `npm start`), after a worklist
 * write on the customer page, and by hand (`arlens alerts evaluate`). Due promises are settled first
 * (a broken promise is found on the data of its date, not later), then the facts are read from the
 * published warehouse, the subscriptions evaluated, and the immediate emails sent when SMTP is set up.
 */
import { addDays } from '../core/calendar.ts';
import { systemWho } from '../collections/access.ts';
import type { SmtpConfig } from '../collections/mail.ts';
import { reviewDuePromises } from '../collections/service.ts';
import type { Actor } from '../ops/audit.ts';
import type { OpsStore } from '../ops/store.ts';
import type { Query } from '../warehouse/convert.ts';
import { evaluateAlerts, type EvaluationResult, type Trigger } from './evaluate.ts';
import { readFacts } from './facts.ts';
import { sendAlertMail, type MailResult } from './mail.ts';

/** Whether an evaluation has anything to do: an active subscription, or a pending promise whose date has passed. */
export function hasAlertWork(store: OpsStore, today: string): boolean {
  const row = store.db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM alert_subscriptions WHERE cancelled_at IS NULL)
           OR EXISTS (SELECT 1 FROM payment_promises WHERE status = 'pending' AND promised_date < ?) AS work`,
    )
    .get(today) as { work: number };
  return Number(row.work) === 1;
}

export interface AlertRun extends EvaluationResult {
  readonly promises: { readonly kept: number; readonly broken: number };
  readonly mail: MailResult | null;
  readonly asOfDate: string | null;
}

export async function runAlerts(
  store: OpsStore,
  query: Query,
  o: {
    trigger: Trigger;
    actor: Actor;
    /** Today in the installation's time zone (YYYY-MM-DD). */
    today: string;
    customerId?: string | null;
    smtp?: SmtpConfig | null;
    link?: string | null;
  },
): Promise<AlertRun> {
  const customerId = o.customerId ?? null;
  const facts = await readFacts(query, customerId);
  // A promise is judged on data that covers its date: with a warehouse as of June, a promise for
  // July stays pending however late the build runs.
  const judgeUpTo = facts.asOfDate === null ? null : [o.today, addDays(facts.asOfDate, 1)].sort()[0]!;
  const promises =
    judgeUpTo !== null && customerId === null
      ? await reviewDuePromises(store, systemWho(o.actor), query, judgeUpTo)
      : { kept: 0, broken: 0 };
  const result = evaluateAlerts(store, facts, { trigger: o.trigger, customerId });
  const mail = o.smtp ? await sendAlertMail(store, o.smtp, { link: o.link ?? null }) : null;
  return { ...result, promises, mail, asOfDate: facts.asOfDate };
}
