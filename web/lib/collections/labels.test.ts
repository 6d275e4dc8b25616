import { describe, expect, it } from 'vitest';
import { en, ja, translator } from '../i18n/messages.ts';
import { bandText, bandTone, driverValue, featureText, methodText, statusText } from '../customers/labels.ts';
import {
  ACTION_KEYS,
  actionText,
  actionTone,
  activityTypeText,
  labelOr,
  outcomeText,
  promiseText,
} from './labels.ts';

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

  it('known codes in words, unknown codes as exported, hostile text untouched', () => {
    expect(activityTypeText(tJa, 'visit')).toBe('訪問');
    expect(outcomeText(t, 'no_answer')).toBe('no answer');
    expect(outcomeText(t, 'voicemail_full')).toBe('voicemail_full');
    expect(promiseText(tJa, 'broken')).toBe('不履行');
    expect(labelOr(t, 'collections.outcome.', null)).toBe('');
    expect(outcomeText(t, '<script>x</script>')).toBe('<script>x</script>');
    // A code that names another message's key does not reach it.
    expect(outcomeText(t, '../title')).toBe('../title');
    expect(statusText(tJa, 'blacklisted')).toBe('取引禁止');
    expect(bandText(t, 'very high')).toBe('Very high');
    expect(bandText(t, 'ultra')).toBe('ultra');
    expect(methodText(tJa, 'bank_transfer')).toBe('銀行振込');
    expect(featureText(t, 'max_dpd_3m')).toBe('Max days past due (3 months)');
    expect(featureText(t, 'new_feature_6m')).toBe('new feature 6m');
    expect(featureText(tJa, 'days_since_write_off')).toBe('貸倒償却からの日数');
    expect(driverValue('overdue_share', 0.4912, 'en-US')).toBe('49%');
    expect(driverValue('credit_utilisation', 1.5, 'en-US')).toBe('150%');
    expect(driverValue('max_dpd_6m', 31, 'en-US')).toBe('31');
    expect(driverValue('tenure_years', 1.621, 'ja-JP')).toBe('1.62');
    expect(driverValue('days_since_last_payment', 1234, 'en-US')).toBe('1,234');
    expect(driverValue('region', 'LATAM', 'en-US')).toBe('LATAM');
    expect(driverValue('region', null, 'en-US')).toBeNull();
    expect(['low', 'medium', 'high', 'very high', 'in default', null].map(bandTone)).toEqual([
      'low',
      'medium',
      'high',
      'severe',
      'severe',
      'none',
    ]);
  });

  it('Japanese has every customers and collections key, none left in English', () => {
    const mine = Object.keys(en).filter((k) => k.startsWith('customers.') || k.startsWith('collections.'));
    expect(mine.length).toBeGreaterThan(100);
    const same = mine.filter((k) => ja[k as keyof typeof ja] === en[k as keyof typeof en]);
    // Only words that are the same in both languages.
    expect(same).toEqual([]);
  });
});
