/**
 * Disputes: raised before or after the due date (Services most often), for all or part of the
 * invoice; resolved, rejected or still open at the as-of date; ~40% of resolved ones settled with a
 * credit memo. Payment waits until a few days after the dispute is closed.
 */
import type { DisputeStatus, Invoice, Run } from './model.ts';
import { roundTo } from './invoices.ts';

export interface Dispute {
  readonly opened: number;
  /** Payment not before this day. */
  readonly holdUntil: number;
  /** The settlement credit memo (cents, day), 0 when none. */
  readonly memo: number;
  readonly memoDay: number;
}

/** Draw whether the invoice is disputed; if it is, queue the dispute (when opened by asOf). */
export function maybeDispute(run: Run, inv: Invoice): Dispute | undefined {
  const { rng, asOf } = run;
  const { c, amount, due, issue, info } = inv;
  if (!rng.chance(info.disputeRate)) return undefined;
  const afterDue = rng.chance(0.5);
  const opened = afterDue ? due + rng.intBetween(1, 15) : issue + rng.intBetween(2, 12);
  const disputed = rng.chance(0.35) ? amount : roundTo(amount * rng.uniform(0.1, 0.9), c);
  const reason = rng.weighted(info.disputeReasons);
  const resolved = opened + Math.round(7 + 55 * rng.next() ** 1.5);
  let status: DisputeStatus = 'open';
  if (resolved <= asOf) status = rng.chance(0.78) ? 'resolved' : 'rejected';
  let memo = 0;
  let memoDay = 0;
  if (status === 'resolved' && rng.chance(0.4)) {
    memo = Math.min(disputed, roundTo(disputed * rng.uniform(0.25, 1.15), c));
    if (memo <= 0) memo = disputed;
    memoDay = resolved;
  }
  const holdUntil = resolved + rng.intBetween(2, 12);
  if (opened <= asOf && disputed > 0) {
    run.push({
      k: 3,
      c,
      day: opened,
      invoice: inv.id,
      resolved: status === 'open' ? 0 : resolved,
      amount: disputed,
      reason,
      status,
    });
  }
  return { opened, holdUntil, memo, memoDay };
}
