import { describe, expect, it } from 'vitest';
import type { Activity, ActivityState, PromiseStatus } from '../activities/activity.ts';
import { nextAction, type NextActionInput } from './next-action.ts';

const ASOF = '2026-10-31';

function activity(date: string, promise?: { status: PromiseStatus; date: string }): Activity {
  return {
    id: `ACT-${date}`,
    invoiceId: 'INV-1',
    customerId: 'C1',
    date,
    type: 'call',
    outcome: promise ? 'promise_to_pay' : 'contacted',
    note: null,
    collector: 'Sophie Laurent',
    promise: promise ? { ...promise, amount: '100.00', currency: 'EUR' } : null,
  };
}

function history(...activities: Activity[]): ActivityState {
  const sorted = [...activities].sort((a, b) => (a.date < b.date ? 1 : -1));
  return { last: sorted[0] ?? null, latestPromise: sorted.find((a) => a.promise) ?? null };
}

const base: NextActionInput = {
  dunningLevel: 2,
  daysPastDue: 10,
  hasOpenDispute: false,
  isCreditBlocked: false,
  history: history(),
  asOf: ASOF,
};

describe('next action', () => {
  it('follows the dunning ladder when nothing else applies', () => {
    const at = (dunningLevel: NextActionInput['dunningLevel'], daysPastDue: number) =>
      nextAction({ ...base, dunningLevel, daysPastDue }).kind;
    expect(at(1, -3)).toBe('reminderBeforeDue');
    expect(at(1, 0)).toBe('reminderBeforeDue');
    expect(at(1, 4)).toBe('reminderOverdue');
    expect(at(2, 7)).toBe('mildReminder');
    expect(at(3, 30)).toBe('collectionCall');
    expect(at(4, 60)).toBe('escalateCreditHold');
    expect(at(0, -20)).toBe('none');
  });

  it('escalation on an account already blocked hands it over instead of a credit hold', () => {
    expect(nextAction({ ...base, dunningLevel: 4, daysPastDue: 90, isCreditBlocked: true })).toEqual({
      kind: 'escalateHandOver',
      date: null,
    });
  });

  it('an open dispute comes first, before promises and the ladder', () => {
    const broken = history(activity('2026-10-01', { status: 'broken', date: '2026-10-15' }));
    expect(nextAction({ ...base, dunningLevel: 4, hasOpenDispute: true, history: broken }).kind).toBe(
      'resolveDispute',
    );
  });

  it('a broken promise is followed up, unless someone was in touch after its date', () => {
    const promise = activity('2026-10-01', { status: 'broken', date: '2026-10-15' });
    expect(nextAction({ ...base, dunningLevel: 3, history: history(promise) })).toEqual({
      kind: 'followUpBrokenPromise',
      date: '2026-10-15',
    });
    // A call on the promised date itself is not a follow-up of the broken promise.
    expect(
      nextAction({ ...base, dunningLevel: 3, history: history(promise, activity('2026-10-15')) }).kind,
    ).toBe('followUpBrokenPromise');
    expect(
      nextAction({ ...base, dunningLevel: 3, history: history(promise, activity('2026-10-20')) }).kind,
    ).toBe('collectionCall');
  });

  it('a pending promise: wait until its date, then check the payment', () => {
    const future = history(activity('2026-10-25', { status: 'pending', date: '2026-11-05' }));
    expect(nextAction({ ...base, dunningLevel: 4, history: future })).toEqual({
      kind: 'awaitPromise',
      date: '2026-11-05',
    });
    const today = history(activity('2026-10-25', { status: 'pending', date: ASOF }));
    expect(nextAction({ ...base, history: today }).kind).toBe('awaitPromise');
    const passed = history(activity('2026-10-20', { status: 'pending', date: '2026-10-30' }));
    expect(nextAction({ ...base, history: passed })).toEqual({
      kind: 'checkPromisedPayment',
      date: '2026-10-30',
    });
  });

  it('only the latest promise counts: a kept promise after a broken one means back to the ladder', () => {
    const h = history(
      activity('2026-09-01', { status: 'broken', date: '2026-09-10' }),
      activity('2026-10-01', { status: 'kept', date: '2026-10-10' }),
    );
    expect(nextAction({ ...base, dunningLevel: 2, history: h }).kind).toBe('mildReminder');
    const renewed = history(
      activity('2026-09-01', { status: 'broken', date: '2026-09-10' }),
      activity('2026-10-28', { status: 'pending', date: '2026-11-10' }),
    );
    expect(nextAction({ ...base, history: renewed }).kind).toBe('awaitPromise');
  });
});
