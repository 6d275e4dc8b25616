/**
 * The collection steps as the entry points (CLI, pages) call them: each reads what it needs from the
 * warehouse (the corrected open items) and hands the decision to the store functions, which authorise,
 * write and audit.
 */
import { addDays } from '../core/calendar.ts';
import type { OpsStore } from '../ops/store.ts';
import type { Query } from '../warehouse/convert.ts';
import { portfolioOf, type Who } from './access.ts';
import { approveRun, createRun, type ApproveResult } from './dunning.store.ts';
import { readAsOfDate, readDunnableItems } from './ledger.ts';
import { renderPending, sendQueued, type SendResult, type SmtpConfig } from './mail.ts';
import type { DunningPolicy } from './policy.ts';
import { daysBetween } from './proposal.ts';
import { reviewPromises } from './worklist.store.ts';

/** Settle promises whose date has passed (kept or broken) against the open items. */
export async function reviewDuePromises(store: OpsStore, who: Who, query: Query, today: string) {
  const due = store.db
    .prepare("SELECT count(*) AS n FROM payment_promises WHERE status = 'pending' AND promised_date < ?")
    .get(today) as { n: number };
  if (Number(due.n) === 0) return { kept: 0, broken: 0 };
  const items = await readDunnableItems(query);
  const open = new Map<string, Set<string>>();
  const overdue = new Set<string>();
  const controller = new Map<string, string | null>();
  for (const i of items) {
    controller.set(i.customerId, i.creditController);
    if (i.itemType !== 'invoice' || i.openAmount.startsWith('-')) continue;
    const s = open.get(i.customerId) ?? new Set<string>();
    s.add(i.itemId);
    open.set(i.customerId, s);
    if (i.dueDate !== null && i.dueDate < today) overdue.add(i.customerId);
  }
  return reviewPromises(
    store,
    who,
    today,
    (customerId, invoiceIds) =>
      invoiceIds.length > 0
        ? invoiceIds.some((id) => open.get(customerId)?.has(id) ?? false)
        : overdue.has(customerId),
    (customerId) => controller.get(customerId) ?? null,
  );
}

export async function proposeRun(
  store: OpsStore,
  who: Who,
  query: Query,
  policy: DunningPolicy,
  runDate: string,
) {
  const asOfDate = await readAsOfDate(query);
  const stale = daysBetween(asOfDate, runDate);
  const promises = await reviewDuePromises(store, who, query, runDate);
  // Only invoices due early enough to reach the first level matter (and every credit, to net).
  const dueBy = addDays(runDate, -policy.levels[0]!.days);
  const items = await readDunnableItems(query, portfolioOf(who), dueBy);
  const warnings =
    stale > 7
      ? [
          `The open items are as of ${asOfDate}, ${stale} days before the run date: payments since then are not known. Load and build first.`,
        ]
      : [];
  return { ...createRun(store, who, { policy, runDate, asOfDate, items }), promises, warnings };
}

export interface ApproveAndSend extends ApproveResult {
  readonly rendered: number;
  readonly mail: SendResult | null;
}

/** Approve, render the letters' PDFs, and send the queued ones when SMTP is configured. */
export async function approveAndSend(
  store: OpsStore,
  who: Who,
  policy: DunningPolicy,
  input: { runId: number; version?: number | null },
  company: string,
  smtp: SmtpConfig | null,
): Promise<ApproveAndSend> {
  const approved = approveRun(store, who, policy, input);
  const rendered = await renderPending(store, who, policy, company);
  const mail = smtp ? await sendQueued(store, who, smtp) : null;
  return { ...approved, rendered, mail };
}
