import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/messages.ts';
import { bucketColours, bucketText, parseBucket } from './buckets.ts';

describe('aging buckets', () => {
  it('words every bucket the models name, in English and Japanese', () => {
    const en = translator('en');
    const ja = translator('ja');
    expect(['current', '1-30', '0-30', '181-365', '720+'].map((b) => bucketText(en, b))).toEqual([
      'Current',
      '1–30 days',
      '0–30 days',
      '181–365 days',
      'Over 720 days',
    ]);
    expect(['current', '31-60', '180+'].map((b) => bucketText(ja, b))).toEqual([
      '期日前',
      '31～60日',
      '180日超',
    ]);
  });

  it('shows a name it does not know as it is, and parses nothing else', () => {
    for (const hostile of ['<b>x</b>', '1-30; drop', '-1-5', '1e3+', '', '99999999-1']) {
      expect(parseBucket(hostile), hostile).toBeNull();
      expect(bucketText(translator('en'), hostile)).toBe(hostile);
    }
  });

  it('colours: current calm, overdue warmer with age, one colour each however many buckets', () => {
    const six = bucketColours(['current', '1-30', '31-60', '61-90', '91-180', '180+']);
    expect(six).toEqual(['#4f8a5b', '#c9b037', '#e08e2b', '#d2602a', '#b3361e', '#7a1f12']);
    const ten = bucketColours([
      'current',
      ...Array.from({ length: 9 }, (_, i) => `${i * 10 + 1}-${i * 10 + 10}`),
    ]);
    expect(new Set(ten).size).toBe(10);
    expect(ten.every((c) => /^#[0-9a-f]{6}$/.test(c))).toBe(true);
    expect(ten.at(-1)).toBe('#7a1f12');
    expect(bucketColours(['0-30'])).toEqual(['#7a1f12']);
  });
});
