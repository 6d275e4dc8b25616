/**
 * Words for the codes the collections data carries (activity types, outcomes, promise statuses, next
 * actions), in the user's language. A code the dashboard does not know (an ERP's own outcome) is
 * shown as exported.
 */
import { en, type MessageKey, type Translate } from '../i18n/messages.ts';
import type { NextAction, NextActionKind } from './next-action.ts';

/** `t(prefix + code)` when that message exists, else the code itself. */
export function labelOr(t: Translate, prefix: string, code: string | null): string {
  if (code === null) return '';
  const key = `${prefix}${code}`;
  return key in en ? t(key as MessageKey) : code;
}

export const ACTION_KEYS: Record<NextActionKind, MessageKey> = {
  resolveDispute: 'collections.action.resolveDispute',
  followUpBrokenPromise: 'collections.action.followUpBrokenPromise',
  awaitPromise: 'collections.action.awaitPromise',
  checkPromisedPayment: 'collections.action.checkPromisedPayment',
  escalateHandOver: 'collections.action.escalateHandOver',
  escalateCreditHold: 'collections.action.escalateCreditHold',
  collectionCall: 'collections.action.collectionCall',
  mildReminder: 'collections.action.mildReminder',
  reminderOverdue: 'collections.action.reminderOverdue',
  reminderBeforeDue: 'collections.action.reminderBeforeDue',
  none: 'collections.action.none',
};

/** The next action in words; `date` formats the promised date. */
export function actionText(a: NextAction, t: Translate, date: (d: string | null) => string): string {
  return t(ACTION_KEYS[a.kind], { date: date(a.date) });
}

/** How urgent an action looks: 'alert' (red), 'warn' (amber), 'calm'. */
export function actionTone(a: NextAction): 'alert' | 'warn' | 'calm' {
  switch (a.kind) {
    case 'escalateHandOver':
    case 'escalateCreditHold':
    case 'followUpBrokenPromise':
      return 'alert';
    case 'resolveDispute':
    case 'collectionCall':
    case 'checkPromisedPayment':
      return 'warn';
    default:
      return 'calm';
  }
}

export const activityTypeText = (t: Translate, type: string | null) =>
  labelOr(t, 'collections.activity.', type);
export const outcomeText = (t: Translate, outcome: string | null) =>
  labelOr(t, 'collections.outcome.', outcome);
export const promiseText = (t: Translate, status: string | null) =>
  labelOr(t, 'collections.promise.', status);
