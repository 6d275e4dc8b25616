import { describe, expect, it } from 'vitest';
import { en, ja, translator } from '../i18n/messages.ts';
import { ACTION_KEYS, actionText, actionTone } from './labels.ts';

const t = translator('en');
const tJa = translator('ja');

describe('labels', () => {
  it('every next action has words in English and Japanese, with the promised date', () => {
    for (const key of Object.values(ACTION_KEYS)) {
      expect(en[key]).toBeTruthy();
      expect(ja[key]).toBeTruthy();
      expect(ja[key]).not.toBe(en[key]);
    }
    const date = (d: string | null) => d ?? '–';
    expect(actionText({ kind: 'awaitPromise', date: '2026-11-05' }, t, date)).toBe(
      'Wait for the promised payment (by 2026-11-05)',
    );
    expect(actionText({ kind: 'awaitPromise', date: '2026-11-05' }, tJa, date)).toBe(
      '約束の入金（2026-11-05 まで）を待つ',
    );
    expect(actionText({ kind: 'mildReminder', date: null }, t, date)).toBe('Send a mild reminder');
    expect(actionTone({ kind: 'escalateCreditHold', date: null })).toBe('alert');
    expect(actionTone({ kind: 'resolveDispute', date: null })).toBe('warn');
    expect(actionTone({ kind: 'reminderBeforeDue', date: null })).toBe('calm');
  });
});
