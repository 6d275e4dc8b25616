import { describe, expect, it } from 'vitest';
import {
  businessDate,
  compactMoney,
  days,
  decimal,
  docMoney,
  knownMoney,
  money,
  month,
  percent,
  signed,
} from './format.ts';

describe('formatting for people', () => {
  it('formats money exactly from decimal strings, in the locale', () => {
    expect(money('12345678901234.57', 'USD', 'en-US')).toBe('$12,345,678,901,234.57');
    expect(money('1234.5', 'JPY', 'ja-JP')).toBe('￥1,235');
    expect(money(null, 'USD', 'en-US')).toBe('–');
    expect(compactMoney('1234567', 'USD', 'en-US')).toBe('$1.2M');
  });

  it('formats ratios and days', () => {
    expect(percent(0.1234, 'en-US')).toBe('12.3%');
    expect(decimal(45.678, 'ja-JP')).toBe('45.7');
    expect(signed(-1.25, 'en-US')).toBe('−1.3');
    expect(signed(2, 'en-US')).toBe('+2.0');
  });

  it('keeps business dates on their day whatever the time zone (TZ=Asia/Tokyo here)', () => {
    expect(businessDate('2026-06-30', 'en-US')).toBe('Jun 30, 2026');
    expect(businessDate('2026-01-01', 'ja-JP')).toBe('2026年1月1日');
    expect(month('2026-06-01', 'en-US')).toBe('Jun 2026');
    expect(month('2026-06-01', 'ja-JP')).toBe('2026年6月');
  });
});

describe('table formatting', () => {
  it('money in the document currency, exact; days without "-0"', () => {
    expect(docMoney('1234567.89', 'EUR', 'en-US')).toBe('€1,234,567.89');
    expect(docMoney('9007199254740993.01', 'USD', 'en-US')).toBe('$9,007,199,254,740,993.01');
    expect(docMoney('5.00', null, 'en-US')).toBe('5.00');
    expect(docMoney(null, 'EUR', 'en-US')).toBe('–');
    expect(days(-0, 'en-US')).toBe('0');
    expect(days(1234, 'ja-JP')).toBe('1,234');
    expect(days(null, 'en-US')).toBe('–');
  });
});

describe('reporting-currency money without an FX rate', () => {
  it('is unknown, in words, never 0.00', () => {
    expect(knownMoney(null, 'USD', 'en-US', 'unknown')).toBe('unknown');
    expect(knownMoney('0.00', 'USD', 'en-US', 'unknown')).toBe('$0.00');
    expect(knownMoney('1234.5', 'USD', 'ja-JP', '不明')).toBe('$1,234.50');
  });
});
