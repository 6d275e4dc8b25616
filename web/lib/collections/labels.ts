/** The next action's words and tone, in the user's language. */
import type { MessageKey, Translate } from '../i18n/messages.ts';
import type { NextAction, NextActionKind } from './next-action.ts';

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
