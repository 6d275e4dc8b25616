import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/messages.ts';
import { bandText, bandTone, driverValue, featureText, methodText, statusText } from './labels.ts';

const t = translator('en');
const tJa = translator('ja');

describe('customer labels', () => {
  it('known codes in words, unknown codes as exported', () => {
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
});
