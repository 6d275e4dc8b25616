/**
 * The next thing a collector should do about an open invoice, from its dunning level, dispute and
 * promise-to-pay history. Pure; the rules, in the order they apply:
 *
 * 1. an open dispute: resolve it first (chasing a disputed amount only annoys the customer);
 * 2. the latest promise to pay was broken and nobody has been in touch since its date: follow it up;
 * 3. the latest promise is still pending: wait until its date, or, once the date has passed, check
 *    whether the money came;
 * 4. otherwise the dunning ladder: 4 escalate (credit hold; hand over when the account is already
 *    blocked), 3 call and open a collection task, 2 mild reminder, 1 reminder (before the due date,
 *    or that it has just passed).
 */
import type { ActivityState } from '../activities/activity.ts';
import type { DunningLevel } from '../dunning/dunning.ts';

export type NextActionKind =
  | 'resolveDispute'
  | 'followUpBrokenPromise'
  | 'awaitPromise'
  | 'checkPromisedPayment'
  | 'escalateHandOver'
  | 'escalateCreditHold'
  | 'collectionCall'
  | 'mildReminder'
  | 'reminderOverdue'
  | 'reminderBeforeDue'
  | 'none';

export interface NextAction {
  readonly kind: NextActionKind;
  /** The promised date, for the promise actions. */
  readonly date: string | null;
}

export interface NextActionInput {
  readonly dunningLevel: DunningLevel;
  /** Negative: not yet due. */
  readonly daysPastDue: number;
  readonly hasOpenDispute: boolean;
  /** The customer is blocked or blacklisted (no new orders on credit). */
  readonly isCreditBlocked: boolean;
  readonly history: ActivityState;
  /** The warehouse's as-of date ('YYYY-MM-DD'): "today" for the data. */
  readonly asOf: string;
}

const action = (kind: NextActionKind, date: string | null = null): NextAction => ({ kind, date });

export function nextAction(i: NextActionInput): NextAction {
  if (i.hasOpenDispute) return action('resolveDispute');
  const promised = i.history.latestPromise?.promise ?? null;
  if (promised) {
    const date = promised.date;
    if (promised.status === 'broken') {
      const last = i.history.last;
      const contactedSince = date !== null && last !== null && last.date > date;
      if (!contactedSince) return action('followUpBrokenPromise', date);
    } else if (promised.status === 'pending') {
      if (date !== null && date >= i.asOf) return action('awaitPromise', date);
      return action('checkPromisedPayment', date);
    }
  }
  switch (i.dunningLevel) {
    case 4:
      return action(i.isCreditBlocked ? 'escalateHandOver' : 'escalateCreditHold');
    case 3:
      return action('collectionCall');
    case 2:
      return action('mildReminder');
    case 1:
      return action(i.daysPastDue > 0 ? 'reminderOverdue' : 'reminderBeforeDue');
    case 0:
      return action('none');
  }
}
