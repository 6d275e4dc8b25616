/**
 * Words for the codes collection activities carry (activity types, outcomes, promise statuses), in
 * the user's language. A code the dashboard does not know (an ERP's own outcome) is shown as exported.
 */
import { labelOr, type Translate } from '../i18n/messages.ts';
import type { PromiseStatus } from './activity.ts';

export const activityTypeText = (t: Translate, type: string | null) =>
  labelOr(t, 'collections.activity.', type);
export const outcomeText = (t: Translate, outcome: string | null) =>
  labelOr(t, 'collections.outcome.', outcome);
export const promiseText = (t: Translate, status: string | null) =>
  labelOr(t, 'collections.promise.', status);

/** The badge tone of a promise to pay. */
export const PROMISE_TONE: Record<PromiseStatus, 'low' | 'alert' | 'info'> = {
  kept: 'low',
  broken: 'alert',
  pending: 'info',
};
