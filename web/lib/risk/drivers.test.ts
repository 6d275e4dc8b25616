import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/messages.ts';
import { driverValue, featureText, parseDrivers } from './drivers.ts';

const t = translator('en');
const tJa = translator('ja');

describe('risk drivers', () => {
  it('reads the drivers stored with a score, tolerating bad JSON', () => {
    expect(
      parseDrivers(
        '[{"feature":"max_dpd_12m","value":95,"contribution":0.0312},{"feature":"region","value":"LATAM","contribution":-0.004},{"feature":"days_since_write_off","value":12,"contribution":null}]',
      ).drivers,
    ).toEqual([
      { feature: 'max_dpd_12m', value: 95, contribution: 0.0312 },
      { feature: 'region', value: 'LATAM', contribution: -0.004 },
      { feature: 'days_since_write_off', value: 12, contribution: null },
    ]);
    expect(parseDrivers('not json').drivers).toEqual([]);
    expect(parseDrivers(null).drivers).toEqual([]);
  });

  it('drivers: in-default reasons without a contribution; anything else is unreadable, never a crash', () => {
    expect(parseDrivers('[{"feature":"max_open_days_past_due","value":120,"contribution":null}]')).toEqual({
      drivers: [{ feature: 'max_open_days_past_due', value: 120, contribution: null }],
      unreadable: false,
    });
    expect(parseDrivers(null)).toEqual({ drivers: [], unreadable: false });
    expect(parseDrivers('[]')).toEqual({ drivers: [], unreadable: false });
    for (const bad of ['{', '{"feature":"x"}', '[1]', '[{"value":1}]', '"x"']) {
      expect(parseDrivers(bad)).toEqual({ drivers: [], unreadable: true });
    }
  });

  it('drivers in words, their values for people', () => {
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
  });
});
